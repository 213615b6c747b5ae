/**
 * Where codec training starts (docs/codecs.md): the power of x − 0.5 per element on a CSI
 * split (the NMSE of the constant-0.5 decoder is 0 dB by definition) and the NMSE and ρ of the
 * untrained CsiNet and CRNet at CR 4. Prints one JSON document.
 *   npx tsx bench/codec-start.ts [scenario] [samples]
 */
import { evaluateCodec } from '../train/codec.ts';
import { buildCsiNet } from '../nets/csi.ts';
import { initBackend } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const scenario = process.argv[2] ?? 'cost2100-indoor';
const samples = Number(process.argv[3] ?? 200);
await initBackend('wasm');
const ds = loadDataset(loadScenario(scenario), 'validation');
if (ds.kind !== 'csi') throw new Error(`${scenario} is not a CSI scenario`);
const size = 2 * ds.rows * ds.cols;
const power = new Float64Array(ds.count);
for (let i = 0; i < ds.count; i++) {
  let p = 0;
  for (let j = 0; j < size; j++) p += (ds.data[i * size + j] - 0.5) ** 2;
  power[i] = p / size;
}
const sorted = Float64Array.from(power).sort();
const untrained = [];
for (const net of ['csinet', 'crnet'] as const) {
  const r = await evaluateCodec(new GraphModel(buildCsiNet({ net, cr: 4 }), { seed: 1 }), ds, { limit: samples });
  untrained.push({ net, cr: 4, seed: 1, samples, nmseDb: r.nmseDb, rho: r.rho });
}
const mean = power.reduce((s, v) => s + v, 0) / ds.count;
process.stdout.write(JSON.stringify({ scenario, split: 'validation', count: ds.count, powerPerElement: { mean, min: sorted[0], median: sorted[ds.count >> 1] }, untrained }, null, 2) + '\n');
