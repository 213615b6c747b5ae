import { simulateGraph } from './sim/engine/engine.ts';
import { machineOf } from './sim/machine.ts';
import { presetByName } from './sim/presets.ts';
import { buildPrecoder } from './nets/precoder.ts';
const preset = presetByName('bitfusion-45nm');
for (const b of [2, 8, 16]) {
  const g = buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [b, b, b, b], head: 'direct' });
  const r = simulateGraph(g, machineOf(preset), preset);
  console.log(b, r.cycles, r.ops.filter(o => o.unit === 'gemm').map(o => `${o.name}:${o.computeCycles}/${o.cycles}`).join(' '));
}
