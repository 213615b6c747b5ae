/**
 * A fold's demands on SCALE-Sim's read scratchpads as lines of the operand's fetch order (the
 * scratchpad tracks lines, ⌈size/100⌉ elements each, not elements): per cycle the lines its
 * demands fall on, a run of demands on one line kept once — once that line is in the window the
 * rest of the run hits, so serving these lines is serving the elements.
 *
 * Two ways to get them: from a fold's demand addresses and each address's line (any operand whose
 * addresses each sit on one line), or — for a GEMM, whose operands are its matrices — straight
 * from the geometry, never building addresses or fetch orders: a streamed operand's fetch order is
 * SCALE-Sim's anti-diagonal order of its blocks, which is the order the array asks for them, and
 * a stationary one's is its blocks row by row, whose rows the preload asks for one a cycle.
 */
import type { Dataflow } from './config.ts';

/** Cycle first + i's lines are lines[start[i] … start[i + 1]) for cycles in [first, end); no others demand. */
export interface DemandLines {
  readonly first: number;
  readonly end: number;
  readonly start: Int32Array;
  readonly lines: Int32Array;
  /** The lines never go back (a streamed operand in its fetch order): quiet stretches can be found by search. */
  readonly monotone: boolean;
}

function isMonotone(lines: Int32Array): boolean {
  for (let k = 1; k < lines.length; k++) if (lines[k] < lines[k - 1]) return false;
  return true;
}

/** A fold's demand lines from its addresses (`height` cycles of `width`, −1 none, demands in cycles [band)) and each address's line. */
export function linesOfAddresses(demand: Int32Array, band: readonly [number, number], width: number, lineOf: Int32Array): DemandLines {
  const [first, end] = band;
  const start = new Int32Array(end - first + 1);
  const lines = new Int32Array((end - first) * width);
  let n = 0;
  for (let l = first; l < end; l++) {
    start[l - first] = n;
    let previous = -1;
    for (let k = l * width; k < (l + 1) * width; k++) {
      const a = demand[k];
      if (a < 0) continue;
      const line = lineOf[a];
      if (line === previous) continue;
      previous = line;
      lines[n++] = line;
    }
  }
  start[end - first] = n;
  const kept = lines.slice(0, n);
  return { first, end, start, lines: kept, monotone: isMonotone(kept) };
}

/** An operand's fetch order (its length with padding, and its real elements) and each fold's demand lines. */
export interface OperandLines {
  readonly length: number;
  readonly valid: number;
  lines(j: number): DemandLines;
}

/**
 * A streamed operand: `blocks` blocks of `rows` × `width` (block b's first used(b) columns real),
 * fetched in anti-diagonal order over all blocks stacked, bottom row first on each diagonal;
 * entry (b, t, c) is demanded at cycle first + t + c by every fold on block b. One walk of the
 * order gives every block's lines.
 */
function streamed(blocks: number, rows: number, width: number, used: (b: number) => number, first: number, perLine: number, blockOf: (j: number) => number): OperandLines {
  const total = blocks * rows;
  const perBlock: { start: Int32Array; lines: Int32Array; n: number; cycle: number; previous: number }[] = [];
  let valid = 0;
  for (let b = 0; b < blocks; b++) {
    const u = used(b);
    valid += rows * u;
    perBlock.push({ start: new Int32Array(rows + u), lines: new Int32Array(rows * u), n: 0, cycle: -1, previous: -1 });
  }
  const usedOf = Int32Array.from({ length: blocks }, (_, b) => used(b));
  let v = 0;
  for (let d = 0; d < total + width - 1; d++) {
    const top = Math.min(d, total - 1);
    let b = Math.floor(top / rows);
    let t = top - b * rows;
    for (let row = top; row >= Math.max(0, d - width + 1); row--) {
      const c = d - row;
      if (c < usedOf[b]) {
        const line = Math.floor(v++ / perLine);
        const p = perBlock[b];
        const i = t + c; // the cycle's index in the block's band
        if (i !== p.cycle) {
          // Cycles of a block come in order along the walk; close those passed.
          for (let k = p.cycle + 1; k <= i; k++) p.start[k] = p.n;
          p.cycle = i;
          p.previous = -1;
        }
        if (line !== p.previous) {
          p.lines[p.n++] = line;
          p.previous = line;
        }
      }
      if (--t < 0) {
        b--;
        t = rows - 1;
      }
    }
  }
  const done = perBlock.map((p, b): DemandLines => {
    const cycles = rows + usedOf[b] - 1;
    const start = p.start.subarray(0, cycles + 1);
    for (let k = p.cycle + 1; k <= cycles; k++) start[k] = p.n;
    return { first, end: first + cycles, start, lines: p.lines.slice(0, p.n), monotone: true };
  });
  return { length: total * width, valid, lines: (j) => done[blockOf(j)] };
}

/**
 * A stationary operand: `blocks` blocks of `rows` × `width` (block b's first used(b) columns
 * real) fetched row by row, block after block. Fold j preloads rows r0 … r0 + ru − 1 of its
 * block, row r0 + r at cycle R − 1 − r (bottom row first): each row's elements are consecutive in
 * the fetch order.
 */
function stationary(blocks: number, rows: number, width: number, used: (b: number) => number, R: number, perLine: number, fold: (j: number) => { block: number; r0: number; ru: number }): OperandLines {
  const offset = new Float64Array(blocks + 1);
  for (let b = 0; b < blocks; b++) offset[b + 1] = offset[b] + rows * used(b);
  return {
    length: blocks * rows * width,
    valid: offset[blocks],
    lines: (j) => {
      const { block, r0, ru } = fold(j);
      const u = used(block);
      const start = new Int32Array(ru + 1);
      const out: number[] = [];
      for (let i = 0; i < ru; i++) {
        start[i] = out.length;
        const r = ru - 1 - i; // cycle R − ru + i preloads row r0 + r
        const p0 = offset[block] + (r0 + r) * u;
        if (u > 0) for (let line = Math.floor(p0 / perLine); line <= Math.floor((p0 + u - 1) / perLine); line++) out.push(line);
      }
      start[ru] = out.length;
      const lines = Int32Array.from(out);
      return { first: R - ru, end: R, start, lines, monotone: isMonotone(lines) };
    },
  };
}

/**
 * A GEMM's (M × K times K × N) demand lines on an R × C array, folds column-outer row-inner
 * (SCALE-Sim's operand matrices: ifmap M × K, filter K × N), `perLine` elements a line in each
 * operand's scratchpad.
 */
export function gemmLines(M: number, N: number, K: number, dataflow: Dataflow, R: number, C: number, perLine: { readonly ifmap: number; readonly filter: number }): { readonly ifmap: OperandLines; readonly filter: OperandLines } {
  const Sr = dataflow === 'os' ? M : K;
  const Sc = dataflow === 'is' ? M : N;
  const T = dataflow === 'os' ? K : dataflow === 'ws' ? M : N;
  const rowFold = Math.ceil(Sr / R);
  const colFold = Math.ceil(Sc / C);
  const rowsUsed = (fr: number) => Math.min(R, Sr - fr * R);
  const colsUsed = (fc: number) => Math.min(C, Sc - fc * C);
  const fr = (j: number) => j % rowFold;
  const fc = (j: number) => Math.floor(j / rowFold);
  const preload = (j: number) => ({ block: fc(j), r0: fr(j) * R, ru: rowsUsed(fr(j)) });
  if (dataflow === 'ws') {
    return { ifmap: streamed(rowFold, T, R, rowsUsed, R, perLine.ifmap, fr), filter: stationary(colFold, K, C, colsUsed, R, perLine.filter, preload) };
  }
  if (dataflow === 'os') {
    return { ifmap: streamed(rowFold, T, R, rowsUsed, 0, perLine.ifmap, fr), filter: streamed(colFold, T, C, colsUsed, 0, perLine.filter, fc) };
  }
  return { ifmap: stationary(colFold, K, C, colsUsed, R, perLine.ifmap, preload), filter: streamed(rowFold, T, R, rowsUsed, R, perLine.filter, fr) };
}
