/**
 * The closed form and the engine side by side on the shipped machines (docs/engine.md, "One
 * energy, two models"): for each network and table, `codesign energy --hardware T` (the closed
 * form, capacities honoured) against `codesign simulate --hardware T` (the engine, streaming
 * buffers), term by term and level by level, with the causes of the residual summed over ops.
 *   npx tsx bench/reconcile.ts [--onnx DIR] [--json]      (DIR: bench/onnx/export_torchvision.py's output)
 * Runs the CLI as a user would, so every row is reproduced by the two commands it prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const onnxDir = args.includes('--onnx') ? args[args.indexOf('--onnx') + 1] : 'out/onnx';
const asJson = args.includes('--json');
const tables = ['horowitz-45nm', 'zigzag-tpu-like', 'bitfusion-45nm'];
const nets: { label: string; flags: string[] }[] = [
  { label: 'precoder 64/1024 (16 bits)', flags: ['--net', 'precoder'] },
  { label: 'precoder 8/512 [2,2,2,2]', flags: ['--net', 'precoder', '--cout', '8', '--dfcl', '512', '--bits', '2,2,2,2', '--head', 'structured'] },
  { label: 'CsiNet (CR 1/4)', flags: ['--net', 'csinet'] },
  { label: 'CRNet (CR 1/4)', flags: ['--net', 'crnet'] },
];
const resnet = join(onnxDir, 'resnet18.onnx');
if (existsSync(resnet)) nets.push({ label: 'ResNet-18 (torchvision, ONNX)', flags: ['--model', resnet] });
else console.error(`${resnet} missing: python3 bench/onnx/export_torchvision.py ${onnxDir}  (ResNet-18 rows skipped)`);

type Terms = { total: number; compute: number; weight: number; activation: number };
const codesign = (argv: string[]) => JSON.parse(execFileSync('npx', ['tsx', 'cli/main.ts', ...argv, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));

const rows = [];
for (const table of tables) {
  for (const net of nets) {
    const closed = codesign(['energy', ...net.flags, '--hardware', table]);
    const started = Date.now();
    const engine = codesign(['simulate', ...net.flags, '--hardware', table]);
    const seconds = (Date.now() - started) / 1000;
    const c: Terms = closed.energy_uJ;
    const e: Terms = engine.energy_uJ;
    // The causes, summed over ops: each op's reasons name one (reuse, output writes, traffic, over-reads, stalls).
    const causes = new Map<string, number>();
    for (const op of engine.ops as { reasons: string[] }[]) {
      for (const r of op.reasons) {
        const cause = r.replace(/[\d.,]+/g, '#').replace(/\s+/g, ' ').slice(0, 60);
        causes.set(cause, (causes.get(cause) ?? 0) + 1);
      }
    }
    rows.push({
      table,
      network: net.label,
      commands: [`codesign energy ${net.flags.join(' ')} --hardware ${table}`, `codesign simulate ${net.flags.join(' ')} --hardware ${table}`],
      closedForm_uJ: c,
      closedFormAsSimulated_uJ: engine.closedForm_uJ as Terms,
      engine_uJ: e,
      ratio: { compute: e.compute / c.compute, weight: e.weight / c.weight, activation: e.activation / c.activation, total: e.total / c.total },
      engineByLevel_uJ: engine.energyByLevel_uJ,
      cycles: engine.cycles,
      stallCycles: engine.stallCycles,
      latency_us: engine.time_us,
      simulateSeconds: seconds,
      causes: Object.fromEntries([...causes].sort((a, b) => b[1] - a[1]).slice(0, 6)),
    });
    console.error(`${table} ${net.label}: closed ${c.total.toPrecision(4)} µJ, engine ${e.total.toPrecision(4)} µJ (${(e.total / c.total).toFixed(3)}), ${seconds.toFixed(1)} s`);
  }
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  const f = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toPrecision(3));
  console.log('| table | network | closed form µJ (E_C / E_W / E_A) | engine µJ (E_C / E_W / E_A) | engine ÷ closed (C / W / A / total) | engine by level: local / main / off chip µJ | latency µs |');
  console.log('|---|---|---|---|---|---|---:|');
  for (const r of rows) {
    const c = r.closedForm_uJ;
    const e = r.engine_uJ;
    const l = r.engineByLevel_uJ;
    console.log(`| ${r.table} | ${r.network} | ${f(c.total)} (${f(c.compute)} / ${f(c.weight)} / ${f(c.activation)}) | ${f(e.total)} (${f(e.compute)} / ${f(e.weight)} / ${f(e.activation)}) | ${r.ratio.compute.toFixed(2)} / ${r.ratio.weight.toFixed(2)} / ${r.ratio.activation.toFixed(2)} / ${r.ratio.total.toFixed(2)} | ${f(l.localBuffer)} / ${f(l.mainMemory)} / ${f(l.offChip)} | ${f(r.latency_us)} |`);
  }
}
