/**
 * SCALE-Sim v2's memory system, rewritten: per operand a double-buffered scratchpad between the
 * MAC array and the backing store (our main memory, SCALE-Sim's DRAM). Learned from the public
 * repository's `scalesim/memory/{read_buffer,write_buffer,double_buffered_scratchpad_mem}.py`
 * (scale-sim-v2 at 22f88b1); docs/engine.md states the rules and where they are unusual.
 *
 * Read buffers (ifmap, filter): the operand's fetch order is cut into ~100 "lines" of
 * ⌈size/100⌉ elements. Half the buffer (the active part) holds a circular window of lines; a
 * demanded element outside it triggers a prefetch that slides the window by the prefetch part's
 * lines and costs ⌈prefetch/bandwidth⌉ bandwidth-wide requests, chained back to back after the
 * previous prefetch (a prefetch's timing depends only on how many came before it). The array
 * waits until the last prefetch it needed has landed.
 * Write buffer (ofmap): outputs fill bandwidth-wide lines; when the free space falls below the
 * active half, the oldest half-buffer's worth of lines drains at one line per cycle, and the
 * array waits if the buffer is full while a drain is still running.
 *
 * Counts are in elements (SCALE-Sim's one-byte words); the engine converts bits before it calls.
 */

import { linesOfAddresses, type DemandLines, type GemmLines } from './demand-lines.ts';
import { runStreamBuffers } from './stream-buffers.ts';

/** A read scratchpad's state. */
class ReadBuffer {
  /** Lines of the fetch order, and the line of each address (−1: none) — or, when some address is on several lines (a convolution's shared inputs), which lines hold each (CSR). */
  private readonly lines: number;
  private readonly single: Int32Array | null;
  private readonly addressStart: Int32Array | null = null;
  private readonly addressLines: Int32Array | null = null;
  /** Every address is on exactly one line. */
  private readonly everyOnce: boolean;
  private readonly activeLines: number;
  private readonly prefetchLines: number;
  private readonly requestsPerPrefetch: number;
  private windowStart = 0;
  private lastPrefetchCycle = 0;
  private started = false;
  accesses = 0;

  constructor(
    /** The fetch order: element addresses, −1 for padding (counted in requests, never stored) — or only its length and real elements, when demands come as lines (serveLines). */
    fetchOrder: Int32Array | { readonly length: number; readonly valid: number },
    addressCount: number,
    sizeElements: number,
    private readonly bandwidth: number,
    private readonly model: MemoryModel,
  ) {
    const active = Math.ceil(sizeElements * 0.5);
    const prefetch = sizeElements - active;
    const perLine = Math.ceil(sizeElements / 100);
    const order = fetchOrder instanceof Int32Array ? fetchOrder : null;
    let single: Int32Array | null = order ? new Int32Array(addressCount).fill(-1) : null;
    let valid = order ? 0 : (fetchOrder as { readonly valid: number }).valid;
    for (let i = 0; order && i < order.length; i++) {
      const a = order[i];
      if (a < 0) continue;
      if (single !== null && single[a] >= 0) single = null; // on two lines
      if (single !== null) single[a] = Math.floor(valid / perLine);
      valid++;
    }
    this.single = single;
    this.everyOnce = single !== null && valid === addressCount;
    if (order && single === null) {
      const counts = new Int32Array(addressCount + 1);
      for (let i = 0; i < order.length; i++) if (order[i] >= 0) counts[order[i] + 1]++;
      for (let a = 0; a < addressCount; a++) counts[a + 1] += counts[a];
      this.addressStart = counts;
      this.addressLines = new Int32Array(valid);
      const fill = counts.slice(0, addressCount);
      let v = 0;
      for (let i = 0; i < order.length; i++) {
        const a = order[i];
        if (a >= 0) this.addressLines[fill[a]++] = Math.floor(v++ / perLine);
      }
    }
    // A final, possibly empty line closes the last set (SCALE-Sim's hashed buffer does the same).
    this.lines = Math.floor(valid / perLine) + 1;
    this.activeLines = Math.min(Math.ceil(active / perLine), this.lines);
    this.prefetchLines = Math.min(Math.ceil(prefetch / perLine), this.lines - this.activeLines);
    this.requestsPerPrefetch = Math.ceil(prefetch / bandwidth);
    this.prefetchActive = Math.min(Math.ceil(active / bandwidth), Math.ceil(fetchOrder.length / bandwidth));
  }

  private readonly prefetchActive: number;

  /** Lines from the window's start forward to the nearest line holding `address` (< activeLines: a hit). */
  private distance(address: number): number {
    if (this.single !== null) {
      // At most one line (every GEMM element): no search.
      const line = this.single[address];
      if (line < 0) return this.lines;
      const d = line - this.windowStart;
      return d < 0 ? d + this.lines : d;
    }
    const starts = this.addressStart!;
    const lines = this.addressLines!;
    const start = starts[address];
    const end = starts[address + 1];
    if (end === start + 1) {
      const d = lines[start] - this.windowStart;
      return d < 0 ? d + this.lines : d;
    }
    let nearest = this.lines;
    for (let k = start; k < end; k++) {
      let d = lines[k] - this.windowStart;
      if (d < 0) d += this.lines;
      if (d < nearest) nearest = d;
    }
    return nearest;
  }

  private prefetch(cycle: number, offset: number): number {
    this.accesses += this.requestsPerPrefetch * this.bandwidth;
    this.lastPrefetchCycle += this.requestsPerPrefetch + 1;
    return this.lastPrefetchCycle > cycle + offset ? this.lastPrefetchCycle - cycle : offset;
  }

  private start(cycle: number): void {
    // The active half is filled before the first demand: requests end the cycle before it.
    this.started = true;
    this.accesses += this.prefetchActive * this.bandwidth;
    this.lastPrefetchCycle = cycle - 1;
  }

  /** A demand `d` lines past the window's start, outside the active part: prefetches until it is in; returns the new offset. */
  private miss(d: number, cycle: number, offset: number): number {
    if (this.model === 'refetch' && d >= this.activeLines + this.prefetchLines) {
      // Not in the next prefetch: fetch from the missed line on, in one prefetch, rather than
      // stream the operand's whole fetch order round to it (SCALE-Sim, for data just evicted).
      const line = (this.windowStart + d) % this.lines;
      this.windowStart = line - (line % this.prefetchLines);
      return this.prefetch(cycle, offset);
    }
    // Slide the window a prefetch at a time until the line is in it: k prefetches, back to back.
    const k = Math.ceil((d - this.activeLines + 1) / this.prefetchLines);
    this.windowStart = (this.windowStart + k * this.prefetchLines) % this.lines;
    this.accesses += k * this.requestsPerPrefetch * this.bandwidth;
    this.lastPrefetchCycle += k * (this.requestsPerPrefetch + 1);
    return this.lastPrefetchCycle > cycle + offset ? this.lastPrefetchCycle - cycle : offset;
  }

  /** Serves one cycle's demands (width entries from `at`, −1 = none) at `cycle`; returns the stall. */
  serve(demand: Int32Array, at: number, width: number, cycle: number): number {
    if (!this.started) this.start(cycle);
    let offset = 1; // hit latency
    for (let k = at; k < at + width; k++) {
      const a = demand[k];
      if (a < 0) continue;
      const d = this.distance(a);
      if (d >= this.activeLines) offset = this.miss(d, cycle, offset);
    }
    return offset - 1;
  }

  /**
   * Each address's one line of the fetch order, or null when some address has several (a
   * convolution's shared inputs: which copy is nearest depends on the window) or none.
   */
  lineOf(): Int32Array | null {
    return this.everyOnce ? this.single : null;
  }

  /** Lines lo … hi all sit in the window (a demand on any of them hits). */
  holds(lo: number, hi: number): boolean {
    if (lo > hi) return true;
    let d = lo - this.windowStart;
    if (d < 0) d += this.lines;
    return d + (hi - lo) < this.activeLines;
  }

  /**
   * For demands that go on forward from line `last` (in the window: the last one served) without
   * going back: the first line not in the window, which the next miss will be (Infinity: none
   * before the fetch order ends).
   */
  missFrom(last: number): number {
    const end = this.windowStart + this.activeLines;
    if (last >= this.windowStart) return end >= this.lines ? Infinity : end;
    return end - this.lines; // `last` is in the window's part wrapped round to the start
  }

  /** Serves cycle l of a fold's demand lines at `cycle` (a cycle outside the band demands nothing, but still starts the buffer); returns the stall. */
  serveCycle(dl: DemandLines, l: number, cycle: number): number {
    if (l < dl.first || l >= dl.end) return this.serveLines(dl.lines, 0, 0, cycle);
    const start = dl.start;
    return this.serveLines(dl.lines, start[l - dl.first], start[l - dl.first + 1], cycle);
  }

  /** Serves one cycle's demands given by their fetch-order lines (`lines[from … to)`), as `serve` would. */
  serveLines(lines: Int32Array, from: number, to: number, cycle: number): number {
    if (!this.started) this.start(cycle);
    let offset = 1;
    for (let k = from; k < to; k++) {
      let d = lines[k] - this.windowStart;
      if (d < 0) d += this.lines;
      if (d >= this.activeLines) offset = this.miss(d, cycle, offset);
    }
    return offset - 1;
  }
}

/** Fold j's lines of one operand from its addresses, kept by the part's key (a streamed operand's repeat every pass). */
function keptLines(cache: Map<number, DemandLines>, key: number, stream: DemandStream, j: number, part: typeof PART_IFMAP | typeof PART_FILTER, lineOf: Int32Array): DemandLines {
  let lines = cache.get(key);
  if (!lines) {
    const d = stream.fold(j, part);
    lines = part === PART_IFMAP ? linesOfAddresses(d.ifmap, d.ifmapLines, d.ifmapWidth, lineOf) : linesOfAddresses(d.filter, d.filterLines, d.filterWidth, lineOf);
    cache.set(key, lines);
  }
  return lines;
}

/** The last position of `dl`'s lines demanded before cycle `cycle`, or `last` if none is later. */
function lastBefore(dl: DemandLines, cycle: number, last: number): number {
  if (cycle <= dl.first) return last;
  const through = dl.start[Math.min(cycle, dl.end) - dl.first] - 1;
  return through > last ? through : last;
}

/** The first index in [lo, hi) whose value is ≥ x (hi if none) in a nondecreasing array. */
function firstAtLeast(a: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The first cycle from `from` at which an operand's demands may do something (a miss): cycles
 * before it only hit. Outside its band nothing is demanded; when every line the band demands is
 * in the window, nothing it demands misses; when its lines never go back, the next miss is the
 * first line past the window after the last one served (`last`, a position in `lines`; −1: none
 * yet this fold, then after the first if that one hits) — found by search; otherwise every
 * cycle of the band counts.
 */
function quietUntil(dl: DemandLines, buffer: ReadBuffer, last: number, from: number, height: number): number {
  if (from >= dl.end || buffer.holds(dl.lo, dl.hi)) return height;
  const bandFrom = from < dl.first ? dl.first : from;
  if (!dl.monotone) return bandFrom;
  const n = dl.start[dl.end - dl.first];
  if (last < 0) {
    if (n === 0) return height;
    if (!buffer.holds(dl.lines[0], dl.lines[0])) return bandFrom;
    last = 0;
  }
  const x = buffer.missFrom(dl.lines[last]);
  if (x === Infinity) return height;
  const pos = firstAtLeast(dl.lines, last + 1, n, x);
  if (pos === n) return height;
  // The cycle whose demands hold that position: the last band index i with start[i] ≤ pos.
  let lo = bandFrom - dl.first;
  let hi = dl.end - dl.first;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (dl.start[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return dl.first + lo;
}

/** The output scratchpad's state: lines are bandwidth wide, counted, the short ones (a flush's) kept with their fill until drained. */
class WriteBuffer {
  private readonly active: number;
  private readonly drainRequests: number;
  private free: number;
  /**
   * Lines stored so far (bandwidth wide, full unless a flush closed them short) and the short
   * ones not yet drained, in order: a queue of line index and fill.
   */
  private lineCount = 0;
  private shortLines: number[] = [];
  private shortHead = 0;
  private partial = 0;
  private drainStart = 0;
  private drainEnd = 0;
  accesses = 0;

  constructor(
    sizeElements: number,
    private readonly bandwidth: number,
  ) {
    this.active = Math.ceil(sizeElements * 0.5);
    this.drainRequests = Math.ceil((sizeElements - this.active) / bandwidth);
    this.free = sizeElements;
  }

  /** The fill of line i (full unless a flush left it short). */
  private fillOf(i: number): number {
    for (let k = this.shortHead; k < this.shortLines.length; k += 2) {
      if (this.shortLines[k] === i) return this.shortLines[k + 1];
      if (this.shortLines[k] > i) break;
    }
    return this.bandwidth;
  }

  private flush(): void {
    if (this.partial > 0) this.shortLines.push(this.lineCount++, this.partial);
    this.partial = 0;
  }

  /** Drains the next half-buffer of lines from `start`, one line per cycle; returns its last cycle. */
  private drain(start: number): number {
    const end = Math.min(this.drainStart + this.drainRequests, this.lineCount);
    const lines = end - this.drainStart;
    if (lines === 0) return start - 1;
    // SCALE-Sim counts every line as full except the last one's padding (a short line in the
    // middle of a drain, left by an earlier flush, counts as full): kept, to match its counts.
    const moved = lines * this.bandwidth - (this.bandwidth - this.fillOf(end - 1));
    this.accesses += moved;
    this.free += moved;
    this.drainStart = end;
    while (this.shortHead < this.shortLines.length && this.shortLines[this.shortHead] < end) this.shortHead += 2;
    if (this.shortHead > 1024 && 2 * this.shortHead > this.shortLines.length) {
      this.shortLines = this.shortLines.slice(this.shortHead);
      this.shortHead = 0;
    }
    return start + lines - 1;
  }

  /**
   * The first cycle from `from` (at cycle `cycle`, one every `passes`) whose outputs may do
   * something: while a drain runs the buffer filling up (the array waits), otherwise the free
   * space falling below the active half (a drain starts). `cum` holds the fold's outputs before
   * each cycle.
   */
  quietUntil(cum: Int32Array, from: number, height: number, cycle: number, passes: number): number {
    const base = cum[from];
    // No drain running and the rest of the fold leaves the active half free: nothing happens (no search).
    if (cycle >= this.drainEnd && cum[height] - base <= this.free - this.active) return height;
    // Cycles before `idle` run while the drain does.
    const idle = Math.min(height, from + Math.max(0, Math.ceil((this.drainEnd - cycle) / passes)));
    if (idle > from) {
      // The first cycle after whose outputs no room is left.
      const full = firstAtLeast(cum, from + 1, idle + 1, base + this.free) - 1;
      if (full < idle) return full;
    }
    // The first cycle after whose outputs the free space is below the active half.
    return firstAtLeast(cum, idle + 1, height + 1, base + this.free - this.active + 1) - 1;
  }

  /** Takes `m` outputs into the buffer, filling bandwidth-wide lines. */
  take(m: number): void {
    this.free -= m;
    const total = this.partial + m;
    this.lineCount += Math.floor(total / this.bandwidth);
    this.partial = total % this.bandwidth;
  }

  /**
   * Stores `count` outputs at `cycle`; returns the stall. Element by element: while a drain runs
   * the array waits for it once the buffer is full; otherwise a drain starts once the free space
   * falls below the active half. Taken in runs up to the next element that does either.
   */
  serve(count: number, cycle: number): number {
    let now = cycle;
    for (let e = 0; e < count; ) {
      if (now < this.drainEnd) {
        const m = Math.min(count - e, this.free > 0 ? this.free : 1);
        this.take(m);
        e += m;
        if (this.free <= 0) now = this.drainEnd;
      } else {
        const m = Math.min(count - e, this.free >= this.active ? this.free - this.active + 1 : 1);
        this.take(m);
        e += m;
        if (this.free < this.active) {
          this.flush();
          this.drainEnd = this.drain(now);
        }
      }
    }
    return now - cycle;
  }

  /** Writes back whatever is left after the last cycle. */
  finish(cycle: number): void {
    this.flush();
    let t = cycle;
    while (this.drainStart < this.lineCount) {
      this.drainEnd = this.drain(t);
      t = this.drainEnd + 1;
    }
  }
}

/**
 * 'stream' (the default): each operand streams through its buffer in the order the array asks
 * for it, first-in first-out, so an element used once crosses the boundary once; outputs
 * accumulate on chip (sim/engine/stream-buffers.ts).
 * 'scalesim': SCALE-Sim v2's rules exactly — a miss slides the window forward by prefetches
 * until the element is in it, round the whole fetch order if it was just evicted.
 * 'refetch': the same, except that a miss the next prefetch would not cover is served by one
 * prefetch starting at the missed line (docs/engine.md: why, and how much it changes).
 */
export type MemoryModel = 'stream' | 'scalesim' | 'refetch';

export interface ScratchpadSizes {
  /** Capacity of each scratchpad, in elements. */
  readonly ifmap: number;
  readonly filter: number;
  readonly output: number;
  /** Backing-store bandwidth of each, elements per cycle (a positive integer). */
  readonly ifmapBandwidth: number;
  readonly filterBandwidth: number;
  readonly outputBandwidth: number;
  /** Elements each ifmap / filter address stands for: a precision-scalable datapath's packed vectors, moved in that many channel slots (streaming buffers only; 1 each when absent). */
  readonly ifmapCosts?: Uint8Array;
  readonly filterCosts?: Uint8Array;
}

/** One fold's demands: `height` cycles, each with `ifmapWidth` ifmap and `filterWidth` filter addresses and a count of outputs. */
export interface FoldDemand {
  readonly height: number;
  readonly ifmapWidth: number;
  readonly filterWidth: number;
  ifmap: Int32Array;
  filter: Int32Array;
  /** Outputs leaving the array each cycle (a count per cycle). */
  readonly outputs: Int32Array;
  /** The same outputs by address, `height` rows of C entries (−1 = none); empty unless asked for. */
  output: Int32Array;
  /** The fold's partial sums are final (no later fold adds to them). */
  final: boolean;
  /** Lines [first, end) holding ifmap / filter demands; every other line of the operand is −1. */
  ifmapLines: readonly [number, number];
  filterLines: readonly [number, number];
}

/** Parts of a fold's demands (DemandStream.fold fills those asked for). */
export const PART_IFMAP = 1;
export const PART_FILTER = 2;
export const PART_OUTPUTS = 4;
export const PART_OUTPUT = 8;
export const ALL_PARTS = PART_IFMAP | PART_FILTER | PART_OUTPUTS | PART_OUTPUT;

export interface FoldKeys {
  readonly ifmap: number;
  readonly filter: number;
  /** The counts of outputs per line. */
  readonly outputs: number;
  /** The output addresses. */
  readonly output: number;
}

/**
 * Folds come in passes of `folds` consecutive folds; the first `regular` passes are relabelings
 * of one another: the `repeats` operand demands the same addresses in the same lines every pass,
 * the other operand and the outputs demand addresses no earlier pass used (with the same element
 * costs). A pass after them (a narrower last column fold) is not.
 */
export interface PassStructure {
  readonly folds: number;
  readonly regular: number;
  readonly repeats: 'ifmap' | 'filter';
}

export interface DemandStream {
  readonly ifmapFetchOrder: Int32Array;
  readonly filterFetchOrder: Int32Array;
  /** Distinct addresses of each operand (addresses are 0 … count − 1). */
  readonly ifmapAddresses: number;
  readonly filterAddresses: number;
  readonly outputAddresses: number;
  readonly folds: number;
  /** Fills and returns fold j's demands (the arrays are reused or kept between calls: read them, never write), only the `parts` asked for (PART_* flags; all by default). */
  fold(j: number, parts?: number): FoldDemand;
  /** What each part of fold j's demands depends on: two folds with equal keys demand the same in that part (one object, refilled each call). */
  keys(j: number): FoldKeys;
  /** The passes the folds form, or null when there is one pass or they do not repeat. */
  readonly passes: PassStructure | null;
  /** A GEMM's demand lines from its geometry, `perLine` elements a scratchpad line (absent when operands share addresses). */
  readonly gemmLines?: (perLine: { readonly ifmap: number; readonly filter: number }) => GemmLines;
}

export interface ScratchpadRun {
  /** SCALE-Sim's total_cycles: the cycle the last output line is written (an index, not a count). */
  readonly lastCycle: number;
  readonly stallCycles: number;
  readonly ifmapReads: number;
  readonly filterReads: number;
  readonly outputWrites: number;
  /** Main-memory reads of partial sums written out earlier (the stream model; 0 otherwise). */
  readonly outputReads: number;
  /** Reads beyond the first of each element, and partial-sum round trips, by cause (the stream model itemises; others report what they can). */
  readonly overReads: OverReads;
}

/** Traffic beyond "each element crosses once", by cause. */
export interface OverReads {
  /** Elements read again after the buffer evicted them (reuse farther apart than the buffer holds). */
  readonly ifmapRefetches: number;
  readonly filterRefetches: number;
  /** Partial sums written out because the output buffer was full (and read back to finish them). */
  readonly partialSumSpills: number;
  /** Padding, and reads the model's rules make beyond the elements themselves (SCALE-Sim's half-buffer prefetches). */
  readonly padding: number;
}

export const NO_OVER_READS: OverReads = { ifmapRefetches: 0, filterRefetches: 0, partialSumSpills: 0, padding: 0 };

/** Fold j ran from `start` to `end` (cycles, stalls included) and its buffers moved these elements to or from the backing store. */
export type FoldListener = (j: number, start: number, end: number, moved: { readonly ifmap: number; readonly filter: number; readonly output: number }) => void;

/** Serves a layer's demand stream cycle by cycle; the array stalls by the worst of the three buffers. */
/** `passes`: cycles each demand line lasts (a precision-scalable datapath above its one-cycle width; 1 otherwise). */
/**
 * `shortcuts` false serves every demand of every cycle one by one and every pass (the plain
 * model: the shortcuts — lines instead of elements, quiet stretches, repeated passes — must give
 * the same run, which the tests check).
 */
export function runScratchpads(stream: DemandStream, sizes: ScratchpadSizes, model: MemoryModel, passes: number, onFold?: FoldListener, shortcuts = true): ScratchpadRun {
  if (model === 'stream') return runStreamBuffers(stream, sizes, passes, onFold, shortcuts);
  // A GEMM: its demand lines straight from the geometry (no addresses, no fetch orders).
  const gemm = shortcuts && stream.gemmLines ? stream.gemmLines({ ifmap: Math.ceil(sizes.ifmap / 100), filter: Math.ceil(sizes.filter / 100) }) : null;
  const ifmap = new ReadBuffer(gemm ? gemm.ifmap : stream.ifmapFetchOrder, stream.ifmapAddresses, sizes.ifmap, sizes.ifmapBandwidth, model);
  const filter = new ReadBuffer(gemm ? gemm.filter : stream.filterFetchOrder, stream.filterAddresses, sizes.filter, sizes.filterBandwidth, model);
  const output = new WriteBuffer(sizes.output, sizes.outputBandwidth);
  const ifmapLineOf = gemm || !shortcuts ? null : ifmap.lineOf();
  const filterLineOf = gemm || !shortcuts ? null : filter.lineOf();
  // Every address on one line (a GEMM): each fold's demands as lines, kept per key (a streamed
  // operand's repeat every pass) — a cycle then costs one step per line it touches, not per element.
  const byLines = gemm !== null || (ifmapLineOf !== null && filterLineOf !== null);
  const ifmapLines = new Map<number, DemandLines>();
  const filterLines = new Map<number, DemandLines>();
  const outputCounts = new Map<number, Int32Array>();
  let stall = 0;
  let line = 0;
  let lastCycle = 0;
  // A GEMM's fold j is row fold fr of column fold fc (counted along, not divided out).
  let fr = -1;
  let fc = 0;
  for (let j = 0; j < stream.folds; j++) {
    const start = line + stall;
    const before = onFold ? [ifmap.accesses, filter.accesses, output.accesses] : null;
    if (byLines) {
      if (gemm && ++fr === gemm.rowFold) {
        fr = 0;
        fc++;
      }
      const keys = gemm ? null : stream.keys(j);
      const il = gemm ? gemm.ifmap.lines(fr, fc) : keptLines(ifmapLines, keys!.ifmap, stream, j, PART_IFMAP, ifmapLineOf!);
      const fl = gemm ? gemm.filter.lines(fr, fc) : keptLines(filterLines, keys!.filter, stream, j, PART_FILTER, filterLineOf!);
      // A GEMM's output counts differ only on the last row fold and the last column fold (fewer rows or columns used).
      const outputsKey = gemm ? (fr === gemm.rowFold - 1 ? 1 : 0) + (fc === gemm.colFold - 1 ? 2 : 0) : keys!.outputs;
      let cum = outputCounts.get(outputsKey);
      if (!cum) {
        const d = stream.fold(j, PART_OUTPUTS);
        cum = new Int32Array(d.height + 1);
        for (let l = 0; l < d.height; l++) cum[l + 1] = cum[l] + d.outputs[l];
        outputCounts.set(outputsKey, cum);
      }
      const height = cum.length - 1;
      // The last position served in each operand's lines this fold (−1: none yet).
      let ifmapLast = -1;
      let filterLast = -1;
      // A fold that only hits and fills the output buffer (most are): taken whole, as the loop's first step would.
      let l = 0;
      if (j > 0 && height > 0 && ifmap.holds(il.lo, il.hi) && filter.holds(fl.lo, fl.hi) && output.quietUntil(cum, 0, height, line + stall, passes) >= height) {
        output.take(cum[height]);
        lastCycle = line + (height - 1) * passes + stall;
        line += height * passes;
        l = height;
      }
      for (; l < height; ) {
        // Cycles where every demand hits and the outputs only fill the buffer change nothing but
        // the outputs held: taken at once, up to the next cycle that may do something (from the
        // first fold's second cycle on: its first starts the buffers).
        if (j > 0 || l > 0) {
          const quiet = Math.min(quietUntil(il, ifmap, ifmapLast, l, height), quietUntil(fl, filter, filterLast, l, height), output.quietUntil(cum, l, height, line + stall, passes));
          if (quiet > l) {
            output.take(cum[quiet] - cum[l]);
            lastCycle = line + (quiet - l - 1) * passes + stall;
            line += (quiet - l) * passes;
            // The last position skipped is the last served (only lines that never go back use it).
            if (il.monotone) ifmapLast = lastBefore(il, quiet, ifmapLast);
            if (fl.monotone) filterLast = lastBefore(fl, quiet, filterLast);
            l = quiet;
            if (l >= height) break;
          }
        }
        const cycle = line + stall;
        const si = ifmap.serveCycle(il, l, cycle);
        const sf = filter.serveCycle(fl, l, cycle);
        if (il.monotone) ifmapLast = lastBefore(il, l + 1, ifmapLast);
        if (fl.monotone) filterLast = lastBefore(fl, l + 1, filterLast);
        const so = output.serve(cum[l + 1] - cum[l], cycle);
        lastCycle = cycle + so;
        stall += Math.max(si, sf, so);
        line += passes;
        l++;
      }
    } else {
      const d = stream.fold(j);
      for (let l = 0; l < d.height; l++, line += passes) {
        const cycle = line + stall;
        const si = ifmap.serve(d.ifmap, l * d.ifmapWidth, d.ifmapWidth, cycle);
        const sf = filter.serve(d.filter, l * d.filterWidth, d.filterWidth, cycle);
        const so = output.serve(d.outputs[l], cycle);
        lastCycle = cycle + so;
        stall += Math.max(si, sf, so);
      }
    }
    if (onFold && before) onFold(j, start, line + stall, { ifmap: ifmap.accesses - before[0], filter: filter.accesses - before[1], output: output.accesses - before[2] });
  }
  output.finish(lastCycle);
  // SCALE-Sim's buffers move half-buffer blocks: what they read beyond the distinct elements is its rules' doing.
  const distinct = stream.ifmapAddresses + stream.filterAddresses;
  const overReads = { ...NO_OVER_READS, padding: Math.max(0, ifmap.accesses + filter.accesses - distinct) };
  return { lastCycle, stallCycles: stall, ifmapReads: ifmap.accesses, filterReads: filter.accesses, outputWrites: output.accesses, outputReads: 0, overReads };
}
