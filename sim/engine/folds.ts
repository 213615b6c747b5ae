/**
 * SCALE-Sim's mapping of a GEMM (M × K times K × N) onto an R × C array, one place for the
 * engine, the demand streams and the demand lines: Sr × Sc output-side tiles over the array, T
 * streamed through it, folds column-outer row-inner (fold j is row fold j mod rowFold of column
 * fold ⌊j / rowFold⌋), the last of each possibly narrower.
 */
import type { Dataflow } from './config.ts';

/** (Sr, Sc, T): OS keeps outputs (M × N) on the array, WS weights (K × N), IS inputs (K × M). */
export function mapping(dataflow: Dataflow, M: number, N: number, K: number): { readonly Sr: number; readonly Sc: number; readonly T: number } {
  if (dataflow === 'os') return { Sr: M, Sc: N, T: K };
  if (dataflow === 'ws') return { Sr: K, Sc: N, T: M };
  return { Sr: K, Sc: M, T: N };
}

export interface FoldGeometry {
  readonly Sr: number;
  readonly Sc: number;
  readonly T: number;
  readonly rowFold: number;
  readonly colFold: number;
  /** Array rows (columns) row fold fr (column fold fc) uses. */
  rowsUsed(fr: number): number;
  colsUsed(fc: number): number;
}

export function foldGeometry(dataflow: Dataflow, M: number, N: number, K: number, R: number, C: number): FoldGeometry {
  const { Sr, Sc, T } = mapping(dataflow, M, N, K);
  return { Sr, Sc, T, rowFold: Math.ceil(Sr / R), colFold: Math.ceil(Sc / C), rowsUsed: (fr) => Math.min(R, Sr - fr * R), colsUsed: (fc) => Math.min(C, Sc - fc * C) };
}
