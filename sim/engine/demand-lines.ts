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
import { foldGeometry } from './folds.ts';

/** Cycle first + i's lines are lines[start[i] … start[i + 1]) for cycles in [first, end); no others demand (entries past start[end − first] are not its). */
export interface DemandLines {
  readonly first: number;
  readonly end: number;
  readonly start: Int32Array;
  readonly lines: Int32Array;
  /** The lines never go back (a streamed operand in its fetch order): quiet stretches can be found by search. */
  readonly monotone: boolean;
  /** The least and greatest line demanded (a band whose lines all sit in the window only hits). */
  readonly lo: number;
  readonly hi: number;
}

function extent(lines: Int32Array, n: number): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    if (lines[k] < lo) lo = lines[k];
    if (lines[k] > hi) hi = lines[k];
  }
  return { lo, hi };
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
  return { first, end, start, lines: kept, monotone: isMonotone(kept), ...extent(kept, n) };
}

/** An operand's fetch order (its length with padding, and its real elements) and each fold's demand lines. */
export interface OperandLines {
  readonly length: number;
  readonly valid: number;
  /** Fold j's lines; a stationary operand's are valid until the next call (one buffer, refilled). */
  lines(j: number): DemandLines;
}

/**
 * A streamed operand: `blocks` blocks of `rows` × `width` (block b's first used(b) columns real),
 * fetched in anti-diagonal order over all blocks stacked, bottom row first on each diagonal;
 * entry (b, t, c) is demanded at cycle first + t + c by every fold on block b. On diagonal d a
 * block's entries all belong to its cycle d − b·rows and its real ones come first (c grows as
 * the row falls), so each (block, cycle) is one run of consecutive fetch positions: the walk goes
 * diagonal by diagonal and block by block, not element by element.
 */
function streamed(blocks: number, rows: number, width: number, used: (b: number) => number, first: number, perLine: number, blockOf: (j: number) => number): OperandLines {
  const total = blocks * rows;
  const usedOf = Int32Array.from({ length: blocks }, (_, b) => used(b));
  const starts: Int32Array[] = [];
  const lines: Int32Array[] = [];
  const count = new Int32Array(blocks);
  let valid = 0;
  for (let b = 0; b < blocks; b++) {
    valid += rows * usedOf[b];
    starts.push(new Int32Array(rows + usedOf[b]));
    // A run of at most `width` positions spans at most ⌈width/perLine⌉ + 1 lines.
    lines.push(new Int32Array((rows + usedOf[b]) * (Math.ceil(width / perLine) + 1)));
  }
  let v = 0;
  for (let d = 0; d < total + width - 1; d++) {
    const inner = Math.floor(d / rows);
    const last = Math.min((inner + 1) * rows, total) - 1;
    if (d - width + 1 >= inner * rows && d <= last) {
      // Diagonals d … last lie inside one block: each one's used(b) real entries are cycle
      // d − b·rows's run, the positions going on from one diagonal to the next.
      const u = usedOf[inner];
      const start = starts[inner];
      const out = lines[inner];
      let n = count[inner];
      for (let i = d - inner * rows; d <= last; d++, i++) {
        start[i] = n;
        const to = Math.floor((v + u - 1) / perLine);
        for (let line = Math.floor(v / perLine); line <= to; line++) out[n++] = line;
        start[i + 1] = n;
        v += u;
      }
      count[inner] = n;
      d--; // the loop's d++ moves past the last
      continue;
    }
    const bottom = Math.max(0, d - width + 1);
    for (let row = Math.min(d, total - 1); row >= bottom; ) {
      const b = Math.floor(row / rows);
      const segmentBottom = Math.max(bottom, b * rows);
      // Rows row … segmentBottom of block b; real while c = d − r < used(b).
      const real = row - Math.max(segmentBottom, d - usedOf[b] + 1) + 1;
      if (real > 0) {
        const i = d - b * rows;
        const start = starts[b];
        const out = lines[b];
        start[i] = count[b];
        for (let line = Math.floor(v / perLine); line <= Math.floor((v + real - 1) / perLine); line++) out[count[b]++] = line;
        start[i + 1] = count[b];
        v += real;
      }
      row = segmentBottom - 1;
    }
  }
  // Lines never go back along a block's run: its extent is its first and last.
  const done = starts.map((start, b): DemandLines => ({ first, end: first + rows + usedOf[b] - 1, start, lines: lines[b], monotone: true, lo: count[b] > 0 ? lines[b][0] : Infinity, hi: count[b] > 0 ? lines[b][count[b] - 1] : -Infinity }));
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
  let widest = 0;
  for (let b = 0; b < blocks; b++) {
    offset[b + 1] = offset[b] + rows * used(b);
    widest = Math.max(widest, used(b));
  }
  // One fold's lines at a time (the caller serves a fold before it asks for the next): one
  // buffer, filled only when a cycle of the preload is served one by one — a preload whose
  // extent sits in the window is skipped whole and needs none.
  const startBuffer = new Int32Array(R + 1);
  const linesBuffer = new Int32Array(R * (Math.ceil(widest / perLine) + 1));
  let block = 0;
  let r0 = 0;
  let ru = 0;
  let filled = true;
  const fill = () => {
    const u = used(block);
    let n = 0;
    for (let i = 0; i < ru; i++) {
      startBuffer[i] = n;
      const r = ru - 1 - i; // cycle R − ru + i preloads row r0 + r
      const p0 = offset[block] + (r0 + r) * u;
      if (u > 0) for (let line = Math.floor(p0 / perLine); line <= Math.floor((p0 + u - 1) / perLine); line++) linesBuffer[n++] = line;
    }
    startBuffer[ru] = n;
    filled = true;
  };
  const folded = {
    first: 0,
    end: R,
    monotone: true,
    lo: 0,
    hi: 0,
    get start() {
      if (!filled) fill();
      return startBuffer;
    },
    get lines() {
      if (!filled) fill();
      return linesBuffer;
    },
  };
  return {
    length: blocks * rows * width,
    valid: offset[blocks],
    lines: (j) => {
      ({ block, r0, ru } = fold(j));
      filled = false;
      const u = used(block);
      // Rows r0 … r0 + ru − 1 are consecutive in the fetch order; the preload asks for the last
      // first, so its lines go back unless they are all one line (or there is one row).
      folded.lo = u > 0 ? Math.floor((offset[block] + r0 * u) / perLine) : Infinity;
      folded.hi = u > 0 ? Math.floor((offset[block] + (r0 + ru) * u - 1) / perLine) : -Infinity;
      folded.monotone = ru === 1 || folded.lo >= folded.hi;
      folded.first = R - ru;
      return folded;
    },
  };
}

/**
 * A GEMM's (M × K times K × N) demand lines on an R × C array, folds column-outer row-inner
 * (SCALE-Sim's operand matrices: ifmap M × K, filter K × N), `perLine` elements a line in each
 * operand's scratchpad.
 */
export function gemmLines(M: number, N: number, K: number, dataflow: Dataflow, R: number, C: number, perLine: { readonly ifmap: number; readonly filter: number }): { readonly ifmap: OperandLines; readonly filter: OperandLines } {
  const { T, rowFold, colFold, rowsUsed, colsUsed } = foldGeometry(dataflow, M, N, K, R, C);
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
