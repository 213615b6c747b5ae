/**
 * `codesign search --model FILE`: mixed precision for a user's own network. Every per-layer
 * weight-bit assignment from the given choices is a point with a closed-form energy and a
 * quantization-noise proxy — the sum over layers of ‖W − Q_b(W)‖²/‖W‖² with the LSQ quantizer the
 * tool trains with, computed from the model's own weights. Both are sums over layers, so the
 * exact front of (energy, proxy) comes from a dynamic programme over layers (search/dp-front.ts)
 * without enumerating the choices^layers assignments: ResNet-18 and MobileNetV2 at four widths in
 * seconds.
 *
 * Energy is additive when main memory is unlimited (an op's energy then depends on its own
 * precision only); on a machine with a finite main memory what spills depends on every layer's
 * bits, so the front is built on the additive energy and each front point is then priced with
 * the machine's capacities (`energy_uJ`), next to the additive figure the front was built on.
 */
import { InputError } from '../core/errors.ts';
import { layerIndexOf, quantizedLayers, withBits } from '../nets/layers.ts';
import type { Graph } from '../nets/graph.ts';
import { lsqRelativeError } from '../nets/quant.ts';
import { tensorValues, type Tensor } from '../nets/onnx/proto.ts';
import { mainMemoryOf, priceGraph } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { paretoSums, MAX_FRONT_POINTS } from '../search/dp-front.ts';
import { modelGraph } from './workload.ts';

export interface ModelSearch {
  readonly file: string;
  readonly choices: readonly number[];
  readonly preset: HardwarePreset;
}

export interface ModelPoint {
  readonly bits: readonly number[];
  /** Per inference, closed form on the table's machine (capacities honoured), µJ. */
  readonly energy_uJ: number;
  /** The same with unlimited main memory: the additive energy the front is built on, µJ. */
  readonly additiveEnergy_uJ: number;
  /** Σ over layers of the relative quantization error at the layer's bits. */
  readonly noiseProxy: number;
  readonly weight_kB: number;
}

export interface ModelSearchOutcome {
  readonly graph: string;
  readonly layers: readonly string[];
  /** choices^layers: the assignments the front covers. */
  readonly points: number;
  readonly front: readonly ModelPoint[];
  readonly seconds: number;
}

export function searchModel(s: ModelSearch): ModelSearchOutcome {
  const imported = modelGraph(s.file);
  if (imported.declaresBits) throw new InputError('model', s.file, 'allowed: a model without declared bits (QDQ, QLinear or codesign metadata fix its widths: there is no space to search)');
  return searchGraph(imported.graph, s.choices, s.preset, imported.kernels);
}

export function searchGraph(graph: Graph, choices: readonly number[], preset: HardwarePreset, kernels: ReadonlyMap<string, Tensor | ArrayLike<number>>): ModelSearchOutcome {
  const started = performance.now();
  const layers = quantizedLayers(graph);
  if (layers.length === 0) throw new InputError('model', graph.name, 'allowed: a model with conv or dense layers (nothing to quantize)');
  const bad = choices.find((b) => !Number.isInteger(b) || b < 2 || b > 32);
  if (bad !== undefined) throw new InputError('choices', choices.join(','), 'allowed: whole numbers of bits from 2 to 32 (the noise proxy uses signed LSQ)');
  const layerOf = layerIndexOf(graph);
  // energy[l][c] (unlimited memory: additive) and weight bits[l][c]; ops outside any layer add a constant.
  const energy = layers.map(() => new Float64Array(choices.length));
  const memory = layers.map(() => new Float64Array(choices.length));
  let constant = 0;
  choices.forEach((bits, c) => {
    const report = priceGraph(withBits(graph, { weights: [bits] }), preset, { mainMemoryBits: Infinity });
    report.ops.forEach((op, i) => {
      const l = layerOf[i];
      if (l < 0) {
        if (c === 0) constant += op.energy.total;
      } else {
        energy[l][c] += op.energy.total;
        memory[l][c] += op.counts.weights * bits;
      }
    });
  });
  // The noise proxy of each layer at each width, from its own weights.
  const noise = layers.map((name) => {
    const k = kernels.get(name);
    if (!k) throw new InputError('model', graph.name, `allowed: a model whose layer ${name} has its weights in the file (the noise proxy reads them)`);
    const values = 'dims' in k ? tensorValues(k) : k;
    return Float64Array.from(choices, (b) => lsqRelativeError(values, b));
  });
  let front;
  try {
    front = paretoSums(layers.map((_, l) => ({ cost: energy[l], noise: noise[l] })), constant);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError('choices', choices.join(','), `allowed: a front of at most ${MAX_FRONT_POINTS.toLocaleString('en-US')} points per layer step (${error.message}): fewer choices`);
    throw error;
  }
  const finite = mainMemoryOf(preset) !== Infinity;
  const points = front.map((p) => {
    const bits = p.choices.map((c) => choices[c]);
    const weightBits = p.choices.reduce((s, c, l) => s + memory[l][c], 0);
    const onMachine = finite ? priceGraph(withBits(graph, { perLayer: Object.fromEntries(layers.map((name, l) => [name, { weightBits: bits[l] }])) }), preset).energy.total : p.cost;
    return { bits, energy_uJ: onMachine / 1e6, additiveEnergy_uJ: p.cost / 1e6, noiseProxy: p.noise, weight_kB: weightBits / 8 / 1024 };
  });
  return { graph: graph.name, layers, points: Math.pow(choices.length, layers.length), front: points, seconds: (performance.now() - started) / 1000 };
}
