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

  /** Serves one cycle's demands (width entries from `at`, −1 = none) at `cycle`; returns the stall. */
  serve(demand: Int32Array, at: number, width: number, cycle: number): number {
    if (!this.started) {
      // The active half is filled before the first demand: requests end the cycle before it.
      this.started = true;
      this.accesses += this.prefetchActive * this.bandwidth;
      this.lastPrefetchCycle = cycle - 1;
    }
    let offset = 1; // hit latency
    for (let k = at; k < at + width; k++) {
      const a = demand[k];
      if (a < 0) continue;
      let d = this.distance(a);
      if (d < this.activeLines) continue;
      if (this.model === 'refetch' && d >= this.activeLines + this.prefetchLines) {
        // Not in the next prefetch: fetch from the missed line on, in one prefetch, rather than
        // stream the operand's whole fetch order round to it (SCALE-Sim, for data just evicted).
        const line = (this.windowStart + d) % this.lines;
        this.windowStart = line - (line % this.prefetchLines);
        offset = this.prefetch(cycle, offset);
        continue;
      }
      while (d >= this.activeLines) {
        this.windowStart = (this.windowStart + this.prefetchLines) % this.lines;
        d -= this.prefetchLines;
        offset = this.prefetch(cycle, offset);
      }
    }
    return offset - 1;
  }

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
      const grown = new Int32Array(this.lineFill.length * 2);
      grown.set(this.lineFill);
      this.lineFill = grown;
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

  /** Stores `count` outputs at `cycle`; returns the stall. */
  serve(count: number, cycle: number): number {
    let now = cycle;
    for (let e = 0; e < count; e++) {
      this.free--;
      if (++this.partial === this.bandwidth) {
        this.pushLine(this.bandwidth);
        this.partial = 0;
      }
      if (now < this.drainEnd) {
        if (this.free <= 0) now = this.drainEnd;
      } else if (this.free < this.active) {
        this.flush();
        this.drainEnd = this.drain(now);
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
  /** Fills and returns fold j's demands (the arrays are reused between calls). */
  fold(j: number): FoldDemand;
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
  let stall = 0;
  let line = 0;
  let lastCycle = 0;
  for (let j = 0; j < stream.folds; j++) {
    const d = stream.fold(j);
    const start = line + stall;
    const before = onFold ? [ifmap.accesses, filter.accesses, output.accesses] : null;
    for (let l = 0; l < d.height; l++, line += passes) {
      const cycle = line + stall;
      const si = ifmap.serve(d.ifmap, l * d.ifmapWidth, d.ifmapWidth, cycle);
      const sf = filter.serve(d.filter, l * d.filterWidth, d.filterWidth, cycle);
      const so = output.serve(d.outputs[l], cycle);
      lastCycle = cycle + so;
      stall += Math.max(si, sf, so);
    }
    if (onFold && before) onFold(j, start, line + stall, { ifmap: ifmap.accesses - before[0], filter: filter.accesses - before[1], output: output.accesses - before[2] });
  }
  output.finish(lastCycle);
  // SCALE-Sim's buffers move half-buffer blocks: what they read beyond the distinct elements is its rules' doing.
  const distinct = stream.ifmapAddresses + stream.filterAddresses;
  const overReads = { ...NO_OVER_READS, padding: Math.max(0, ifmap.accesses + filter.accesses - distinct) };
  return { lastCycle, stallCycles: stall, ifmapReads: ifmap.accesses, filterReads: filter.accesses, outputWrites: output.accesses, outputReads: 0, overReads };
}
