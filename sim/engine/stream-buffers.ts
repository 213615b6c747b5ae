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
import type { DemandStream, FoldDemand, FoldListener, ScratchpadRun, ScratchpadSizes } from './scratchpad.ts';

class StreamReadBuffer {
  /** Fetch number (1-based) of each address's latest copy; 0 = never fetched. */
  private readonly lastFetch: Int32Array;
  /**
   * The last fetches, fetch m at ring slot m & mask (the ring is a power of two above S, so the
   * slot of fetch m − S still holds that fetch): the cycle it lands, the cycle of its latest use,
   * and its address.
   */
  private readonly mask: number;
  private landsAt: Float64Array;
  private usedAt: Float64Array;
  private address: Int32Array;
  /** This cycle's demands' ring slots (−1 = none), so `use` need not look them up again. */
  private readonly slots: Int32Array;
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
    width: number,
  ) {
    this.lastFetch = new Int32Array(addresses);
    const ring = 2 ** Math.ceil(Math.log2(size + 1));
    this.mask = ring - 1;
    this.landsAt = new Float64Array(ring);
    this.usedAt = new Float64Array(ring).fill(-1);
    this.address = new Int32Array(ring);
    this.slots = new Int32Array(width);
    this.channel = start * bandwidth;
  }

  get reads(): number {
    return this.moved;
  }

  /** Serves one cycle's demands (width entries from `at`, −1 = none) at `cycle`; returns the stall. */
  serve(demand: Int32Array, at: number, width: number, cycle: number): number {
    const S = this.size;
    const mask = this.mask;
    const bandwidth = this.bandwidth;
    const costs = this.costs;
    const lastFetch = this.lastFetch;
    const landsAt = this.landsAt;
    const slots = this.slots;
    const usedAt = this.usedAt;
    const address = this.address;
    // The hot loop keeps the buffer's counters in locals and stores them back at the end.
    let fetched = this.fetched;
    let channel = this.channel;
    let moved = this.moved;
    let refetches = this.refetches;
    let ready = cycle;
    for (let k = 0; k < width; k++) {
      const a = demand[at + k];
      if (a < 0) {
        slots[k] = -1;
        continue;
      }
      let m = lastFetch[a];
      if (m === 0 || m <= fetched - S) {
        const cost = costs === null ? 1 : costs[a];
        if (m !== 0) refetches += cost;
        moved += cost;
        m = ++fetched;
        // The slot is free once the element it held (fetch m − S) has had its last use so far.
        const free = (usedAt[(m - S) & mask] + 1) * bandwidth;
        channel = (channel > free ? channel : free) + cost;
        landsAt[m & mask] = Math.ceil(channel / bandwidth);
        address[m & mask] = a;
        lastFetch[a] = m;
      }
      const slot = m & mask;
      slots[k] = slot;
      const lands = landsAt[slot];
      if (lands > ready) ready = lands;
    }
    this.fetched = fetched;
    this.channel = channel;
    this.moved = moved;
    this.refetches = refetches;
    return ready - cycle;
  }

  /** Records that the demands `serve` just saw (width of them) were used at `when` (the cycle the array ran them, stalls included). */
  use(width: number, when: number): void {
    const slots = this.slots;
    const usedAt = this.usedAt;
    for (let k = 0; k < width; k++) if (slots[k] >= 0) usedAt[slots[k]] = when;
  }

  /**
   * The state that decides what later demands cost, relative to cycle `base` (a pass's end), for
   * an operand that `repeats` every pass (the same addresses) or not (new ones every pass), having
   * made `fetchedThisPass` fetches in it. Two passes that end in equal states are followed by
   * equal futures, shifted in time. Three encodings, each exact:
   * - Repeating, and idle this pass: whether a demand hits depends on the fetch counts alone, so
   *   the passes that repeat this one fetch nothing either; only when its elements landed can
   *   matter (an idle channel, left ever further behind, does not): the landings and addresses.
   * - Not repeating (one element a channel slot): nothing it holds is ever asked for again, so
   *   only the channel matters, and what its next S fetches see of the ring — fetch k starts at the
   *   channel or when the slot it reuses was last used, whichever is later, whatever the array
   *   asks: the channel after each of those fetches, and a fetch that ends by `base` delays
   *   nothing (every later demand comes at `base` or after), so it counts as 0. After S fetches
   *   the ring holds only what later passes fetched.
   * - Otherwise the channel and, per ring position (the last S fetches, newest first), when its
   *   element lands and when its slot frees, with `addresses` which element it holds. Values that
   *   can no longer matter are clamped: a landing at or before `base` delays nothing later; every
   *   later fetch starts at the channel or at its slot's free time, whichever is later, and no
   *   later free time is below the least of the ring's (or below `base`: later uses come after
   *   it), so the channel counts from there up, and a free time below that channel never decides
   *   a start.
   */
  state(base: number, repeats: boolean, fetchedThisPass: number): Float64Array {
    const bw = this.bandwidth;
    const mask = this.mask;
    if (!repeats && this.costs === null) {
      const out = new Float64Array(1 + this.size);
      out[0] = 2;
      let channel = this.channel - base * bw;
      for (let k = 1; k <= this.size; k++) {
        // As `serve` frees the slot of fetch m − S for fetch m.
        const free = (this.usedAt[(this.fetched + k - this.size) & mask] + 1) * bw - base * bw;
        channel = (channel > free ? channel : free) + 1;
        out[k] = channel > 0 ? channel : 0;
      }
      return out;
    }
    const addresses = repeats;
    if (repeats && fetchedThisPass === 0) {
      const held = Math.min(this.fetched, this.size);
      const out = new Float64Array(2 + 2 * held);
      out[0] = 1;
      out[1] = held;
      for (let k = 0, at = 2; k < held; k++, at += 2) {
        const slot = (this.fetched - k) & mask;
        out[at] = Math.max(this.landsAt[slot] - base, 0);
        out[at + 1] = this.address[slot];
      }
      return out;
    }
    let floor = (base + 1) * bw;
    for (let k = 0; k < this.size; k++) {
      const m = this.fetched - k;
      const free = m < 1 ? 0 : (this.usedAt[m & mask] + 1) * bw;
      if (free < floor) floor = free;
    }
    const channel = Math.max(this.channel, floor);
    const stride = addresses ? 3 : 2;
    // Positions never fetched stay 0, 0 (and address −1).
    const out = new Float64Array(2 + stride * this.size);
    out[1] = channel - base * bw;
    for (let k = 0, at = 2; k < this.size; k++, at += stride) {
      const m = this.fetched - k;
      if (m < 1) {
        if (addresses) out[at + 2] = -1;
        continue;
      }
      const slot = m & mask;
      out[at] = Math.max(this.landsAt[slot] - base, 0);
      out[at + 1] = Math.max((this.usedAt[slot] + 1) * bw - channel, 0);
      if (addresses) out[at + 2] = this.address[slot];
    }
    return out;
  }

  /**
   * Moves the buffer `cycles` later and `fetches` fetches on, as if that many more had been made
   * (passes that repeat this one's traffic: `moved` and `refetches` more).
   */
  advance(cycles: number, fetches: number, moved: number, refetches: number): void {
    const held = Math.min(this.fetched, this.size);
    const landsAt = new Float64Array(this.landsAt.length);
    const usedAt = new Float64Array(this.usedAt.length).fill(-1);
    const address = new Int32Array(this.address.length);
    for (let m = this.fetched; m > this.fetched - held; m--) {
      const from = m & this.mask;
      const to = (m + fetches) & this.mask;
      landsAt[to] = this.landsAt[from] + cycles;
      usedAt[to] = this.usedAt[from] + cycles;
      address[to] = this.address[from];
      this.lastFetch[this.address[from]] = m + fetches;
    }
    this.landsAt = landsAt;
    this.usedAt = usedAt;
    this.address = address;
    this.fetched += fetches;
    this.channel += cycles * this.bandwidth;
    this.moved += moved;
    this.refetches += refetches;
  }

  get fetches(): number {
    return this.fetched;
  }
}

class AccumulatingWriteBuffer {
  /** 1 while an output's partial sum is on chip; `spilled` marks one written out unfinished. */
  private readonly live: Uint8Array;
  private readonly spilled: Uint8Array;
  /** Live outputs in first-touch order (a ring of a power-of-two length; entries that went final are dropped lazily). */
  private order: Int32Array;
  private readonly orderMask: number;
  private head = 0;
  private tail = 0;
  private liveCount = 0;
  /** Completion cycles of writes not yet known to be done (nondecreasing: one channel), a power-of-two ring. */
  private readonly pending: Float64Array;
  private readonly pendingMask: number;
  private pendingHead = 0;
  private pendingTail = 0;
  private pendingCount = 0;
  private channel: number;
  writes = 0;
  reads = 0;
  spills = 0;
  /**
   * Since the fold began: every output touched was off chip (`clean`, no output went final), and
   * how many were — once more than `size` were, the partial sums on chip are the last `size`
   * touched, in touch order.
   */
  private clean = true;
  private touches = 0;

  constructor(
    addresses: number,
    private readonly size: number,
    private readonly bandwidth: number,
    start: number,
  ) {
    this.live = new Uint8Array(addresses);
    this.spilled = new Uint8Array(addresses);
    this.order = new Int32Array(2 ** Math.ceil(Math.log2(2 * size + 2)));
    this.orderMask = this.order.length - 1;
    this.pending = new Float64Array(2 ** Math.ceil(Math.log2(size + 1)));
    this.pendingMask = this.pending.length - 1;
    this.channel = start * bandwidth;
  }

  private push(o: number): void {
    const mask = this.orderMask;
    if (((this.tail + 1) & mask) === this.head) {
      // Full of entries that went final: keep the live ones, in order (at most `size`).
      const kept = new Int32Array(mask + 1);
      let k = 0;
      for (let i = this.head; i !== this.tail; i = (i + 1) & mask) if (this.live[this.order[i]] === 1) kept[k++] = this.order[i];
      this.order = kept;
      this.head = 0;
      this.tail = k;
    }
    this.order[this.tail] = o;
    this.tail = (this.tail + 1) & mask;
  }

  /**
   * Stores one cycle's outputs (C entries from `at`, −1 = none) at `cycle`; returns the stall.
   * Per output: a new partial sum needs a free slot (the array waits for the oldest pending write,
   * or the oldest live partial sum is spilled); one spilled earlier comes back first (the cycle
   * ends when it has landed); a final one is written back. The hot loop keeps the buffer's state
   * in locals and stores it back at the end.
   */
  serve(output: Int32Array, at: number, width: number, final: boolean, cycle: number): number {
    if (final) this.clean = false;
    const live = this.live;
    const spilled = this.spilled;
    const pending = this.pending;
    const pendingMask = this.pendingMask;
    const bw = this.bandwidth;
    const size = this.size;
    let channel = this.channel;
    let liveCount = this.liveCount;
    let pendingHead = this.pendingHead;
    let pendingTail = this.pendingTail;
    let pendingCount = this.pendingCount;
    let writes = this.writes;
    let reads = this.reads;
    let spills = this.spills;
    let now = cycle;
    let ready = cycle;
    for (let k = at; k < at + width; k++) {
      const o = output[k];
      if (o < 0) continue;
      if (live[o] === 0) {
        this.touches++;
        // Room for one more output.
        for (;;) {
          while (pendingCount > 0 && pending[pendingHead] <= now) {
            pendingHead = (pendingHead + 1) & pendingMask;
            pendingCount--;
          }
          if (liveCount + pendingCount < size) break;
          if (pendingCount > 0) {
            now = pending[pendingHead]; // wait for the oldest write
            continue;
          }
          // Every slot holds a live partial sum: spill the oldest, queued on the channel; its slot is free at once.
          const mask = this.orderMask;
          let victim = this.order[this.head];
          while (live[victim] === 0) {
            this.head = (this.head + 1) & mask;
            victim = this.order[this.head];
          }
          this.head = (this.head + 1) & mask;
          live[victim] = 0;
          spilled[victim] = 1;
          liveCount--;
          spills++;
          channel = (channel > now * bw ? channel : now * bw) + 1;
          writes++;
        }
        if (spilled[o] === 1) {
          // Its earlier partial sum comes back before this one is added: the cycle ends when it has landed.
          spilled[o] = 0;
          reads++;
          channel = (channel > now * bw ? channel : now * bw) + 1;
          const back = Math.ceil(channel / bw);
          if (back > ready) ready = back;
        }
        if (!final) {
          live[o] = 1;
          liveCount++;
          this.push(o);
        }
      } else {
        this.clean = false;
        if (final) {
          live[o] = 0;
          liveCount--;
        }
      }
      if (final) {
        channel = (channel > now * bw ? channel : now * bw) + 1;
        pending[pendingTail] = Math.ceil(channel / bw);
        pendingTail = (pendingTail + 1) & pendingMask;
        pendingCount++;
        writes++;
      }
    }
    this.channel = channel;
    this.liveCount = liveCount;
    this.pendingHead = pendingHead;
    this.pendingTail = pendingTail;
    this.pendingCount = pendingCount;
    this.writes = writes;
    this.reads = reads;
    this.spills = spills;
    return Math.max(now, ready) - cycle;
  }

  /**
   * A new fold begins: whether the last one left the buffer full of its last `size` outputs, in
   * the order it touched them, with no write in flight (it touched more than `size`, each off
   * chip, none final). Then a fold that touches the same outputs in the same order finds each one
   * off chip — the ones on chip are evicted before their turn — so each spills the oldest partial
   * sum and comes back (serveRepeat), and it leaves the buffer as it found it.
   */
  beginFold(): boolean {
    const repeatable = this.clean && this.touches > this.size && this.liveCount === this.size && this.pendingCount === 0;
    this.clean = true;
    this.touches = 0;
    return repeatable;
  }

  /** `serve` for `count` outputs of such a fold at `cycle`: a spill and a read-back each, two channel slots; returns the stall. */
  serveRepeat(count: number, cycle: number): number {
    const floor = cycle * this.bandwidth;
    this.channel = (this.channel > floor ? this.channel : floor) + 2 * count;
    this.spills += count;
    this.writes += count;
    this.reads += count;
    this.touches += count;
    return Math.max(0, Math.ceil(this.channel / this.bandwidth) - cycle);
  }

  /**
   * The state that decides what later outputs cost, relative to cycle `base`: null while partial
   * sums are on chip (a pass's outputs are all final at its end), else the channel and the writes
   * still in flight.
   */
  state(base: number): number[] | null {
    if (this.liveCount > 0) return null;
    const out = [this.channel - base * this.bandwidth];
    for (let i = 0, at = this.pendingHead; i < this.pendingCount; i++, at = (at + 1) & this.pendingMask) if (this.pending[at] > base) out.push(this.pending[at] - base);
    return out;
  }

  /** Moves the buffer `cycles` later, as if passes with this traffic had run in between. */
  advance(cycles: number, writes: number, reads: number, spills: number): void {
    for (let i = 0, at = this.pendingHead; i < this.pendingCount; i++, at = (at + 1) & this.pendingMask) this.pending[at] += cycles;
    this.channel += cycles * this.bandwidth;
    this.writes += writes;
    this.reads += reads;
    this.spills += spills;
  }

  /** The cycle the last write completes. */
  finish(cycle: number): number {
    return Math.max(cycle, Math.ceil(this.channel / this.bandwidth) - 1);
  }
}

/** Counters a pass changes, in one order: what a repeated pass adds. */
function counters(ifmap: StreamReadBuffer, filter: StreamReadBuffer, output: AccumulatingWriteBuffer): number[] {
  return [ifmap.fetches, ifmap.moved, ifmap.refetches, filter.fetches, filter.moved, filter.refetches, output.writes, output.reads, output.spills];
}

type PassState = readonly [Float64Array, Float64Array, readonly number[]];

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sameState = (a: PassState | null, b: PassState | null) => a !== null && b !== null && sameValues(a[0], b[0]) && sameValues(a[1], b[1]) && sameValues(a[2], b[2]);

/**
 * Serves one fold cycle by cycle from line `line` with `stall` cycles of stalls so far; returns
 * the stalls after it. `repeat`: its outputs are a repeated fold's (AccumulatingWriteBuffer.
 * beginFold). A function of its own, so that V8 optimises this loop apart from the pass logic
 * around it (which a long first fold would otherwise reach with no type feedback, and deopt).
 */
function serveFold(d: FoldDemand, ifmap: StreamReadBuffer, filter: StreamReadBuffer, output: AccumulatingWriteBuffer, repeat: boolean, line: number, stall: number, passes: number): number {
  const C = d.output.length / d.height;
  const [i0, i1] = d.ifmapLines;
  const [f0, f1] = d.filterLines;
  for (let l = 0; l < d.height; l++, line += passes) {
    const cycle = line + stall;
    // Operands first: the outputs of this cycle leave once its inputs have landed. Lines
    // outside an operand's band demand nothing of it (−1: not served).
    const si = l >= i0 && l < i1 ? ifmap.serve(d.ifmap, l * d.ifmapWidth, d.ifmapWidth, cycle) : -1;
    const sf = l >= f0 && l < f1 ? filter.serve(d.filter, l * d.filterWidth, d.filterWidth, cycle) : -1;
    const sr = Math.max(si, sf, 0);
    const s = d.outputs[l] === 0 ? sr : sr + (repeat ? output.serveRepeat(d.outputs[l], cycle + sr) : output.serve(d.output, l * C, C, d.final, cycle + sr));
    if (si >= 0) ifmap.use(d.ifmapWidth, cycle + s);
    if (sf >= 0) filter.use(d.filterWidth, cycle + s);
    stall += s;
  }
  return stall;
}

/**
 * A GEMM's demand stream through streaming buffers; the array stalls by the worst of the three.
 * Passes that repeat (stream.passes) are simulated until one ends in the state the previous one
 * ended in, shifted in time: every later regular pass then repeats it exactly (same demands
 * relabeled, same state), so they are added rather than served again, and their folds replayed.
 */
export function runStreamBuffers(stream: DemandStream, sizes: ScratchpadSizes, passes: number, onFold?: FoldListener, shortcuts = true): ScratchpadRun {
  const F = stream.folds > 0 ? stream.fold(0) : null;
  const ifmap = new StreamReadBuffer(stream.ifmapAddresses, sizes.ifmap, sizes.ifmapBandwidth, sizes.ifmapCosts ?? null, 0, F ? F.ifmapWidth : 0);
  const filter = new StreamReadBuffer(stream.filterAddresses, sizes.filter, sizes.filterBandwidth, sizes.filterCosts ?? null, 0, F ? F.filterWidth : 0);
  const output = new AccumulatingWriteBuffer(stream.outputAddresses, sizes.output, sizes.outputBandwidth, 0);
  const structure = shortcuts ? stream.passes : null;
  const perPass = structure ? structure.folds : stream.folds;
  const passCount = stream.folds / perPass;
  let stall = 0;
  let line = 0;
  let j = 0;
  /** The state at the end of the previous regular pass, and its start's counters. */
  let previous: PassState | null = null;
  /** Fold j writes the same outputs as fold j − 1, in the same order (equal output keys). */
  const sameOutputs = (j: number) => {
    const key = stream.keys(j).output;
    return stream.keys(j - 1).output === key;
  };
  /** `fetched`: how many fetches each operand made this pass. */
  const state = (base: number, fetched: readonly [number, number]): PassState | null => {
    const o = output.state(base);
    const repeats = structure!.repeats;
    return o === null ? null : [ifmap.state(base, repeats === 'ifmap', fetched[0]), filter.state(base, repeats === 'filter', fetched[1]), o];
  };
  for (let pass = 0; pass < passCount; pass++) {
    const lineBegin = line;
    const stallBegin = stall;
    const before = counters(ifmap, filter, output);
    // This pass's folds relative to its start (start, end, ifmap, filter, output moved), to replay repeats.
    const folds: number[] = [];
    for (let f = 0; f < perPass; f++, j++) {
      const d = stream.fold(j);
      // The same outputs as the last fold, in the same order, thrashing a full buffer: counted, not served one by one.
      const repeatable = output.beginFold();
      const repeat = shortcuts && repeatable && !d.final && j > 0 && sameOutputs(j);
      const start = line + stall;
      const moved0 = onFold ? [ifmap.reads, filter.reads, output.writes + output.reads] : null;
      stall = serveFold(d, ifmap, filter, output, repeat, line, stall, passes);
      line += d.height * passes;
      if (onFold && moved0) {
        const moved = { ifmap: ifmap.reads - moved0[0], filter: filter.reads - moved0[1], output: output.writes + output.reads - moved0[2] };
        onFold(j, start, line + stall, moved);
        const begin = lineBegin + stallBegin;
        folds.push(start - begin, line + stall - begin, moved.ifmap, moved.filter, moved.output);
      }
    }
    if (!structure || pass >= structure.regular - 1) continue;
    const now = state(line + stall, [ifmap.fetches - before[0], filter.fetches - before[3]]);
    if (pass > 0 && sameState(now, previous)) {
      // Passes pass + 1 … regular − 1 repeat this one: add them and shift the buffers past them.
      const repeats = structure.regular - 1 - pass;
      const lines = line - lineBegin;
      const span = lines + stall - stallBegin;
      const added = counters(ifmap, filter, output).map((x, i) => (x - before[i]) * repeats);
      if (onFold) {
        for (let r = 0; r < repeats; r++) {
          const base = line + stall + r * span;
          for (let f = 0; f < perPass; f++) {
            const k = 5 * f;
            onFold(j + r * perPass + f, base + folds[k], base + folds[k + 1], { ifmap: folds[k + 2], filter: folds[k + 3], output: folds[k + 4] });
          }
        }
      }
      ifmap.advance(repeats * span, added[0], added[1], added[2]);
      filter.advance(repeats * span, added[3], added[4], added[5]);
      output.advance(repeats * span, added[6], added[7], added[8]);
      line += repeats * lines;
      stall += repeats * (span - lines);
      j += repeats * perPass;
      pass += repeats;
      previous = null;
      continue;
    }
    previous = now;
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
