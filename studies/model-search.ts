/**
 * `codesign search --model FILE`: an energy-only space — every per-layer weight-bit assignment
 * of an imported model from the given choices, priced with the closed form. Without a quality
 * measure the trade-off is energy against the precision kept (weight bits stored): the front
 * lists, for each energy, the assignment keeping the most weight bits — the short list a user
 * takes to their own accuracy evaluation.
 *
 * An op's energy depends only on its own precision and each op follows its quantized layer, so
 * the energy of an assignment is a constant plus one term per layer: the space is priced once per
 * (layer, choice) and enumerated with additions.
 */
import { InputError } from '../core/errors.ts';
import { layerIndexOf, quantizedLayers, withBits } from '../nets/layers.ts';
import type { Graph } from '../nets/graph.ts';
import { priceGraph } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { modelGraph } from './workload.ts';

/** Assignments one search may enumerate (a few additions each). */
export const MAX_MODEL_POINTS = 4_000_000;

export interface ModelSearch {
  readonly file: string;
  readonly choices: readonly number[];
  readonly preset: HardwarePreset;
}

export interface ModelPoint {
  readonly bits: readonly number[];
  /** Per inference, closed form, µJ. */
  readonly energy_uJ: number;
  readonly weight_kB: number;
}

export interface ModelSearchOutcome {
  readonly graph: string;
  readonly layers: readonly string[];
  readonly points: number;
  readonly front: readonly ModelPoint[];
}

export function searchModel(s: ModelSearch): ModelSearchOutcome {
  const imported = modelGraph(s.file);
  if (imported.declaresBits) throw new InputError('model', s.file, 'allowed: a model without declared bits (QDQ, QLinear or codesign metadata fix its widths: there is no space to search)');
  return searchGraph(imported.graph, s.choices, s.preset);
}

export function searchGraph(graph: Graph, choices: readonly number[], preset: HardwarePreset): ModelSearchOutcome {
  const layers = quantizedLayers(graph);
  if (layers.length === 0) throw new InputError('model', graph.name, 'allowed: a model with conv or dense layers (nothing to quantize)');
  const points = Math.pow(choices.length, layers.length);
  if (points > MAX_MODEL_POINTS) {
    throw new InputError('choices', choices.join(','), `allowed: at most ${MAX_MODEL_POINTS.toLocaleString('en-US')} assignments; ${choices.length}^${layers.length} layers = ${points.toExponential(2)} (fewer choices)`);
  }
  const layerOf = layerIndexOf(graph);
  // energy[l][c] and weight bits[l][c]; ops outside any layer add a constant.
  const energy = layers.map(() => new Float64Array(choices.length));
  const memory = layers.map(() => new Float64Array(choices.length));
  let constant = 0;
  choices.forEach((bits, c) => {
    const report = priceGraph(withBits(graph, { weights: [bits] }), preset);
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
  // Every assignment, by mixed-radix counting.
  const L = layers.length;
  const digit = new Int32Array(L);
  const all: { e: number; m: number; code: number }[] = [];
  for (let code = 0; code < points; code++) {
    let e = constant;
    let m = 0;
    for (let l = 0; l < L; l++) {
      e += energy[l][digit[l]];
      m += memory[l][digit[l]];
    }
    all.push({ e, m, code });
    for (let l = L - 1; l >= 0; l--) {
      if (++digit[l] < choices.length) break;
      digit[l] = 0;
    }
  }
  // The front: by energy, each point keeping more weight bits than every cheaper one.
  all.sort((a, b) => a.e - b.e || b.m - a.m);
  const front: ModelPoint[] = [];
  let best = -1;
  for (const p of all) {
    if (p.m <= best) continue;
    best = p.m;
    const bits = new Array<number>(L);
    let code = p.code;
    for (let l = L - 1; l >= 0; l--) {
      bits[l] = choices[code % choices.length];
      code = Math.floor(code / choices.length);
    }
    front.push({ bits, energy_uJ: p.e / 1e6, weight_kB: p.m / 8 / 1024 });
  }
  return { graph: graph.name, layers, points, front };
}
