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
  /** The lines of the fold on row fold fr of column fold fc; a stationary operand's are valid until the next call (one buffer, refilled). */
  lines(fr: number, fc: number): DemandLines;
}

/**
 * A streamed operand: `blocks` blocks of `rows` × `width` (block b's first used(b) columns real),
 * fetched in anti-diagonal order over all blocks stacked, bottom row first on each diagonal;
 * entry (b, t, c) is demanded at cycle first + t + c by every fold on block b. On diagonal d a
 * block's entries all belong to its cycle d − b·rows and its real ones come first (c grows as
 * the row falls), so each (block, cycle) is one run of consecutive fetch positions: the walk goes
 * diagonal by diagonal and block by block, not element by element.
 */
function streamed(blocks: number, rows: number, width: number, used: (b: number) => number, first: number, perLine: number, byColumnFold: boolean): OperandLines {
  const total = blocks * rows;
  // Every block's cycle starts and lines in one buffer each (views per block): this runs once per
  // op and operand row, and the first pass of a process runs it unoptimised — so no allocation,
  // call or division per entry where a counter will do.
  const usedOf = new Int32Array(blocks);
  const startAt = new Int32Array(blocks + 1);
  const linesAt = new Int32Array(blocks + 1);
  // A run of at most `width` positions spans at most ⌈width/perLine⌉ + 1 lines.
  const perRun = Math.ceil(width / perLine) + 1;
  let valid = 0;
  for (let b = 0; b < blocks; b++) {
    usedOf[b] = used(b);
    valid += rows * usedOf[b];
    startAt[b + 1] = startAt[b] + rows + usedOf[b];
    linesAt[b + 1] = linesAt[b] + (rows + usedOf[b]) * perRun;
  }
  const startAll = new Int32Array(startAt[blocks]);
  const linesAll = new Int32Array(linesAt[blocks]);
  // Lines written so far per block (an index into linesAll).
  const count = linesAt.slice(0, blocks);
  let v = 0;
  for (let d = 0; d < total + width - 1; d++) {
    const inner = (d - (d % rows)) / rows;
    const last = ((inner + 1) * rows < total ? (inner + 1) * rows : total) - 1;
    if (d - width + 1 >= inner * rows && d <= last) {
      // Diagonals d … last lie inside one block: each one's used(b) real entries are cycle
      // d − b·rows's run, the positions going on from one diagonal to the next — the run's
      // first line and its offset in it counted along.
      const u = usedOf[inner];
      const s0 = startAt[inner];
      const l0 = linesAt[inner];
      let n = count[inner];
      let rem = v % perLine;
      let line = (v - rem) / perLine;
      for (let i = d - inner * rows; d <= last; d++, i++) {
        startAll[s0 + i] = n - l0;
        linesAll[n++] = line;
        for (let extra = rem + u - 1 - perLine, next = line + 1; extra >= 0; extra -= perLine, next++) linesAll[n++] = next;
        startAll[s0 + i + 1] = n - l0;
        rem += u;
        while (rem >= perLine) {
          rem -= perLine;
          line++;
        }
      }
      v = line * perLine + rem;
      count[inner] = n;
      d--; // the loop's d++ moves past the last
      continue;
    }
    const bottom = d - width + 1 > 0 ? d - width + 1 : 0;
    for (let row = d < total - 1 ? d : total - 1; row >= bottom; ) {
      const b = (row - (row % rows)) / rows;
      const segmentBottom = bottom > b * rows ? bottom : b * rows;
      // Rows row … segmentBottom of block b; real while c = d − r < used(b).
      const realBottom = segmentBottom > d - usedOf[b] + 1 ? segmentBottom : d - usedOf[b] + 1;
      const real = row - realBottom + 1;
      if (real > 0) {
        const i = d - b * rows;
        startAll[startAt[b] + i] = count[b] - linesAt[b];
        const to = (v + real - 1 - ((v + real - 1) % perLine)) / perLine;
        for (let line = (v - (v % perLine)) / perLine; line <= to; line++) linesAll[count[b]++] = line;
        startAll[startAt[b] + i + 1] = count[b] - linesAt[b];
        v += real;
      }
      row = segmentBottom - 1;
    }
  }
  // Lines never go back along a block's run: its extent is its first and last.
  const done: DemandLines[] = [];
  for (let b = 0; b < blocks; b++) {
    const lines = linesAll.subarray(linesAt[b], linesAt[b + 1]);
    const n = count[b] - linesAt[b];
    done.push({ first, end: first + rows + usedOf[b] - 1, start: startAll.subarray(startAt[b], startAt[b + 1]), lines, monotone: true, lo: n > 0 ? lines[0] : Infinity, hi: n > 0 ? lines[n - 1] : -Infinity });
  }
  // Block b serves every fold on row fold b (column fold b when `byColumnFold`).
  return { length: total * width, valid, lines: byColumnFold ? (_fr, fc) => done[fc] : (fr) => done[fr] };
}

/**
 * A stationary operand: `blocks` blocks of `rows` × `width` (block b's first used(b) columns
 * real) fetched row by row, block after block. Fold j preloads rows r0 … r0 + ru − 1 of its
 * block, row r0 + r at cycle R − 1 − r (bottom row first): each row's elements are consecutive in
 * the fetch order.
 */
function stationary(blocks: number, rows: number, width: number, used: (b: number) => number, R: number, perLine: number, rowsUsed: (fr: number) => number): OperandLines {
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
    lines: (fr, fc) => {
      // Fold (fr, fc) preloads rows fr·R … of block fc.
      block = fc;
      r0 = fr * R;
      ru = rowsUsed(fr);
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
export interface GemmLines {
  readonly ifmap: OperandLines;
  readonly filter: OperandLines;
  /** Fold j is row fold j mod rowFold of column fold ⌊j / rowFold⌋ (of colFold). */
  readonly rowFold: number;
  readonly colFold: number;
}

export function gemmLines(M: number, N: number, K: number, dataflow: Dataflow, R: number, C: number, perLine: { readonly ifmap: number; readonly filter: number }): GemmLines {
  const { T, rowFold, colFold, rowsUsed, colsUsed } = foldGeometry(dataflow, M, N, K, R, C);
  if (dataflow === 'ws') {
    return { ifmap: streamed(rowFold, T, R, rowsUsed, R, perLine.ifmap, false), filter: stationary(colFold, K, C, colsUsed, R, perLine.filter, rowsUsed), rowFold, colFold };
  }
  if (dataflow === 'os') {
    return { ifmap: streamed(rowFold, T, R, rowsUsed, 0, perLine.ifmap, false), filter: streamed(colFold, T, C, colsUsed, 0, perLine.filter, true), rowFold, colFold };
  }
  return { ifmap: stationary(colFold, K, C, colsUsed, R, perLine.ifmap, rowsUsed), filter: streamed(rowFold, T, R, rowsUsed, R, perLine.filter, false), rowFold, colFold };
}
