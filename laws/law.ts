/**
 * A law of the energy model as a value: its name, its statement, which presets it applies to,
 * and a fast-check property over the graphs, presets and p it quantifies over. The vitest suite
 * and `codesign laws` run the same values.
 */
import type fc from 'fast-check';
import type { Graph } from '../nets/graph.ts';
import type { EnergyTerms } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';

export interface PricedGraph {
  readonly ops: readonly { readonly name: string; readonly energy: EnergyTerms }[];
  readonly energy: EnergyTerms;
}

/** An energy model under test: the closed form, or the engine in ideal mode. */
/** `mainMemoryBits`: Infinity prices the paper's way (everything fits); absent, the table's machine decides. */
export type PriceFn = (graph: Graph, preset: HardwarePreset, options: { p?: number; mainMemoryBits?: number }) => PricedGraph;

/** What the laws quantify over: the user's own hardware and network narrow these. */
export interface LawContext {
  readonly price: PriceFn;
  readonly presets: fc.Arbitrary<HardwarePreset>;
  readonly graphs: fc.Arbitrary<Graph>;
  readonly ps: fc.Arbitrary<number | undefined>;
}

export interface Law {
  /** A stable id (`--only NAME`). */
  readonly name: string;
  /** What it guarantees, in a sentence. */
  readonly statement: string;
  readonly group: 'energy' | 'engine';
  /** Why the law does not apply to a preset (it does not promise what the law checks), or undefined. */
  skip?(preset: HardwarePreset): string | undefined;
  /** The property; it returns false (or throws) on a counterexample. */
  property(ctx: LawContext): fc.IProperty<any>;
  /** A counterexample as a person reads it (recomputing, with the context, the numbers that break the law). */
  explain(counterexample: readonly unknown[], ctx: LawContext): string;
}

/** The graph of a counterexample in a few words: its ops with kind, shape and bits. */
export function describeGraph(graph: Graph): string {
  const ops = graph.ops.map((op) => `${op.name} (${op.kind} → [${op.outputShape.join('×')}], ${op.precision.weightBits}/${op.precision.activationBits} bits)`);
  return ops.length <= 8 ? ops.join('; ') : `${ops.slice(0, 8).join('; ')}; … ${ops.length - 8} more`;
}

export function describePreset(preset: HardwarePreset): string {
  const p = `p ${preset.parallelism.rule} ${preset.parallelism.atReference}`;
  if (preset.form === 'absolute') {
    const t = preset.absolute;
    const table = (t.mac ?? t.multiply ?? []).map((x) => `${x.bits}b ${x.pJ} pJ`).join(', ');
    return `${preset.name} (absolute: MAC table ${table}${t.add ? ' + add' : ''}, local ${t.localBuffer.readPJPerBit} pJ/bit, main ${t.mainMemory.readPJPerBit} pJ/bit, off chip ${t.offChip.readPJPerBit} pJ/bit, ${p})`;
  }
  return `${preset.name} (α ${preset.mac.alpha_pJ} pJ, β ${preset.mac.beta}, E_M ${preset.mainMemory.relativeToMac}·E_MAC ${preset.mainMemory.scaling}, E_L ${preset.localBuffer.relativeToMac}·E_MAC ${preset.localBuffer.scaling}, ${p})`;
}
