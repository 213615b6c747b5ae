/**
 * The default memory model: buffers that stream. SCALE-Sim's scratchpads (scratchpad.ts) move
 * half-buffer blocks of a fixed fetch order and write every partial sum back, so a batch-1 dense
 * layer on horowitz-45nm reads its 1 M weights 4.5 times and writes 64 partial sums per output.
 * A real double-buffered scratchpad fed by a DMA engine that knows the schedule does neither:
 *
 * Read buffers (ifmap, filter). Elements are fetched in the order the array first asks for them
 * and kept first-in first-out: the buffer holds the last S elements fetched, S its capacity in
 * elements. An element asked for again while resident is a hit; one that was evicted is fetched
 * again (a refetch, counted by cause: its reuse lies farther apart than the buffer holds). The
 * channel moves `bandwidth` elements per cycle, back to back, and runs ahead of the array as far
 * as the buffer has room: fetch m may start once the element it replaces (fetch m − S) has had its
 * last use so far. The array waits for elements that have not landed.
 *
 * Output buffer. A partial sum for an output already on chip accumulates there (no traffic). A
 * final output (OS: every fold; WS/IS: the last row fold) is written back once over the output
 * channel and frees its slot when the write completes. When the buffer is full the array waits
 * for pending writes; only when every slot holds a live partial sum is the oldest one written out
 * (a spill: queued on the channel, its slot free at once), to be read back when its next partial
 * sum arrives (the array waits for that read).
 *
 * Time is counted in channel slots (1/bandwidth cycle each), so every quantity is an integer.
 */
import type { DemandStream, FoldListener, ScratchpadRun, ScratchpadSizes } from './scratchpad.ts';

class StreamReadBuffer {
  /** Fetch number (1-based) of each address's latest copy; 0 = never fetched. */
  private readonly lastFetch: Int32Array;
  /** Per buffer slot (fetch m in slot m mod S): the cycle it lands, and the cycle of its latest use. */
  private readonly landsAt: Float64Array;
  private readonly usedAt: Float64Array;
  private fetched = 0;
  /** Elements moved (a packed vector counts its real elements). */
  moved = 0;
  /** The channel's next free slot, in 1/bandwidth-cycle units. */
  private channel = 0;
  refetches = 0;

  constructor(
    addresses: number,
    private readonly size: number,
    private readonly bandwidth: number,
    /** Elements (channel slots, 1/bandwidth cycle each) each address stands for; 1 when null. */
    private readonly costs: Uint8Array | null,
    /** The cycle the op starts: nothing is fetched before it (ops do not overlap). */
    start: number,
  ) {
    this.lastFetch = new Int32Array(addresses);
    this.landsAt = new Float64Array(size);
    this.usedAt = new Float64Array(size).fill(-1);
    this.channel = start * bandwidth;
  }

  get reads(): number {
    return this.moved;
  }

  /** Serves one cycle's demands (width entries from `at`, −1 = none) at `cycle`; returns the stall. */
  serve(demand: Int32Array, at: number, width: number, cycle: number): number {
    const S = this.size;
    let ready = cycle;
    for (let k = at; k < at + width; k++) {
      const a = demand[k];
      if (a < 0) continue;
      let m = this.lastFetch[a];
      if (m === 0 || m <= this.fetched - S) {
        const cost = this.costs === null ? 1 : this.costs[a];
        if (m !== 0) this.refetches += cost;
        this.moved += cost;
        m = ++this.fetched;
        const slot = m % S;
        // The slot is free once the element it held (fetch m − S) has had its last use so far.
        const free = (this.usedAt[slot] + 1) * this.bandwidth;
        const begin = this.channel > free ? this.channel : free;
        this.channel = begin + cost;
        this.landsAt[slot] = Math.ceil(this.channel / this.bandwidth);
        this.lastFetch[a] = m;
      }
      const lands = this.landsAt[m % S];
      if (lands > ready) ready = lands;
    }
    return ready - cycle;
  }

  /** Records that this cycle's demands were used at `when` (the cycle the array ran them, stalls included). */
  use(demand: Int32Array, at: number, width: number, when: number): void {
    const S = this.size;
    for (let k = at; k < at + width; k++) {
      const a = demand[k];
      if (a >= 0) this.usedAt[this.lastFetch[a] % S] = when;
    }
  }
}

class AccumulatingWriteBuffer {
  /** 1 while an output's partial sum is on chip; `spilled` marks one written out unfinished. */
  private readonly live: Uint8Array;
  private readonly spilled: Uint8Array;
  /** Live outputs in first-touch order (a ring; entries that went final are dropped lazily). */
  private order: Int32Array;
  private head = 0;
  private tail = 0;
  private liveCount = 0;
  /** Completion cycles of writes not yet known to be done (nondecreasing: one channel). */
  private readonly pending: Float64Array;
  private pendingHead = 0;
  private pendingTail = 0;
  private channel: number;
  writes = 0;
  reads = 0;
  spills = 0;

  constructor(
    addresses: number,
    private readonly size: number,
    private readonly bandwidth: number,
    start: number,
  ) {
    this.live = new Uint8Array(addresses);
    this.spilled = new Uint8Array(addresses);
    this.order = new Int32Array(2 * size + 2);
    this.pending = new Float64Array(size + 1);
    this.channel = start * bandwidth;
  }

  private push(o: number): void {
    const n = this.order.length;
    if ((this.tail + 1) % n === this.head) {
      // Full of entries that went final: keep the live ones, in order (at most `size`).
      const kept = new Int32Array(n);
      let k = 0;
      for (let i = this.head; i !== this.tail; i = (i + 1) % n) if (this.live[this.order[i]] === 1) kept[k++] = this.order[i];
      this.order = kept;
      this.head = 0;
      this.tail = k;
    }
    this.order[this.tail] = o;
    this.tail = (this.tail + 1) % n;
  }

  private get occupied(): number {
    return this.liveCount + (this.pendingTail - this.pendingHead + this.pending.length) % this.pending.length;
  }

  /** Queues one element on the output channel at `now`; returns the cycle it is done. */
  private transfer(now: number): number {
    const begin = Math.max(this.channel, now * this.bandwidth);
    this.channel = begin + 1;
    return Math.ceil(this.channel / this.bandwidth);
  }

  private writeBack(now: number): void {
    this.pending[this.pendingTail] = this.transfer(now);
    this.pendingTail = (this.pendingTail + 1) % this.pending.length;
    this.writes++;
  }

  /** Makes room for one more output at `now`; returns the cycle the array can go on. */
  private room(now: number): number {
    const n = this.pending.length;
    for (;;) {
      while (this.pendingHead !== this.pendingTail && this.pending[this.pendingHead] <= now) this.pendingHead = (this.pendingHead + 1) % n;
      if (this.occupied < this.size) return now;
      if (this.pendingHead !== this.pendingTail) {
        now = this.pending[this.pendingHead]; // wait for the oldest write
        continue;
      }
      // Every slot holds a live partial sum: spill the oldest.
      let o = this.order[this.head];
      while (this.live[o] === 0) {
        this.head = (this.head + 1) % this.order.length;
        o = this.order[this.head];
      }
      this.head = (this.head + 1) % this.order.length;
      this.live[o] = 0;
      this.spilled[o] = 1;
      this.liveCount--;
      this.spills++;
      // The spilled sum leaves through the channel's queue; its slot is free at once.
      this.transfer(now);
      this.writes++;
    }
  }

  /** Stores one cycle's outputs (C entries from `at`, −1 = none) at `cycle`; returns the stall. */
  serve(output: Int32Array, at: number, width: number, final: boolean, cycle: number): number {
    let now = cycle;
    let ready = cycle;
    for (let k = at; k < at + width; k++) {
      const o = output[k];
      if (o < 0) continue;
      if (this.live[o] === 0) {
        now = this.room(now);
        if (this.spilled[o] === 1) {
          // Its earlier partial sum comes back before this one is added: the cycle ends when it has landed.
          this.spilled[o] = 0;
          this.reads++;
          const back = this.transfer(now);
          if (back > ready) ready = back;
        }
        if (!final) {
          this.live[o] = 1;
          this.liveCount++;
          this.push(o);
        }
      } else if (final) {
        this.live[o] = 0;
        this.liveCount--;
      }
      if (final) this.writeBack(now);
    }
    return Math.max(now, ready) - cycle;
  }

  /** The cycle the last write completes. */
  finish(cycle: number): number {
    return Math.max(cycle, Math.ceil(this.channel / this.bandwidth) - 1);
  }
}

/** A GEMM's demand stream through streaming buffers; the array stalls by the worst of the three. */
export function runStreamBuffers(stream: DemandStream, sizes: ScratchpadSizes, passes: number, onFold?: FoldListener): ScratchpadRun {
  const ifmap = new StreamReadBuffer(stream.ifmapAddresses, sizes.ifmap, sizes.ifmapBandwidth, sizes.ifmapCosts ?? null, 0);
  const filter = new StreamReadBuffer(stream.filterAddresses, sizes.filter, sizes.filterBandwidth, sizes.filterCosts ?? null, 0);
  const output = new AccumulatingWriteBuffer(stream.outputAddresses, sizes.output, sizes.outputBandwidth, 0);
  let stall = 0;
  let line = 0;
  for (let j = 0; j < stream.folds; j++) {
    const d = stream.fold(j);
    const start = line + stall;
    const before = onFold ? [ifmap.reads, filter.reads, output.writes + output.reads] : null;
    const C = d.output.length / d.height;
    for (let l = 0; l < d.height; l++, line += passes) {
      const cycle = line + stall;
      // Operands first: the outputs of this cycle leave once its inputs have landed.
      const sr = Math.max(ifmap.serve(d.ifmap, l * d.ifmapWidth, d.ifmapWidth, cycle), filter.serve(d.filter, l * d.filterWidth, d.filterWidth, cycle));
      const s = d.outputs[l] > 0 ? sr + output.serve(d.output, l * C, C, d.final, cycle + sr) : sr;
      ifmap.use(d.ifmap, l * d.ifmapWidth, d.ifmapWidth, cycle + s);
      filter.use(d.filter, l * d.filterWidth, d.filterWidth, cycle + s);
      stall += s;
    }
    if (onFold && before) onFold(j, start, line + stall, { ifmap: ifmap.reads - before[0], filter: filter.reads - before[1], output: output.writes + output.reads - before[2] });
  }
  // The run ends with the last fold's last cycle, or later if writes are still draining (waiting, counted as stall).
  const arrayDone = line + stall - 1;
  const lastCycle = output.finish(arrayDone);
  return {
    lastCycle,
    stallCycles: stall + lastCycle - arrayDone,
    ifmapReads: ifmap.reads,
    filterReads: filter.reads,
    outputWrites: output.writes,
    outputReads: output.reads,
    overReads: { ifmapRefetches: ifmap.refetches, filterRefetches: filter.refetches, partialSumSpills: output.spills, padding: 0 },
  };
}
