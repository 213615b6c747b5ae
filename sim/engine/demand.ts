/**
 * What the array asks of its scratchpads, cycle by cycle, in SCALE-Sim v2's order: folds column-
 * outer, row-inner; per fold the stationary operand enters one array row per cycle (WS, IS),
 * the streamed operands enter skewed by one cycle per array column, and outputs leave skewed
 * after the last partial sum. Learned from scale-sim-v2's `scalesim/compute/systolic_compute_
 * {os,ws,is}.py`; the fetch orders are its prefetch matrices (anti-diagonal order where it uses
 * one). Operands are SCALE-Sim's operand matrices: ifmap I (pixels × window), filter F
 * (window × filters), ofmap O (pixels × filters).
 */
import type { Dataflow } from './config.ts';
import { gemmLines } from './demand-lines.ts';
import { foldGeometry } from './folds.ts';
import { ALL_PARTS, PART_FILTER, PART_IFMAP, PART_OUTPUT, PART_OUTPUTS, type DemandStream, type FoldDemand, type FoldKeys, type PassStructure } from './scratchpad.ts';

export interface OperandShape {
  readonly pixels: number;
  readonly window: number;
  readonly filters: number;
  /** I as addresses (pixels × window, row-major), −1 where a window leaves the input. */
  readonly ifmap: Int32Array;
  /** I is the identity (a GEMM's own matrix: every element its own address). */
  readonly gemm?: boolean;
  /** Distinct ifmap addresses (0 … addresses − 1), when known without scanning `ifmap`. */
  readonly addresses?: number;
  /** A convolution's geometry: its addresses computed where they are needed, the table never built for streaming buffers. */
  readonly conv?: ConvGeometry;
}

/** Where a convolution's windows fall: pixel p = (py, px) of an outH × outW output, window entry k = (dy·s + dx)·channels + ch. */
export interface ConvGeometry {
  readonly h: number;
  readonly w: number;
  readonly s: number;
  readonly channels: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly top: number;
  readonly left: number;
  readonly outW: number;
}

/** I(p, k) of a convolution: the input address pixel p's window entry k reads, −1 outside the input (padding). */
function convAddress(g: ConvGeometry, p: number, k: number): number {
  const perRow = g.s * g.channels;
  const dy = (k - (k % perRow)) / perRow;
  const rest = k % perRow;
  const dx = (rest - (rest % g.channels)) / g.channels;
  const y = ((p - (p % g.outW)) / g.outW) * g.strideH - g.top + dy;
  const x = (p % g.outW) * g.strideW - g.left + dx;
  return y >= 0 && y < g.h && x >= 0 && x < g.w ? (y * g.w + x) * g.channels + (rest % g.channels) : -1;
}

/** A GEMM's operands: every element its own address. */
export function gemmOperands(M: number, N: number, K: number): OperandShape {
  let ifmap: Int32Array | null = null;
  return {
    pixels: M,
    window: K,
    filters: N,
    // Built only if asked for: demandStream addresses a GEMM's elements directly.
    get ifmap() {
      if (!ifmap) {
        ifmap = new Int32Array(M * K);
        for (let i = 0; i < ifmap.length; i++) ifmap[i] = i;
      }
      return ifmap;
    },
    gemm: true,
  };
}

/**
 * A convolution's operands as SCALE-Sim addresses them (NHWC input, overlapping windows share
 * addresses). Without `padded`, SCALE-Sim's geometry (no padding, ⌈(H − R + S)/S⌉ outputs); with
 * it, the windows start `top`/`left` before the input and cover the given output size.
 */
export function convOperands(h: number, w: number, r: number, s: number, channels: number, filters: number, strideH: number, strideW: number, padded?: { readonly top: number; readonly left: number; readonly outHeight: number; readonly outWidth: number }): OperandShape {
  const outH = padded ? padded.outHeight : Math.ceil((h - r + strideH) / strideH);
  const outW = padded ? padded.outWidth : Math.ceil((w - s + strideW) / strideW);
  const top = padded ? padded.top : 0;
  const left = padded ? padded.left : 0;
  const window = r * s * channels;
  const pixels = outH * outW;
  // The highest input row and column any window reads (rows and columns fall independently), so the address count without the table.
  let yMax = -1;
  for (let py = 0; py < outH; py++) for (let dy = 0; dy < r; dy++) if (py * strideH - top + dy < h) yMax = Math.max(yMax, py * strideH - top + dy);
  let xMax = -1;
  for (let px = 0; px < outW; px++) for (let dx = 0; dx < s; dx++) if (px * strideW - left + dx < w) xMax = Math.max(xMax, px * strideW - left + dx);
  const addresses = yMax >= 0 && xMax >= 0 ? (yMax * w + xMax) * channels + channels : 0;
  let ifmap: Int32Array | null = null;
  return {
    pixels,
    window,
    filters,
    // Built only if asked for (SCALE-Sim's fetch orders): folds compute their addresses from the geometry.
    get ifmap() {
      if (!ifmap) {
        ifmap = new Int32Array(pixels * window);
        // Window entry k = (dy·s + dx)·channels + ch of pixel p, in that order: no division per entry.
        let k = 0;
        for (let p = 0; p < pixels; p++) {
          const y0 = Math.floor(p / outW) * strideH - top;
          const x0 = (p % outW) * strideW - left;
          for (let dy = 0; dy < r; dy++) {
            const y = y0 + dy;
            for (let dx = 0; dx < s; dx++) {
              const x = x0 + dx;
              const inside = y >= 0 && y < h && x >= 0 && x < w;
              const base = (y * w + x) * channels;
              for (let ch = 0; ch < channels; ch++) ifmap[k++] = inside ? base + ch : -1;
            }
          }
        }
      }
      return ifmap;
    },
    addresses,
    conv: { h, w, s, channels, strideH, strideW, top, left, outW },
  };
}

/** Flattens a rows × cols matrix by anti-diagonals, bottom row first on each (SCALE-Sim's prefetch order). */
function antiDiagonal(m: Int32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows * cols);
  let k = 0;
  for (let d = 0; d < rows + cols; d++) {
    for (let row = Math.min(d, rows - 1); row >= Math.max(0, d - cols + 1); row--) out[k++] = m[row * cols + d - row];
  }
  return out;
}

/** out[to + i·toStep] = I[from + i·fromStep] for i < count, I the ifmap's address table (null: each index its own address, a GEMM). */
function copyStrided(I: Int32Array | null, out: Int32Array, from: number, fromStep: number, to: number, toStep: number, count: number): void {
  if (I) for (let i = 0; i < count; i++, from += fromStep, to += toStep) out[to] = I[from];
  else for (let i = 0; i < count; i++, from += fromStep, to += toStep) out[to] = from;
}

/**
 * A convolution fold's ifmap demands (the same entries copyStrided takes from the address table),
 * computed from its geometry: WS streams window entries r0 + c down the pixels, OS pixels r0 + c
 * along their windows, IS preloads window entries r0 + r of pixels c0 + c.
 */
function convDemands(g: ConvGeometry, out: Int32Array, dataflow: Dataflow, R: number, C: number, T: number, r0: number, ru: number, c0: number, cu: number): void {
  if (dataflow === 'ws') {
    // Each lane's window entry split once; the pixels walked row by row.
    const perRow = g.s * g.channels;
    const dy = new Int32Array(ru);
    const dx = new Int32Array(ru);
    const ch = new Int32Array(ru);
    for (let c = 0; c < ru; c++) {
      const k = r0 + c;
      const rest = k % perRow;
      dy[c] = (k - rest) / perRow;
      dx[c] = (rest - (rest % g.channels)) / g.channels;
      ch[c] = rest % g.channels;
    }
    let px = 0;
    let y0 = -g.top;
    for (let t = 0; t < T; t++) {
      const x0 = px * g.strideW - g.left;
      for (let c = 0, at = (R + t) * R; c < ru; c++, at += R + 1) {
        const y = y0 + dy[c];
        const x = x0 + dx[c];
        out[at] = y >= 0 && y < g.h && x >= 0 && x < g.w ? (y * g.w + x) * g.channels + ch[c] : -1;
      }
      if (++px === g.outW) {
        px = 0;
        y0 += g.strideH;
      }
    }
  } else if (dataflow === 'os') for (let c = 0; c < ru; c++) for (let t = 0; t < T; t++) out[(t + c) * R + c] = convAddress(g, r0 + c, t);
  else for (let r = 0; r < ru; r++) for (let c = 0; c < cu; c++) out[(R - 1 - r) * C + c] = convAddress(g, c0 + c, r0 + r);
}

/** A linear map (block, row, column) → index: b·block + r·row + c·column. */
type Linear = readonly [number, number, number];

/**
 * Stacks `blocks` blocks of `rows` × `width`: entry (b, row, c) for c < used(b) is the address at
 * (p, q) = (P(b, row, c), Q(b, row, c)) of a matrix with `stride` columns — looked up in `table`
 * (the ifmap's addresses) or p·stride + q itself (the filter's); −1 after used(b). Linear maps
 * rather than callbacks keep this loop monomorphic (it runs once per operand element).
 */
function stacked(blocks: number, rows: number, width: number, used: (b: number) => number, P: Linear, Q: Linear, stride: number, table: Int32Array | null): Int32Array {
  const m = new Int32Array(blocks * rows * width).fill(-1);
  for (let b = 0; b < blocks; b++) {
    const u = used(b);
    for (let row = 0; row < rows; row++) {
      const at = (b * rows + row) * width;
      let p = P[0] * b + P[1] * row;
      let q = Q[0] * b + Q[1] * row;
      for (let c = 0; c < u; c++, p += P[2], q += Q[2]) {
        const i = p * stride + q;
        m[at + c] = table ? table[i] : i;
      }
    }
  }
  return m;
}

/**
 * The array's demand stream for one GEMM. With `outputAddresses` each fold also names the output
 * elements it writes per cycle (C wide: at most one per array column) and whether its partial sums
 * are final (OS: always; WS/IS: in the last row fold) — what an accumulating output buffer needs.
 * `keepStreamed` keeps a streamed ifmap's demands per row fold between passes (the streaming
 * buffers' default; false fills every fold afresh, the plain model the tests compare with).
 */
export function demandStream(op: OperandShape, dataflow: Dataflow, R: number, C: number, outputAddresses = false, keepStreamed = outputAddresses): DemandStream {
  const { pixels, window: W, filters: N } = op;
  // A GEMM's element (p, k) is its own address p·W + k: no table. A convolution's table is read
  // only by the fetch orders (and by folds of an operand shape without its geometry).
  const table = (): Int32Array | null => (op.gemm ? null : op.ifmap);
  const geometry = op.gemm ? undefined : op.conv;
  const { Sr, Sc, T, rowFold, colFold, rowsUsed, colsUsed } = foldGeometry(dataflow, pixels, N, W, R, C);
  const fAt = (k: number, n: number) => k * N + n;

  const height = dataflow === 'os' ? T + R + C - 2 : 2 * R + C + T - 2;
  const ifmapWidth = dataflow === 'is' ? C : R;
  const filterWidth = dataflow === 'is' ? R : C;
  const d: FoldDemand = {
    height,
    ifmapWidth,
    filterWidth,
    // Allocated when a part is first filled (a GEMM on SCALE-Sim's scratchpads needs only the counts).
    ifmap: new Int32Array(0),
    filter: new Int32Array(0),
    ifmapLines: [0, 0],
    filterLines: [0, 0],
    outputs: new Int32Array(height),
    output: new Int32Array(0),
    final: true,
  };

  // Fetch orders: I(p, k) is I[p·W + k]; F(k, n) is the address k·N + n. Built when first asked
  // for (SCALE-Sim's scratchpads need them; streaming buffers fetch in demand order).
  const fetchOrders = (): readonly [Int32Array, Int32Array] => {
    const I = table();
    if (dataflow === 'ws') {
      // Blocks of I's columns (row folds): (fr, t, c) → I(t, fr·R + c), anti-diagonal; F by column folds, row-major.
      return [antiDiagonal(stacked(rowFold, T, R, rowsUsed, [0, 1, 0], [R, 0, 1], W, I), rowFold * T, R), stacked(colFold, W, C, colsUsed, [0, 1, 0], [C, 0, 1], N, null)];
    }
    if (dataflow === 'os') return [antiDiagonal(stacked(rowFold, T, R, rowsUsed, [R, 0, 1], [0, 1, 0], W, I), rowFold * T, R), antiDiagonal(stacked(colFold, T, C, colsUsed, [0, 1, 0], [C, 0, 1], N, null), colFold * T, C)];
    return [stacked(colFold, Sr, C, colsUsed, [C, 0, 1], [0, 1, 0], W, I), antiDiagonal(stacked(rowFold, T, R, rowsUsed, [R, 0, 1], [0, 1, 0], N, null), rowFold * T, R)];
  };
  let orders: readonly [Int32Array, Int32Array] | null = null;

  // What each part of fold j's demands depends on (folds with equal keys demand the same): the
  // streamed operand its row fold (IS: the filter), the stationary one the fold (OS's filter its
  // column fold), the output counts the fold's used rows and columns, the output addresses the
  // column fold (OS: the fold).
  const current = { ifmap: 0, filter: 0, outputs: 0, output: 0 };
  const keys = (j: number): FoldKeys => {
    const fc = Math.floor(j / rowFold);
    const fr = j - fc * rowFold;
    // The output counts depend on the used rows only in OS (WS, IS: on the used columns).
    current.outputs = (dataflow === 'os' ? rowsUsed(fr) * (C + 1) : 0) + colsUsed(fc);
    current.ifmap = dataflow === 'is' ? j : fr;
    current.filter = dataflow === 'ws' ? j : dataflow === 'os' ? fc : fr;
    current.output = dataflow === 'os' ? j : fc;
    return current;
  };
  /** The key each part was last filled for (−1: never): a part whose key is unchanged is kept. */
  const filled = { ifmap: -1, filter: -1, outputs: -1, output: -1 };
  // Streaming buffers serve every pass over the row folds until the passes repeat (two or three
  // of them): a streamed ifmap's demands, which depend on the row fold alone, are kept per row
  // fold rather than copied again each pass (about as large as the address table itself).
  const streamedIfmaps: Int32Array[] | null = keepStreamed && dataflow !== 'is' ? [] : null;

  const fold = (j: number, parts: number = ALL_PARTS): FoldDemand => {
    const fc = Math.floor(j / rowFold);
    const fr = j - fc * rowFold;
    const ru = rowsUsed(fr);
    const cu = colsUsed(fc);
    const r0 = fr * R;
    const c0 = fc * C;
    const k = keys(j);
    // A part is filled when asked for and its key changed since it was last filled.
    const want = (part: keyof typeof filled, flag: number) => (parts & flag) !== 0 && filled[part] !== k[part] && ((filled[part] = k[part]), true);
    const keptIfmap = streamedIfmaps?.[fr];
    if (keptIfmap && want('ifmap', PART_IFMAP)) d.ifmap = keptIfmap;
    else if (want('ifmap', PART_IFMAP)) {
      if (d.ifmap.length === 0 || streamedIfmaps !== null) d.ifmap = new Int32Array(height * ifmapWidth);
      d.ifmap.fill(-1);
      if (streamedIfmaps !== null) streamedIfmaps[fr] = d.ifmap;
      // Lane c streams I's column r0 + c (WS) or row r0 + c (OS) down its skewed diagonal; copied
      // in I's row order (this runs once per fold and operand element: no callbacks).
      const out = d.ifmap;
      if (geometry) convDemands(geometry, out, dataflow, R, C, T, r0, ru, c0, cu);
      else if (dataflow === 'ws') for (let t = 0; t < T; t++) copyStrided(table(), out, t * W + r0, 1, (R + t) * R, R + 1, ru);
      else if (dataflow === 'os') for (let c = 0; c < ru; c++) copyStrided(table(), out, (r0 + c) * W, 1, c * R + c, R, T);
      else for (let r = 0; r < ru; r++) copyStrided(table(), out, c0 * W + r0 + r, W, (R - 1 - r) * C, 1, cu);
    }
    if (want('filter', PART_FILTER)) {
      if (d.filter.length === 0) d.filter = new Int32Array(height * filterWidth);
      d.filter.fill(-1);
      // WS: weights preload bottom row first; inputs stream after them, skewed; outputs leave skewed.
      if (dataflow === 'ws') for (let r = 0; r < ru; r++) for (let c = 0; c < cu; c++) d.filter[(R - 1 - r) * C + c] = fAt(r0 + r, c0 + c);
      else if (dataflow === 'os') for (let t = 0; t < T; t++) for (let c = 0; c < cu; c++) d.filter[(t + c) * C + c] = fAt(t, c0 + c);
      else for (let t = 0; t < T; t++) for (let c = 0; c < ru; c++) d.filter[(R + t + c) * R + c] = fAt(r0 + c, t);
    }
    if (want('outputs', PART_OUTPUTS)) {
      d.outputs.fill(0);
      if (dataflow === 'os') for (let r = 0; r < ru; r++) for (let c = 0; c < cu; c++) d.outputs[T - 1 + R - 1 - r + c]++;
      else for (let t = 0; t < T; t++) for (let c = 0; c < cu; c++) d.outputs[2 * R - 1 + t + c]++;
    }
    // Output O(pixel, filter) is the address pixel·N + filter.
    if (outputAddresses && want('output', PART_OUTPUT)) {
      if (d.output.length === 0) d.output = new Int32Array(height * C);
      const out = d.output.fill(-1);
      if (dataflow === 'ws') for (let t = 0; t < T; t++) for (let c = 0; c < cu; c++) out[(2 * R - 1 + t + c) * C + c] = t * N + c0 + c;
      else if (dataflow === 'os') for (let r = 0; r < ru; r++) for (let c = 0; c < cu; c++) out[(T + R - 2 - r + c) * C + c] = (r0 + r) * N + c0 + c;
      else for (let t = 0; t < T; t++) for (let c = 0; c < cu; c++) out[(2 * R - 1 + t + c) * C + c] = (c0 + c) * N + t;
    }
    d.final = dataflow === 'os' || fr === rowFold - 1;
    // The lines that hold demands (the rest are all −1): the stationary operand's preload, the streamed ones' skewed band.
    d.ifmapLines = dataflow === 'os' ? [0, T + ru - 1] : dataflow === 'ws' ? [R, R + T + ru - 1] : [R - ru, R];
    d.filterLines = dataflow === 'os' ? [0, T + cu - 1] : dataflow === 'ws' ? [R - ru, R] : [R, R + T + ru - 1];
    return d;
  };

  let ifmapAddresses = op.gemm ? pixels * W : (op.addresses ?? 0);
  if (!op.gemm && op.addresses === undefined) for (const a of op.ifmap) if (a >= ifmapAddresses) ifmapAddresses = a + 1;
  // Column folds are passes over the row folds. The streamed operand's demands depend on the row
  // fold alone (WS, OS: the ifmap; IS: the filter), so each pass repeats them; the other operand
  // and the outputs are new addresses every pass — except IS's stationary ifmap in a convolution,
  // whose pixels' windows may share inputs (the next pass finds some on chip) or reach into the
  // padding (a pass asks for fewer).
  // A last column fold narrower than the array is not a relabeling of the others.
  const regular = Sc % C === 0 ? colFold : colFold - 1;
  const passes: PassStructure | null = regular > 2 && !(dataflow === 'is' && !op.gemm) ? { folds: rowFold, regular, repeats: dataflow === 'is' ? 'filter' : 'ifmap' } : null;
  return {
    get ifmapFetchOrder() {
      return (orders ??= fetchOrders())[0];
    },
    get filterFetchOrder() {
      return (orders ??= fetchOrders())[1];
    },
    ifmapAddresses,
    filterAddresses: W * N,
    outputAddresses: pixels * N,
    folds: rowFold * colFold,
    fold,
    keys,
    passes,
    ...(op.gemm ? { gemmLines: (perLine: { readonly ifmap: number; readonly filter: number }) => gemmLines(pixels, N, W, dataflow, R, C, perLine) } : {}),
  };
}
