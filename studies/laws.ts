/**
 * `codesign laws`: the laws of the energy model on a user's hardware description and network
 * (or on random presets and graphs), each a seeded fast-check run with a readable counterexample.
 */
import fc from 'fast-check';
import { quantizedLayers, withBits } from '../nets/layers.ts';
import type { Graph } from '../nets/graph.ts';
import { priceGraph } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { graphArb, pArb, presetArb } from '../laws/arbitraries.ts';
import type { LawContext } from '../laws/law.ts';
import { ALL_LAWS, checkLaw, lawByName, type LawOutcome, type Reproducer } from '../laws/run.ts';
import { SILENT, type Progress } from '../core/progress.ts';

export interface LawsStudy {
  /** A hardware description to check (else the built-in presets and random ones). */
  readonly hardware?: HardwarePreset;
  /** A network (of the registry, or an imported model) to check at random weight bits (else random graphs and precoders). */
  readonly network?: Graph;
  /** Also the engine's laws. */
  readonly engine: boolean;
  readonly runs: number;
  readonly seed: number;
  /** Only these laws. */
  readonly only?: readonly string[];
  /** Replay one failure exactly. */
  readonly replay?: Reproducer;
}

/** A network at random bits per quantized layer (1–16), the rest as built. */
function networkGraphs(graph: Graph) {
  const layers = quantizedLayers(graph).length;
  const choices = Array.from({ length: 16 }, (_, i) => i + 1);
  return fc.array(fc.constantFrom(...choices), { minLength: layers, maxLength: layers }).map((bits) => (layers === 0 ? graph : withBits(graph, { weights: bits })));
}

export function checkLaws(c: LawsStudy, progress: Progress = SILENT): LawOutcome[] {
  const laws = c.replay ? [lawByName(c.replay.law, 'replay')] : (c.only ?? ALL_LAWS.map((l) => l.name)).map((name) => lawByName(name)).filter((l) => c.engine || c.only !== undefined || l.group === 'energy');
  const ctx: LawContext = {
    price: (graph, preset, options) => priceGraph(graph, preset, options),
    presets: c.hardware ? fc.constant(c.hardware) : presetArb,
    graphs: c.network ? networkGraphs(c.network) : graphArb,
    ps: pArb,
  };
  const task = progress.task('laws', laws.length);
  const outcomes = laws.map((law) => {
    const outcome = checkLaw(law, ctx, { runs: c.runs, seed: c.seed, preset: c.hardware, replay: c.replay });
    task.tick(1, law.name);
    return outcome;
  });
  task.end();
  return outcomes;
}
