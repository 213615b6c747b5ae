/** The precoder a MIMO dataset trains: the trunk at the asked size and bits, the head scaled to the data. */
import { buildPrecoder } from '../nets/precoder.ts';
import type { PrecoderHead } from '../nets/heads.ts';
import type { Graph } from '../nets/graph.ts';

export interface PrecoderShape {
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly [number, number, number, number];
  readonly head: PrecoderHead;
  /** The unfolded head's WMMSE iterations K (absent for the other heads; 3 when absent for it). */
  readonly iterations?: number;
}

/** The structured head is scaled to the data's power and σ²; the direct head's graph stays the paper's (datasets are normalised to power 1). */
export function precoderGraph(c: PrecoderShape, data: { readonly nt: number; readonly nu: number; readonly power: number; readonly noiseVar: number }): Graph {
  return buildPrecoder({
    cout: c.cout,
    dfcl: c.dfcl,
    nt: data.nt,
    nu: data.nu,
    bits: c.bits,
    head: c.head,
    ...(c.iterations !== undefined ? { iterations: c.iterations } : {}),
    ...(c.head === 'direct' ? {} : { power: data.power, noiseVar: data.noiseVar }),
  });
}
