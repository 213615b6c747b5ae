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
import { machineOf, describeMachine } from '../sim/machine.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import { pso as psoRun } from '../search/pso.ts';
import { estimate, formatEstimate, pairedDifference, verdictOf } from '../core/stats.ts';

export interface ModelSearch {
  readonly file: string;
  readonly choices: readonly number[];
  readonly preset: HardwarePreset;
  /** The front's cost axis: closed-form energy (default), or latency on the table's machine. */
  readonly objective?: ModelObjective;
}

/**
 * Latency here is the engine's ideal mode on the table's machine: every MAC at the datapath's
 * rate for its bits on a fully used array, plus the vector unit — additive over layers like the
 * energy, so the same dynamic programme gives its exact front. On a fixed datapath it does not
 * depend on bits; on a precision-scalable one (bitfusion-45nm) it does.
 */
export const MODEL_OBJECTIVES = ['energy', 'latency'] as const;
export type ModelObjective = (typeof MODEL_OBJECTIVES)[number];

export interface ModelPoint {
  readonly bits: readonly number[];
  /** Per inference, closed form on the table's machine (capacities honoured), µJ. */
  readonly energy_uJ: number;
  /** The same with unlimited main memory: the additive energy the front is built on, µJ. */
  readonly additiveEnergy_uJ: number;
  /** On the table's machine in the engine's ideal mode (the datapath's rate at these bits), µs. */
  readonly latency_us: number;
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
  readonly objective: ModelObjective;
  readonly machine: string;
  readonly seconds: number;
}

/** A model whose widths are ours to choose (one that declares its bits has no space to search). */
function searchableModel(file: string) {
  const imported = modelGraph(file);
  if (imported.declaresBits) throw new InputError('model', file, 'allowed: a model without declared bits (QDQ, QLinear or codesign metadata fix its widths: there is no space to search)');
  return imported;
}

export function searchModel(s: ModelSearch): ModelSearchOutcome {
  const imported = searchableModel(s.file);
  return searchGraph(imported.graph, s.choices, s.preset, imported.kernels, undefined, s.objective);
}

/** `layerWeights` scales each layer's proxy (a sensitivity measured on data); 1 each when absent. */
export function searchGraph(graph: Graph, choices: readonly number[], preset: HardwarePreset, kernels: ReadonlyMap<string, Tensor | ArrayLike<number>>, layerWeights?: readonly number[], objective: ModelObjective = 'energy'): ModelSearchOutcome {
  const started = performance.now();
  const layers = quantizedLayers(graph);
  if (layers.length === 0) throw new InputError('model', graph.name, 'allowed: a model with conv or dense layers (nothing to quantize)');
  const bad = choices.find((b) => !Number.isInteger(b) || b < 2 || b > 32);
  if (bad !== undefined) throw new InputError('choices', choices.join(','), 'allowed: whole numbers of bits from 2 to 32 (the noise proxy uses signed LSQ)');
  const layerOf = layerIndexOf(graph);
  // energy[l][c] (unlimited memory: additive) and weight bits[l][c]; ops outside any layer add a constant.
  const energy = layers.map(() => new Float64Array(choices.length));
  const memory = layers.map(() => new Float64Array(choices.length));
  const latency = layers.map(() => new Float64Array(choices.length));
  let constant = 0;
  let constantLatency = 0;
  const machine = { ...machineOf(preset), mode: 'ideal' as const };
  choices.forEach((bits, c) => {
    const g = withBits(graph, { weights: [bits] });
    const report = priceGraph(g, preset, { mainMemoryBits: Infinity });
    const timed = simulateGraph(g, machine, preset);
    report.ops.forEach((op, i) => {
      const l = layerOf[i];
      const us = timed.ops[i].cycles / machine.clockMHz;
      if (l < 0) {
        if (c === 0) constant += op.energy.total;
        if (c === 0) constantLatency += us;
      } else {
        energy[l][c] += op.energy.total;
        memory[l][c] += op.counts.weights * bits;
        latency[l][c] += us;
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
  if (layerWeights) noise.forEach((row, l) => row.forEach((v, c) => (row[c] = v * layerWeights[l])));
  let front;
  try {
    front = objective === 'energy' ? paretoSums(layers.map((_, l) => ({ cost: energy[l], noise: noise[l] })), constant) : paretoSums(layers.map((_, l) => ({ cost: latency[l], noise: noise[l] })), constantLatency);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError('choices', choices.join(','), `allowed: a front of at most ${MAX_FRONT_POINTS.toLocaleString('en-US')} points per layer step (${error.message}): fewer choices`);
    throw error;
  }
  const finite = mainMemoryOf(preset) !== Infinity;
  const sum = (table: Float64Array[], at: readonly number[], base: number) => at.reduce((s, c, l) => s + table[l][c], base);
  const points = front.map((p) => {
    const bits = p.choices.map((c) => choices[c]);
    const additive = sum(energy, p.choices, constant);
    const onMachine = finite ? priceGraph(withBits(graph, { perLayer: Object.fromEntries(layers.map((name, l) => [name, { weightBits: bits[l] }])) }), preset).energy.total : additive;
    return { bits, energy_uJ: onMachine / 1e6, additiveEnergy_uJ: additive / 1e6, latency_us: sum(latency, p.choices, constantLatency), noiseProxy: p.noise, weight_kB: sum(memory, p.choices, 0) / 8 / 1024 };
  });
  return { graph: graph.name, layers, points: Math.pow(choices.length, layers.length), front: points, objective, machine: describeMachine(preset, machine), seconds: (performance.now() - started) / 1000 };
}

export interface DataRating {
  /** The user's data (.npz: inputs with labels or outputs). */
  readonly data: string;
  /** PSO under this energy per inference (µJ): the most accurate assignment within it. */
  readonly budget_uJ?: number;
  readonly seed: number;
  readonly maxEvaluations?: number;
}

export interface RatedPoint {
  readonly bits: readonly number[];
  /** On the table's machine (capacities honoured), µJ. */
  readonly energy_uJ: number;
  /** The mean over the data's samples, with its 95% half-width. */
  readonly quality: number;
  readonly ci95: number;
}

export interface ModelRating {
  readonly metric: string;
  /** Every width for every layer. */
  readonly uniform: readonly RatedPoint[];
  /**
   * Each layer's measured sensitivity: the quality lost with that layer alone at the lowest width
   * (the others at the highest), and the weight it gives the layer's proxy so that the proxy at
   * the lowest width equals that loss (at least one sample's worth).
   */
  readonly sensitivity: readonly { readonly layer: string; readonly loss: number; readonly weight: number }[];
  /** Up to eight points along the exact front of energy vs the sensitivity-weighted proxy, cheapest to dearest. */
  readonly front: readonly (RatedPoint & { readonly noiseProxy: number })[];
  readonly budget?: {
    readonly budget_uJ: number;
    readonly bestUniform: RatedPoint | null;
    readonly pso: (RatedPoint & { readonly ratings: number }) | null;
    /** PPSO's answer − the best uniform one, paired on the same samples. */
    readonly difference: { readonly mean: number; readonly ci95: number; readonly reads: string } | null;
    readonly verdict: string;
  };
}

/** Front points rated on data: both ends and evenly spaced ones between. */
export const RATED_FRONT_POINTS = 8;

/**
 * The front of `searchModel`, rated on the user's data: the uniform widths, points along the
 * front, and seed 004's PPSO over per-layer bits for the most accurate assignment within an energy
 * budget (one particle starts at the best uniform assignment within it, so the answer is never
 * worse than the uniform one; the rest search around the widest uniform level the budget allows).
 */
export async function rateModelSearch(s: ModelSearch & DataRating): Promise<ModelSearchOutcome & { readonly rating: ModelRating }> {
  const { accuracyRater, loadModelData } = await import('./model-accuracy.ts');
  const data = loadModelData(s.data);
  // The model is imported once: its graph for the front and the energies, its kernels for the proxy and the quantized runs.
  const imported = searchableModel(s.file);
  const outcome = searchGraph(imported.graph, s.choices, s.preset, imported.kernels, undefined, s.objective);
  const { layers } = outcome;
  const rater = await accuracyRater(s.file, layers, imported.kernels, data);
  const energy = (bits: readonly number[]) => priceGraph(withBits(imported.graph, { perLayer: Object.fromEntries(layers.map((name, l) => [name, { weightBits: bits[l] }])) }), s.preset).energy.total / 1e6;
  const rated = new Map<string, Float64Array>();
  const samples = async (bits: readonly number[]) => {
    const key = bits.join(',');
    if (!rated.has(key)) rated.set(key, await rater.rate(bits));
    return rated.get(key)!;
  };
  const quality = async (bits: readonly number[]) => estimate(await samples(bits)).mean;
  const point = async (bits: readonly number[], energy_uJ: number): Promise<RatedPoint> => {
    const e = estimate(await samples(bits));
    return { bits, energy_uJ, quality: e.mean, ci95: e.halfWidth };
  };
  try {
    const uniform: RatedPoint[] = [];
    for (const b of s.choices) {
      const bits = layers.map(() => b);
      uniform.push(await point(bits, energy(bits)));
    }
    // Sensitivity, one layer at a time: that layer at the lowest width, every other at the highest.
    const lo = Math.min(...s.choices);
    const hi = Math.max(...s.choices);
    const top = await quality(layers.map(() => hi));
    const floor = 1 / data.shape[0];
    const sensitivity = [];
    for (const [l, layer] of layers.entries()) {
      const loss = top - (await quality(layers.map((_, k) => (k === l ? lo : hi))));
      const proxyAtLow = lsqRelativeError(tensorValues(imported.kernels.get(layer)!), lo);
      sensitivity.push({ layer, loss, weight: Math.max(loss, floor) / Math.max(proxyAtLow, 1e-30) });
    }
    // The front again, each layer's proxy weighted by what the data says it costs.
    const weighted = searchGraph(imported.graph, s.choices, s.preset, imported.kernels, sensitivity.map((x) => x.weight), s.objective);
    const n = weighted.front.length;
    const picks = [...new Set(Array.from({ length: Math.min(RATED_FRONT_POINTS, n) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(RATED_FRONT_POINTS, n) - 1))))];
    const front = [];
    for (const i of picks) {
      const p = weighted.front[i];
      front.push({ ...(await point(p.bits, p.energy_uJ)), noiseProxy: p.noiseProxy });
    }
    let budget: ModelRating['budget'];
    if (s.budget_uJ !== undefined) {
      const within = uniform.filter((u) => u.energy_uJ <= s.budget_uJ!);
      const bestUniform = within.length > 0 ? within.reduce((a, b) => (b.quality > a.quality ? b : a)) : null;
      let pso: (RatedPoint & { ratings: number }) | null = null;
      if (bestUniform) {
        const levels = s.choices.length;
        const before = rated.size;
        const r = await psoRun(layers.length, levels, { cost: (x) => energy(x.map((c) => s.choices[c])), quality: (x) => quality(x.map((c) => s.choices[c])) }, { kind: 'max-quality', budget: s.budget_uJ }, {
          algorithm: 'ppso',
          particles: 10,
          iterations: 25,
          seed: s.seed,
          maxEvaluations: s.maxEvaluations ?? 120,
          greedyStart: true,
          skipInfeasibleRatings: true,
          starts: [bestUniform.bits.map((b) => s.choices.indexOf(b))],
        });
        if (r.best && r.bestEvaluation && r.bestEvaluation.cost <= s.budget_uJ) pso = { ...(await point(r.best.map((c) => s.choices[c]), r.bestEvaluation.cost)), ratings: rated.size - before };
      }
      const d = pso && bestUniform ? pairedDifference(await samples(pso.bits), await samples(bestUniform.bits)) : null;
      const difference = d ? { mean: d.mean, ci95: d.halfWidth, reads: verdictOf(d) } : null;
      const verdict = !bestUniform
        ? `no assignment fits ${s.budget_uJ} µJ: the cheapest, every layer at ${Math.min(...s.choices)} bits, costs ${Math.min(...uniform.map((u) => u.energy_uJ)).toPrecision(4)} µJ`
        : !pso || !difference
          ? `PPSO found nothing within ${s.budget_uJ} µJ beyond the best uniform assignment`
          : difference.reads === 'higher'
            ? `PPSO's assignment is more accurate than the best uniform one within ${s.budget_uJ} µJ beyond noise (paired difference ${formatEstimate(d!)})`
            : difference.reads === 'equal within noise'
              ? `PPSO's assignment and the best uniform one within ${s.budget_uJ} µJ are equal within noise (paired difference ${formatEstimate(d!)}); PPSO's costs ${pso.energy_uJ.toPrecision(4)} µJ against ${bestUniform.energy_uJ.toPrecision(4)}`
              : `PPSO's assignment is less accurate than the best uniform one (paired difference ${formatEstimate(d!)})`;
      budget = { budget_uJ: s.budget_uJ, bestUniform, pso, difference, verdict };
    }
    return { ...outcome, rating: { metric: rater.metric, uniform, sensitivity, front, ...(budget ? { budget } : {}) } };
  } finally {
    await rater.close();
  }
}
