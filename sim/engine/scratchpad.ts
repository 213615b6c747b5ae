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

import { runStreamBuffers } from './stream-buffers.ts';

/** A read scratchpad's state. */
class ReadBuffer {
  /** Lines of the fetch order, and which lines hold each address (CSR; one line per address for a GEMM). */
  private readonly lines: number;
  private readonly addressStart: Int32Array;
  private readonly addressLines: Int32Array;
  private readonly activeLines: number;
  private readonly prefetchLines: number;
  private readonly requestsPerPrefetch: number;
  private windowStart = 0;
  private lastPrefetchCycle = 0;
  private started = false;
  accesses = 0;

  constructor(
    /** The fetch order: element addresses, −1 for padding (counted in requests, never stored). */
    fetchOrder: Int32Array,
    addressCount: number,
    sizeElements: number,
    private readonly bandwidth: number,
    private readonly model: MemoryModel,
  ) {
    const active = Math.ceil(sizeElements * 0.5);
    const prefetch = sizeElements - active;
    const perLine = Math.ceil(sizeElements / 100);
    const counts = new Int32Array(addressCount + 1);
    let valid = 0;
    for (let i = 0; i < fetchOrder.length; i++) {
      const a = fetchOrder[i];
      if (a >= 0) {
        counts[a + 1]++;
        valid++;
      }
    }
    for (let a = 0; a < addressCount; a++) counts[a + 1] += counts[a];
    this.addressStart = counts;
    this.addressLines = new Int32Array(valid);
    const fill = counts.slice(0, addressCount);
    let v = 0;
    for (let i = 0; i < fetchOrder.length; i++) {
      const a = fetchOrder[i];
      if (a >= 0) this.addressLines[fill[a]++] = Math.floor(v++ / perLine);
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
    const start = this.addressStart[address];
    const end = this.addressStart[address + 1];
    if (end === start + 1) {
      // One line (every GEMM element): no search.
      const d = this.addressLines[start] - this.windowStart;
      return d < 0 ? d + this.lines : d;
    }
    let nearest = this.lines;
    for (let k = start; k < end; k++) {
      let d = this.addressLines[k] - this.windowStart;
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
    while (d >= this.activeLines) {
      this.windowStart = (this.windowStart + this.prefetchLines) % this.lines;
      d -= this.prefetchLines;
      offset = this.prefetch(cycle, offset);
    }
    return offset;
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
    const n = this.addressStart.length - 1;
    const lineOf = new Int32Array(n);
    for (let a = 0; a < n; a++) {
      const count = this.addressStart[a + 1] - this.addressStart[a];
      if (count !== 1) return null;
      lineOf[a] = this.addressLines[this.addressStart[a]];
    }
    return lineOf;
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

/**
 * One fold's demands of one operand as fetch-order lines, per cycle of its band [first, first +
 * start.length − 1) (CSR: cycle first + i's lines are lines[start[i] … start[i + 1])), a run of
 * demands on one line kept once: once its line is in the window the rest of the run hits, so
 * `serveLines` on these equals `serve` on the addresses.
 */
interface DemandLines {
  readonly first: number;
  readonly end: number;
  readonly start: Int32Array;
  readonly lines: Int32Array;
}

function demandLines(demand: Int32Array, band: readonly [number, number], width: number, lineOf: Int32Array): DemandLines {
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
  return { first, end, start, lines: lines.slice(0, n) };
}

/** The output scratchpad's state: lines are bandwidth wide; `lineFill` holds each stored line's valid count. */
class WriteBuffer {
  private readonly active: number;
  private readonly drainRequests: number;
  private free: number;
  private lineFill: Int32Array = new Int32Array(1024);
  private lineCount = 0;
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

  private pushLine(fill: number): void {
    if (this.lineCount === this.lineFill.length) {
      if (this.drainStart > 0) {
        // Drained lines are never read again: keep the rest at the front.
        this.lineFill.copyWithin(0, this.drainStart, this.lineCount);
        this.lineCount -= this.drainStart;
        this.drainStart = 0;
      } else {
        const grown = new Int32Array(this.lineFill.length * 2);
        grown.set(this.lineFill);
        this.lineFill = grown;
      }
    }
    this.lineFill[this.lineCount++] = fill;
  }

  private flush(): void {
    if (this.partial > 0) this.pushLine(this.partial);
    this.partial = 0;
  }

  /** Drains the next half-buffer of lines from `start`, one line per cycle; returns its last cycle. */
  private drain(start: number): number {
    const end = Math.min(this.drainStart + this.drainRequests, this.lineCount);
    const lines = end - this.drainStart;
    if (lines === 0) return start - 1;
    // SCALE-Sim counts every line as full except the last one's padding (a short line in the
    // middle of a drain, left by an earlier flush, counts as full): kept, to match its counts.
    const moved = lines * this.bandwidth - (this.bandwidth - this.lineFill[end - 1]);
    this.accesses += moved;
    this.free += moved;
    this.drainStart = end;
    return start + lines - 1;
  }

  /** Takes `m` outputs into the buffer, filling bandwidth-wide lines. */
  private take(m: number): void {
    this.free -= m;
    const total = this.partial + m;
    for (let full = Math.floor(total / this.bandwidth); full > 0; full--) this.pushLine(this.bandwidth);
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
  readonly ifmap: Int32Array;
  readonly filter: Int32Array;
  /** Outputs leaving the array each cycle (a count per cycle). */
  readonly outputs: Int32Array;
  /** The same outputs by address, `height` rows of C entries (−1 = none); empty unless asked for. */
  readonly output: Int32Array;
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
  /** Fills and returns fold j's demands (the arrays are reused between calls), only the `parts` asked for (PART_* flags; all by default). */
  fold(j: number, parts?: number): FoldDemand;
  /** What each part of fold j's demands depends on: two folds with equal keys demand the same in that part. */
  keys(j: number): FoldKeys;
  /** The passes the folds form, or null when there is one pass or they do not repeat. */
  readonly passes: PassStructure | null;
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
export function runScratchpads(stream: DemandStream, sizes: ScratchpadSizes, model: MemoryModel, passes: number, onFold?: FoldListener): ScratchpadRun {
  if (model === 'stream') return runStreamBuffers(stream, sizes, passes, onFold);
  const ifmap = new ReadBuffer(stream.ifmapFetchOrder, stream.ifmapAddresses, sizes.ifmap, sizes.ifmapBandwidth, model);
  const filter = new ReadBuffer(stream.filterFetchOrder, stream.filterAddresses, sizes.filter, sizes.filterBandwidth, model);
  const output = new WriteBuffer(sizes.output, sizes.outputBandwidth);
  const ifmapLineOf = ifmap.lineOf();
  const filterLineOf = filter.lineOf();
  // Every address on one line (a GEMM): each fold's demands as lines, kept per key (a streamed
  // operand's repeat every pass) — a cycle then costs one step per line it touches, not per element.
  const byLines = ifmapLineOf !== null && filterLineOf !== null;
  const ifmapLines = new Map<number, DemandLines>();
  const filterLines = new Map<number, DemandLines>();
  let stall = 0;
  let line = 0;
  let lastCycle = 0;
  for (let j = 0; j < stream.folds; j++) {
    const start = line + stall;
    const before = onFold ? [ifmap.accesses, filter.accesses, output.accesses] : null;
    if (byLines) {
      const keys = stream.keys(j);
      const d = stream.fold(j, PART_OUTPUTS);
      let il = ifmapLines.get(keys.ifmap);
      if (!il) ifmapLines.set(keys.ifmap, (il = demandLines(stream.fold(j, PART_IFMAP).ifmap, d.ifmapLines, d.ifmapWidth, ifmapLineOf)));
      let fl = filterLines.get(keys.filter);
      if (!fl) filterLines.set(keys.filter, (fl = demandLines(stream.fold(j, PART_FILTER).filter, d.filterLines, d.filterWidth, filterLineOf)));
      const outputs = d.outputs;
      for (let l = 0; l < d.height; l++, line += passes) {
        const cycle = line + stall;
        // A cycle outside an operand's band demands nothing of it (it still starts the buffer).
        const si = l >= il.first && l < il.end ? ifmap.serveLines(il.lines, il.start[l - il.first], il.start[l - il.first + 1], cycle) : ifmap.serveLines(il.lines, 0, 0, cycle);
        const sf = l >= fl.first && l < fl.end ? filter.serveLines(fl.lines, fl.start[l - fl.first], fl.start[l - fl.first + 1], cycle) : filter.serveLines(fl.lines, 0, 0, cycle);
        const so = output.serve(outputs[l], cycle);
        lastCycle = cycle + so;
        stall += Math.max(si, sf, so);
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
