// Builds the native matrix kernels (native/blas) after `npm ci`/`npm install`, with the node-gyp
// npm ships; where it cannot (no compiler, no libopenblas-dev) it says so and training stays on
// plain wasm. Never fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'blas');
const gyp = process.env.npm_config_node_gyp;
const run = gyp && existsSync(gyp) ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: dir, encoding: 'utf8' }) : undefined;
if (run?.status === 0) console.log('native training kernels built (native/blas: OpenBLAS products, convolutions and their gradients, batch normalisation, dropout, Adam, LSQ)');
else console.log(`native training kernels not built (${run ? (run.stderr.split('\n').find((l) => /error/i.test(l)) ?? 'node-gyp failed').trim() : 'no node-gyp from npm'}): training runs on plain wasm`);
