/**
 * The event-driven MAC-array engine. Ops run one after another; a GEMM is folded onto the
 * R×C array in SCALE-Sim v2's loop order (column folds outer, row folds inner).
 * With unlimited bandwidth every fold is an event: its operand tiles move from main memory to
 * the local buffers unless resident, it runs for its fill + stream + drain cycles when the
 * array is free, and writes its outputs back (SCALE-Sim's CALC-mode cycles, exactly).
 * With finite bandwidth a GEMM runs cycle by cycle through SCALE-Sim v2's scratchpads
 * (scratchpad.ts, demand.ts): stalls and main-memory traffic as SCALE-Sim's USER mode counts
 * them, or with the refetch rule. Elementwise work runs on a vector unit.
 *
 * The clock is an EventQueue: events pop in cycle order and the clock never goes back. The
 * per-event state is mutable typed data rather than immutable snapshots — at hundreds of
 * thousands of folds per layer, copying a snapshot per event would dominate the run time.
 */
import { InputError } from '../../core/errors.ts';
import type { OpCounts } from '../../nets/counts.ts';
import type { Graph, Precision } from '../../nets/graph.ts';
import { NO_ACCESSES, addAccesses, closedFormAccesses, priceAccesses, priceByLevel, type Accesses, type LevelSplit } from '../accesses.ts';
import { energyTerms, type EnergyTerms } from '../energy.ts';
import { accessEnergies, type HardwarePreset } from '../presets.ts';
import { OPERANDS, elementBudget, validateEngineConfig, type Dataflow, type EngineConfig, type Operand } from './config.ts';
import type { EventSink } from './events.ts';
import { convOperands, demandStream, gemmOperands } from './demand.ts';
import { foldGeometry, mapping } from './folds.ts';
import { lowerGraph, type EngineOp } from './lower.ts';
import { NO_OVER_READS, runScratchpads, type OverReads, type ScratchpadRun, type ScratchpadSizes } from './scratchpad.ts';
import { lanesAndPasses, macsPerCycle } from '../datapath.ts';
import { NO_SPILL, assignSpills, type Spill } from '../capacity.ts';
import { EventQueue } from './queue.ts';

export interface OpStats {
  readonly name: string;
  readonly opKind: string;
  readonly unit: EngineOp['unit'];
  readonly precision: Precision;
  readonly startCycle: number;
  readonly cycles: number;
  readonly computeCycles: number;
  /** Of the compute cycles, those of the MAC array (folds, or a trace's packed MACs); the rest is the vector unit. */
  readonly arrayCycles: number;
  readonly stallCycles: number;
  /** MACs ÷ (p × cycles) for array work. */
  readonly utilization: number;
  /** Share of PEs holding real work, averaged over folds (1 when nothing is padded). */
  readonly mappingEfficiency: number;
  readonly folds: number;
  readonly macs: number;
  readonly accesses: Accesses;
  /** Main-memory traffic beyond "each element once", by cause (finite bandwidth). */
  readonly overReads: OverReads;
  /** What did not fit in main memory and went off chip (sim/capacity.ts). */
  readonly spill: Spill;
  /** SCALE-Sim v2 reports a layer's cycles as the index of its last cycle: cycles − 1. */
  readonly scaleSimCycles: number | null;
  /** Energy of the whole batch, pJ. */
  readonly energy: EnergyTerms;
  /** The same energy by level (array, local buffers, main memory, off chip), pJ. */
  readonly energyByLevel: LevelSplit;
  /** p used for the √p reuse in ideal mode (the preset's rule or --p). */
  readonly p: number;
  readonly counts: OpCounts;
}

export interface EngineResult {
  readonly config: EngineConfig;
  readonly preset: string;
  readonly ops: readonly OpStats[];
  readonly cycles: number;
  readonly stallCycles: number;
  readonly utilization: number;
  readonly accesses: Accesses;
  /** Per inference (batch energy ÷ batch), pJ. */
  readonly energy: EnergyTerms;
  /** The same energy per inference by memory level, pJ. */
  readonly energyByLevel: LevelSplit;
  /** The run's time (all of its batch), µs at the configured clock. */
  readonly time_us: number;
  /** Energy per inference × the run's time, pJ·µs (one definition: the CLI, the report and the docs quote it). */
  readonly energyDelayProduct_pJ_us: number;
}

export interface SimulateOptions {
  /** Overrides the preset's p for the √p reuse of ideal mode (as in the closed form). */
  readonly p?: number;
  readonly sink?: EventSink;
}

export function simulateGraph(graph: Graph, config: EngineConfig, preset: HardwarePreset, options: SimulateOptions = {}): EngineResult {
  return simulateOps(lowerGraph(graph, config.batch), config, preset, options);
}

/** Folds one run may simulate (about 1 µs each here: ten seconds), and cycles it may count exactly. */
export const MAX_ENGINE_FOLDS = 10_000_000;

/** Operand elements one op may hold in the scratchpads, and array-cycle × port slots one run may serve. */
export const MAX_SCRATCHPAD_ELEMENTS = 1e8;
export const MAX_SCRATCHPAD_CELLS = 5e9;

/** Refuses, before any work, a run whose folds would take minutes or whose cycles exceed 2⁵³. */
export function checkEngineSize(ops: readonly EngineOp[], c: EngineConfig): void {
  let folds = 0;
  let cycles = 0;
  let cells = 0;
  for (const op of ops) {
    if (op.unit !== 'gemm') continue;
    const { Sr, Sc, T } = mapping(c.dataflow, op.M, op.N, op.K);
    const opFolds = Math.ceil(Sr / c.rows) * Math.ceil(Sc / c.cols) * op.groups;
    folds += opFolds;
    cycles += opFolds * (c.rows + T + c.rows + c.cols);
    if (c.bandwidth !== Infinity) {
      // The scratchpads hold each operand's fetch order and its address index (16 bytes an element).
      const elements = op.M * op.K + op.K * op.N;
      if (elements > MAX_SCRATCHPAD_ELEMENTS) {
        throw new InputError('workload', `${op.name}: ${elements.toExponential(2)} operand elements`, `allowed: at most ${MAX_SCRATCHPAD_ELEMENTS.toExponential(0)} per op with finite bandwidth (${((MAX_SCRATCHPAD_ELEMENTS * 16) / 2 ** 30).toFixed(1)} GB of buffer state); unlimited bandwidth has no such limit`);
      }
      cells += opFolds * (2 * c.rows + c.cols + T) * (c.rows + 2 * c.cols);
    }
  }
  if (cells > MAX_SCRATCHPAD_CELLS) {
    throw new InputError('workload', `${cells.toExponential(2)} demand slots with finite bandwidth`, `allowed: at most ${MAX_SCRATCHPAD_CELLS.toExponential(0)} (about 20 ns each here: a larger array, a smaller workload, or unlimited bandwidth)`);
  }
  if (folds > MAX_ENGINE_FOLDS) {
    throw new InputError('workload', `${folds.toExponential(2)} folds on a ${c.rows}×${c.cols} array`, `allowed: at most ${MAX_ENGINE_FOLDS.toLocaleString('en-US')} folds per run (about 1 µs each): a larger array, a smaller workload, or the closed form (codesign energy)`);
  }
  if (!(cycles <= Number.MAX_SAFE_INTEGER)) throw new InputError('workload', `${cycles.toExponential(2)} cycles`, 'allowed: at most 2^53 cycles (counted exactly)');
}

export function simulateOps(ops: readonly EngineOp[], config: EngineConfig, preset: HardwarePreset, options: SimulateOptions = {}): EngineResult {
  validateEngineConfig(config);
  checkEngineSize(ops, config);
  // The fold clock of unlimited bandwidth (finite bandwidth serves demands cycle by cycle instead).
  const q = config.bandwidth === Infinity ? new EventQueue() : null;
  // Ideal mode is the paper's: unlimited capacity, nothing spills.
  const spills = config.mode === 'ideal' ? ops.map(() => NO_SPILL) : engineSpills(ops, config);
  const stats: OpStats[] = [];
  const runs: ScratchpadRuns = new Map();
  let t = 0;
  for (const [i, op] of ops.entries()) {
    const s = config.mode === 'ideal' ? runIdeal(op, config, preset, options, t) : runSystolic(op, config, q, options.sink, t, spills[i], runs);
    const e = accessEnergies(preset, op.precision, options.p);
    const split = priceAccesses(s.accesses, e);
    stats.push({ ...s, spill: spills[i], precision: op.precision, energy: energyTerms(split.compute, split.weight, split.activation), energyByLevel: priceByLevel(s.accesses, e), p: e.p, counts: op.counts });
    t += s.cycles;
  }
  let accesses = NO_ACCESSES;
  let compute = 0;
  let weight = 0;
  let activation = 0;
  let stall = 0;
  let macs = 0;
  for (const s of stats) {
    accesses = addAccesses(accesses, s.accesses);
    compute += s.energy.compute;
    weight += s.energy.weight;
    activation += s.energy.activation;
    stall += s.stallCycles;
    macs += s.macs;
  }
  const b = config.batch;
  const level = (k: keyof LevelSplit) => stats.reduce((sum, st) => sum + st.energyByLevel[k], 0) / b;
  const energy = energyTerms(compute / b, weight / b, activation / b);
  const time_us = t / config.clockMHz;
  return {
    config,
    preset: preset.name,
    ops: stats,
    cycles: t,
    stallCycles: stall,
    utilization: t > 0 ? macs / (config.rows * config.cols * t) : 0,
    accesses,
    energy,
    energyByLevel: { compute: level('compute'), localBuffer: level('localBuffer'), mainMemory: level('mainMemory'), offChip: level('offChip') },
    time_us,
    energyDelayProduct_pJ_us: energy.total * time_us,
  };
}

type OpRun = Omit<OpStats, 'energy' | 'energyByLevel' | 'p' | 'counts' | 'precision' | 'spill'>;

/** An op's run record; what a unit does not set keeps its idle default. */
function opRun(op: EngineOp, t0: number, run: Partial<OpRun> & Pick<OpRun, 'cycles'>): OpRun {
  return {
    name: op.name,
    opKind: op.opKind,
    unit: op.unit,
    startCycle: t0,
    computeCycles: run.cycles,
    arrayCycles: 0,
    stallCycles: 0,
    utilization: 0,
    mappingEfficiency: 1,
    folds: 0,
    macs: 0,
    accesses: NO_ACCESSES,
    overReads: NO_OVER_READS,
    scaleSimCycles: null,
    ...run,
  };
}

/** The paper's assumptions: perfect reuse, unlimited bandwidth and capacity, full utilization. */
function runIdeal(op: EngineOp, c: EngineConfig, preset: HardwarePreset, options: SimulateOptions, t0: number): OpRun {
  const b = c.batch;
  const p = accessEnergies(preset, op.precision, options.p).p;
  const one = closedFormAccesses(op.counts, p);
  // A batch reuses every weight across its samples: weights are read once, the rest scales.
  const accesses: Accesses =
    b === 1
      ? one
      : {
          ...one,
          computeOps: b * one.computeOps,
          localWeightReads: b * one.localWeightReads,
          mainActivationReads: b * one.mainActivationReads,
          mainActivationWrites: b * one.mainActivationWrites,
          localActivationReads: b * one.localActivationReads,
        };
  const macs = b * op.counts.macs;
  // Full utilization at the datapath's rate for these bits (one MAC a cycle on a fixed one).
  const arrayCycles = Math.ceil(macs / (c.rows * c.cols * macsPerCycle(c.datapath, op.precision.weightBits, op.precision.activationBits)));
  const vectorCycles = Math.ceil((b * op.counts.elementwise) / c.vectorWidth);
  const cycles = arrayCycles + vectorCycles;
  options.sink?.({ type: 'op', op: op.name, unit: cycles === 0 ? 'none' : arrayCycles > 0 ? 'array' : 'vector', start: t0, end: t0 + cycles });
  return opRun(op, t0, { cycles, arrayCycles, utilization: arrayCycles > 0 ? macs / (c.rows * c.cols * cycles) : 0, macs, accesses });
}

/** Main memory holds weights in op order until full (the same rule as the closed form's, sim/capacity.ts). */
function engineSpills(ops: readonly EngineOp[], c: EngineConfig): Spill[] {
  return assignSpills(
    ops.map((op) => ({ weightBits: op.counts.weights * op.precision.weightBits, workingSetBits: op.workingSet * op.precision.activationBits })),
    c.mainMemoryBits,
  );
}

const FOLD_END = 1;

function runSystolic(op: EngineOp, c: EngineConfig, q: EventQueue | null, sink: EventSink | undefined, t0: number, spill: Spill, runs: ScratchpadRuns): OpRun {
  if (op.unit === 'free') return opRun(op, t0, { cycles: 0 });
  if (op.unit === 'vector') return runVector(op, c, sink, t0, spill);
  if (op.unit === 'trace') {
    // An op count without shapes: perfectly packed array work, operands reused across √p PEs.
    const p = c.rows * c.cols;
    const { lanes, passes } = rateOf(op, c);
    const arrayCycles = Math.ceil(op.macs / (p * lanes)) * passes;
    const vectorCycles = Math.ceil(op.vectorOps / c.vectorWidth);
    const cycles = arrayCycles + vectorCycles;
    sink?.({ type: 'op', op: op.name, unit: 'array', start: t0, end: t0 + cycles });
    return opRun(op, t0, {
      cycles,
      arrayCycles,
      utilization: cycles > 0 ? op.macs / (p * cycles) : 0,
      macs: op.macs,
      accesses: {
        ...NO_ACCESSES,
        computeOps: op.macs + op.vectorOps,
        localActivationReads: op.macs / Math.sqrt(p),
        mainActivationReads: spill.activations ? 0 : op.readWords,
        mainActivationWrites: spill.activations ? 0 : op.writeWords,
        offChipActivationReads: spill.activations ? op.readWords : 0,
        offChipActivationWrites: spill.activations ? op.writeWords : 0,
      },
    });
  }
  return q ? runGemm(op, c, q, sink, t0, spill) : runScratchpadGemm(op, c, sink, t0, spill, runs);
}

/**
 * How the datapath runs an op's MACs at its bits: `lanes` reduction elements per PE per pass,
 * `passes` cycles a pass. Both operands of an algorithm's product (and a trace) are data.
 */
function rateOf(op: Extract<EngineOp, { unit: 'gemm' | 'trace' }>, c: EngineConfig): { lanes: number; passes: number } {
  const data = op.unit === 'trace' || op.dataOperands === true;
  return lanesAndPasses(c.datapath, data ? op.precision.activationBits : op.precision.weightBits, op.precision.activationBits);
}

/**
 * An operand's buffer room and channel for `lanes`-wide vectors of elements (a precision-scalable
 * PE takes `lanes` reduction elements at once, so the reduction runs over ⌈K/lanes⌉ vectors).
 * Streaming buffers move a vector in `lanes` element slots of the channel (`vector`); SCALE-Sim's
 * scratchpads need whole vectors a cycle.
 */
function vectorBudget(c: EngineConfig, operand: Operand, bits: number, lanes: number): { capacity: number; bandwidth: number; vector: number } {
  const b = elementBudget(c, operand, bits);
  if (lanes === 1) return { ...b, vector: 1 };
  const capacity = Math.max(1, Math.floor(b.capacity / lanes));
  if (b.bandwidth === Infinity || c.memoryModel === 'stream') return { capacity, bandwidth: b.bandwidth, vector: lanes };
  const bandwidth = Math.floor(b.bandwidth / lanes);
  if (bandwidth < 1) throw new InputError('bandwidth', c.bandwidth, `allowed with --memory-model ${c.memoryModel}: at least one ${lanes}-element vector of ${bits}-bit ${operand} elements per cycle (the ${c.datapath.kind} datapath takes ${lanes} at a time; the stream model moves vectors over several cycles)`);
  return { capacity, bandwidth, vector: 1 };
}

function transferCycles(words: number, bandwidth: number): number {
  return bandwidth === Infinity ? 0 : Math.ceil(words / bandwidth);
}

function runVector(op: Extract<EngineOp, { unit: 'vector' }>, c: EngineConfig, sink: EventSink | undefined, t0: number, spill: Spill): OpRun {
  const computeCycles = Math.ceil(op.vectorOps / c.vectorWidth);
  // Reads use the ifmap channel and writes the output channel, side by side.
  const memoryCycles = Math.max(transferCycles(op.readWords, c.bandwidth), transferCycles(op.writeWords, c.bandwidth));
  const cycles = Math.max(computeCycles, memoryCycles);
  if (cycles > 0) sink?.({ type: 'op', op: op.name, unit: 'vector', start: t0, end: t0 + cycles });
  if (cycles > computeCycles) sink?.({ type: 'stall', op: op.name, start: t0 + computeCycles, end: t0 + cycles });
  const weights = op.counts.weights;
  return opRun(op, t0, {
    cycles,
    computeCycles,
    stallCycles: cycles - computeCycles,
    accesses: {
      ...NO_ACCESSES,
      computeOps: op.vectorOps,
      mainWeightReads: spill.weights ? 0 : weights,
      offChipWeightReads: spill.weights ? weights : 0,
      mainActivationReads: spill.activations ? 0 : op.readWords,
      mainActivationWrites: spill.activations ? 0 : op.writeWords,
      offChipActivationReads: spill.activations ? op.readWords : 0,
      offChipActivationWrites: spill.activations ? op.writeWords : 0,
    },
  });
}

function runGemm(op: Extract<EngineOp, { unit: 'gemm' }>, c: EngineConfig, q: EventQueue, sink: EventSink | undefined, t0: number, spill: Spill): OpRun {
  const R = c.rows;
  const C = c.cols;
  const df = c.dataflow;
  // On a precision-scalable datapath the reduction runs in vectors of `lanes` elements, and each
  // fold takes `passes` times as long; traffic is counted back in elements.
  const { lanes, passes } = rateOf(op, c);
  const packed = lanes > 1 ? packedReduction(op, lanes) : null;
  const K = packed ? packed.length : op.K;
  const { Sr, Sc, T, rowFold, colFold } = foldGeometry(df, op.M, op.N, K, R, C);
  const perGroup = rowFold * colFold;
  const total = perGroup * op.groups;
  // Fill (R−1) and drain (C−1) around the T streamed cycles; WS and IS first load the
  // stationary operand, one array row per cycle (R cycles).
  const foldCycles = ((df === 'os' ? 0 : R) + T + (R - 1) + (C - 1)) * passes;

  const ifmapTotal = op.M * K;
  const filterTotal = K * op.N;
  const ifmapTiles = df === 'is' ? perGroup * op.groups : rowFold * op.groups;
  const filterTiles = df === 'os' ? colFold * op.groups : df === 'ws' ? perGroup * op.groups : rowFold * op.groups;
  const ifmapRoom = vectorBudget(c, 'ifmap', op.precision.activationBits, lanes).capacity;
  const filterRoom = vectorBudget(c, 'filter', op.dataOperands ? op.precision.activationBits : op.precision.weightBits, lanes).capacity;
  const ifmapAll = ifmapTotal <= ifmapRoom;
  const filterAll = filterTotal <= filterRoom;
  const ifmapSeen = ifmapAll ? new Uint8Array(ifmapTiles) : null;
  const filterSeen = filterAll ? new Uint8Array(filterTiles) : null;
  let ifmapLast = -1;
  let filterLast = -1;
  // The stream model keeps a column fold's partial sums in the output buffer when they fit
  // (WS/IS: T × C of them), writing each output once; otherwise, and under SCALE-Sim's rules,
  // every row fold writes its partial sums back (the stream model then reads them back too).
  const accumulate = c.memoryModel === 'stream' && df !== 'os' && T * C <= elementBudget(c, 'output', op.precision.activationBits).capacity;
  const readsBack = c.memoryModel === 'stream' && df !== 'os' && !accumulate;
  // Double buffering needs room for the tile in use and the next one.
  const maxIfmapTile = df === 'is' ? R * C : T * R;
  const maxFilterTile = df === 'os' ? T * C : df === 'ws' ? R * C : T * R;
  const doubleBuffer = 2 * maxIfmapTile <= ifmapRoom && 2 * maxFilterTile <= filterRoom;

  let mainIfmap = 0;
  let mainFilter = 0;
  let mainOut = 0;
  let mainOutReads = 0;
  let localIfmap = 0;
  let localFilter = 0;
  let localOut = 0;
  let usedPEs = 0;
  let stall = 0;
  const issued = new Uint8Array(2);

  const foldAt = (j: number) => {
    const g = Math.floor(j / perGroup);
    const r = j - g * perGroup;
    const fc = Math.floor(r / rowFold);
    const fr = r - fc * rowFold;
    return { g, fc, fr, rowsUsed: Math.min(R, Sr - fr * R), colsUsed: Math.min(C, Sc - fc * C) };
  };

  // Unlimited bandwidth: a tile arrives the cycle it is asked for (finite bandwidth runs the scratchpad model).
  const transfer = (unit: Operand, words: number, now: number): number => {
    if (sink) sink({ type: 'transfer', op: op.name, unit, words, start: now, end: now });
    return now;
  };

  const issueTransfers = (j: number, now: number) => {
    if (j >= total) return;
    issued[j & 1] = 1;
    const { g, fc, fr, rowsUsed, colsUsed } = foldAt(j);
    const ifmapId = df === 'is' ? g * perGroup + fc * rowFold + fr : g * rowFold + fr;
    const filterId = df === 'os' ? g * colFold + fc : df === 'ws' ? g * perGroup + fr * colFold + fc : g * rowFold + fr;
    const { ifmap: ifmapWords, filter: filterWords } = foldWords(df, T, rowsUsed, colsUsed, foldReduction(df, packed, T, fr * R, rowsUsed));
    const ifmapResident = ifmapSeen ? ifmapSeen[ifmapId] === 1 : ifmapLast === ifmapId;
    if (!ifmapResident) {
      if (ifmapSeen) ifmapSeen[ifmapId] = 1;
      ifmapLast = ifmapId;
      mainIfmap += ifmapWords;
      transfer('ifmap', ifmapWords, now);
    }
    const filterResident = filterSeen ? filterSeen[filterId] === 1 : filterLast === filterId;
    if (!filterResident) {
      if (filterSeen) filterSeen[filterId] = 1;
      filterLast = filterId;
      mainFilter += filterWords;
      transfer('filter', filterWords, now);
    }
  };

  let next = 0; // next fold to start
  let arrayFreeAt = t0;
  let lastWriteback = t0;

  const startFold = (now: number) => {
    const j = next++;
    issued[j & 1] = 0;
    if (now > arrayFreeAt) {
      stall += now - arrayFreeAt;
      if (sink) sink({ type: 'stall', op: op.name, start: arrayFreeAt, end: now });
    }
    const { rowsUsed, colsUsed } = foldAt(j);
    usedPEs += rowsUsed * colsUsed;
    const words = foldWords(df, T, rowsUsed, colsUsed, foldReduction(df, packed, T, foldAt(j).fr * R, rowsUsed));
    localIfmap += words.ifmap;
    localFilter += words.filter;
    if (doubleBuffer) issueTransfers(j + 1, now);
    if (sink) sink({ type: 'fold', op: op.name, index: j, start: now, end: now + foldCycles });
    q.push(now + foldCycles, FOLD_END, j);
  };

  const ready = (j: number) => j < total && issued[j & 1] === 1;

  issueTransfers(0, t0);
  if (ready(0)) startFold(t0);
  while (q.pop()) {
    const ev = q.popped;
    const now = ev.time;
    if (ev.kind === FOLD_END) {
      const j = ev.a;
      const { fr, rowsUsed, colsUsed } = foldAt(j);
      const outWords = foldWords(df, T, rowsUsed, colsUsed).output;
      localOut += outWords;
      if (!accumulate || fr === rowFold - 1) mainOut += outWords;
      if (readsBack && fr > 0) mainOutReads += outWords;
      lastWriteback = Math.max(lastWriteback, transfer('output', outWords, now));
      arrayFreeAt = now;
      if (!doubleBuffer) issueTransfers(j + 1, now);
      if (ready(next)) startFold(now);
    }
  }
  const foldsEnd = arrayFreeAt;
  const arrayEnd = Math.max(foldsEnd, lastWriteback);
  const vectorCycles = Math.ceil(op.vectorOps / c.vectorWidth);
  const end = arrayEnd + vectorCycles;
  if (sink) {
    sink({ type: 'op', op: op.name, unit: 'array', start: t0, end: arrayEnd });
    if (vectorCycles > 0) sink({ type: 'op', op: op.name, unit: 'vector', start: arrayEnd, end });
  }
  const tail = arrayEnd - foldsEnd;
  const macs = op.M * op.N * op.K * op.groups;
  const cycles = end - t0;
  const accesses = gemmAccesses(op, spill, { mainIfmap, mainFilter, mainOut, mainOutReads, localIfmap, localFilter, localOut });
  return opRun(op, t0, {
    cycles,
    computeCycles: total * foldCycles + vectorCycles,
    arrayCycles: total * foldCycles,
    overReads: { ...NO_OVER_READS, partialSumSpills: mainOutReads },
    stallCycles: stall + tail,
    utilization: cycles > 0 ? macs / (R * C * cycles) : 0,
    mappingEfficiency: total > 0 ? usedPEs / (total * R * C) : 1,
    folds: total,
    macs,
    accesses,
    scaleSimCycles: arrayEnd - t0 - 1,
  });
}


/** Elements of each operand one fold moves between its local buffer and the array (SCALE-Sim's SRAM counts). */
function foldWords(df: Dataflow, T: number, rowsUsed: number, colsUsed: number, reduction: number = df === 'os' ? T : rowsUsed): Record<Operand, number> {
  // `reduction`: the elements of the reduction the fold covers (its rows in WS/IS, its T in OS),
  // fewer than rows or T when a precision-scalable datapath packs the reduction in padded vectors.
  return {
    ifmap: df === 'is' ? reduction * colsUsed : df === 'ws' ? T * reduction : reduction * rowsUsed,
    filter: df === 'os' ? reduction * colsUsed : df === 'ws' ? reduction * colsUsed : T * reduction,
    output: df === 'os' ? rowsUsed * colsUsed : T * colsUsed,
  };
}

/**
 * The reduction of an op packed `lanes` at a time: for each vector, the real elements in it (a
 * GEMM's K in runs of `lanes`; a convolution's channels, so that windows still share inputs),
 * with prefix sums to add up a fold's rows.
 */
interface PackedReduction {
  readonly length: number;
  /** Real elements of vector k. */
  readonly real: Uint8Array;
  /** Real elements of vectors [0, k): `prefix[k]`. */
  readonly prefix: Float64Array;
  /** Channels per vector group of a convolution (its vectors repeat every `period`), else the whole length. */
  readonly period: number;
}

function packedReduction(op: Extract<EngineOp, { unit: 'gemm' }>, lanes: number): PackedReduction {
  const w = op.conv;
  const period = w ? Math.ceil(w.channels / lanes) : Math.ceil(op.K / lanes);
  const total = w ? w.channels : op.K;
  const length = w ? w.filterHeight * w.filterWidth * period : period;
  const real = new Uint8Array(length);
  const prefix = new Float64Array(length + 1);
  for (let k = 0; k < length; k++) {
    real[k] = Math.min(lanes, total - (k % period) * lanes);
    prefix[k + 1] = prefix[k] + real[k];
  }
  return { length, real, prefix, period };
}

/** Real elements of the reduction a fold covers: rows [r0, r0 + ru) in WS/IS, all of it in OS. */
function foldReduction(df: Dataflow, packed: PackedReduction | null, T: number, r0: number, ru: number): number {
  if (!packed) return df === 'os' ? T : ru;
  return df === 'os' ? packed.prefix[packed.length] : packed.prefix[r0 + ru] - packed.prefix[r0];
}

/** Real elements of every ifmap and filter address of a packed op (its vector's, by reduction index). */
function vectorCosts(packed: PackedReduction, ifmapAddresses: number, N: number): { ifmap: Uint8Array; filter: Uint8Array } {
  const ifmap = new Uint8Array(ifmapAddresses);
  // An input address's vector index cycles with the packed channels (a GEMM: its K).
  for (let a = 0; a < ifmapAddresses; a++) ifmap[a] = packed.real[a % packed.period];
  const filter = new Uint8Array(packed.length * N);
  for (let k = 0; k < packed.length; k++) filter.fill(packed.real[k], k * N, (k + 1) * N);
  return { ifmap, filter };
}

interface GemmTraffic {
  readonly mainIfmap: number;
  readonly mainFilter: number;
  readonly mainOut: number;
  /** Partial sums read back from main memory to be finished. */
  readonly mainOutReads: number;
  readonly localIfmap: number;
  readonly localFilter: number;
  readonly localOut: number;
}

/** A GEMM's traffic as priced accesses: what spills goes off chip; two data operands are both activations. */
function gemmAccesses(op: Extract<EngineOp, { unit: 'gemm' }>, spill: Spill, t: GemmTraffic): Accesses {
  const computeOps = op.M * op.N * op.K * op.groups + op.vectorOps;
  if (op.dataOperands) {
    return {
      ...NO_ACCESSES,
      computeOps,
      mainActivationReads: t.mainIfmap + t.mainFilter + t.mainOutReads,
      mainActivationWrites: t.mainOut,
      localActivationReads: t.localIfmap + t.localFilter,
      localOutputWrites: t.localOut,
    };
  }
  const extra = op.extraWeights;
  return {
    ...NO_ACCESSES,
    computeOps,
    mainWeightReads: spill.weights ? 0 : t.mainFilter + extra,
    offChipWeightReads: spill.weights ? t.mainFilter + extra : 0,
    localWeightReads: t.localFilter,
    mainActivationReads: spill.activations ? 0 : t.mainIfmap + t.mainOutReads,
    mainActivationWrites: spill.activations ? 0 : t.mainOut,
    offChipActivationReads: spill.activations ? t.mainIfmap + t.mainOutReads : 0,
    offChipActivationWrites: spill.activations ? t.mainOut : 0,
    localActivationReads: t.localIfmap,
    localOutputWrites: t.localOut,
  };
}

/** A scratchpad run with its folds (start, end, then elements moved for ifmap, filter, output: five numbers a fold). */
interface RecordedRun {
  readonly run: ScratchpadRun;
  readonly folds: readonly number[];
}

/**
 * Scratchpad runs of one simulation by what decides them (shape, mapping, buffers): a layer that
 * repeats another's shape (ResNet's blocks) or a group after the first runs the same demands
 * through the same empty buffers, so it is served once and its result and folds are reused.
 */
type ScratchpadRuns = Map<string, RecordedRun>;

/**
 * A GEMM under finite bandwidth: SCALE-Sim v2's scratchpads (sim/engine/scratchpad.ts) serve
 * its demand stream cycle by cycle, once per shape (every group, and every later op of the same
 * shape, repeats the run). Main-memory traffic is what the scratchpads request from their
 * backing store, in elements; local traffic is the array's demands.
 */
function runScratchpadGemm(op: Extract<EngineOp, { unit: 'gemm' }>, c: EngineConfig, sink: EventSink | undefined, t0: number, spill: Spill, runs: ScratchpadRuns): OpRun {
  const R = c.rows;
  const C = c.cols;
  // A precision-scalable datapath: the reduction in vectors of `lanes` (a convolution's channels
  // packed `lanes` at a time), each demand line lasting `passes` cycles; counts back in elements.
  const { lanes, passes } = rateOf(op, c);
  const packed = lanes > 1 ? packedReduction(op, lanes) : null;
  const w = op.conv && packed ? { ...op.conv, channels: packed.period } : op.conv;
  const K = packed ? packed.length : op.K;
  const { Sc, T, rowFold, colFold, rowsUsed } = foldGeometry(c.dataflow, op.M, op.N, K, R, C);
  const filterBits = op.dataOperands ? op.precision.activationBits : op.precision.weightBits;
  const ifmap = vectorBudget(c, 'ifmap', op.precision.activationBits, lanes);
  const filter = vectorBudget(c, 'filter', filterBits, lanes);
  const output = elementBudget(c, 'output', op.precision.activationBits);
  const sizes: ScratchpadSizes = { ifmap: ifmap.capacity, filter: filter.capacity, output: output.capacity, ifmapBandwidth: ifmap.bandwidth, filterBandwidth: filter.bandwidth, outputBandwidth: output.bandwidth };
  // Streaming buffers move a packed vector in as many channel slots as it has real elements
  // (costs that follow from the shape and the lanes, both in the key).
  const costed = packed !== null && ifmap.vector > 1;
  const key = JSON.stringify([op.M, op.N, K, w ?? null, c.dataflow, R, C, c.memoryModel, sizes, passes, lanes, costed]);
  let recorded = runs.get(key);
  if (!recorded) {
    const operands = w ? convOperands(w.height, w.width, w.filterHeight, w.filterWidth, w.channels, op.N, w.stride, w.padded?.strideW ?? w.stride, w.padded) : gemmOperands(op.M, op.N, K);
    const stream = demandStream(operands, c.dataflow, R, C, c.memoryModel === 'stream');
    const costs = costed ? vectorCosts(packed, stream.ifmapAddresses, op.N) : null;
    const folds: number[] = [];
    const run = runScratchpads(stream, costs ? { ...sizes, ifmapCosts: costs.ifmap, filterCosts: costs.filter } : sizes, c.memoryModel, passes, sink && ((_j, start, end, moved) => folds.push(start, end, moved.ifmap, moved.filter, moved.output)));
    recorded = { run, folds };
    runs.set(key, recorded);
  }
  const { run, folds: foldRecords } = recorded;
  const foldsPerGroup = rowFold * colFold;
  let t = t0;
  for (let g = 0; g < op.groups; g++) {
    if (sink) {
      for (let j = 0; j < foldsPerGroup; j++) {
        const start = t + foldRecords[5 * j];
        const end = t + foldRecords[5 * j + 1];
        sink({ type: 'fold', op: op.name, index: g * foldsPerGroup + j, start, end });
        for (const [u, unit] of OPERANDS.entries()) if (foldRecords[5 * j + 2 + u] > 0) sink({ type: 'transfer', op: op.name, unit, words: foldRecords[5 * j + 2 + u], start, end });
      }
    }
    const end = t + run.lastCycle + 1;
    if (sink) {
      sink({ type: 'op', op: op.name, unit: 'array', start: t, end });
      if (run.stallCycles > 0) sink({ type: 'stall', op: op.name, start: end - run.stallCycles, end });
    }
    t = end;
  }
  const G = op.groups;
  const stall = G * run.stallCycles;
  // Streaming buffers count real elements; SCALE-Sim's count whole vectors.
  const perRead = costed ? 1 : lanes;
  const mainIfmap = G * perRead * run.ifmapReads;
  const mainFilter = G * perRead * run.filterReads;
  const mainOut = G * run.outputWrites;
  const mainOutReads = G * run.outputReads;
  const o = run.overReads;
  const overReads: OverReads = { ifmapRefetches: G * o.ifmapRefetches, filterRefetches: G * o.filterRefetches, partialSumSpills: G * o.partialSumSpills, padding: G * o.padding };
  let localIfmap = 0;
  let localFilter = 0;
  let localOut = 0;
  let usedPEs = 0;
  // Column folds differ only in their width: the full ones, and a narrower last one.
  const widths = Sc % C === 0 ? [{ cols: C, folds: colFold }] : [{ cols: C, folds: colFold - 1 }, { cols: Sc % C, folds: 1 }];
  // Row folds differ in their rows used (the full ones, and a shorter last one) and, packed, in
  // the real elements they reduce: unpacked, the full ones are counted once, times their number.
  for (let fr = 0; fr < rowFold; ) {
    const ru = rowsUsed(fr);
    const alike = packed === null && fr < rowFold - 1 ? rowFold - 1 - fr : 1;
    const reduction = foldReduction(c.dataflow, packed, T, fr * R, ru);
    for (const { cols, folds } of widths) {
      if (folds === 0) continue;
      const words = foldWords(c.dataflow, T, ru, cols, reduction);
      const n = alike * folds * op.groups;
      localIfmap += n * words.ifmap;
      localFilter += n * words.filter;
      localOut += n * words.output;
      usedPEs += alike * folds * ru * cols;
    }
    fr += alike;
  }
  const folds = foldsPerGroup * op.groups;
  const arrayEnd = t;
  const vectorCycles = Math.ceil(op.vectorOps / c.vectorWidth);
  if (sink && vectorCycles > 0) sink({ type: 'op', op: op.name, unit: 'vector', start: arrayEnd, end: arrayEnd + vectorCycles });
  const cycles = arrayEnd + vectorCycles - t0;
  const macs = op.M * op.N * op.K * op.groups;
  return opRun(op, t0, {
    cycles,
    computeCycles: cycles - stall,
    arrayCycles: cycles - stall - vectorCycles,
    stallCycles: stall,
    utilization: cycles > 0 ? macs / (R * C * cycles) : 0,
    mappingEfficiency: folds > 0 ? (op.groups * usedPEs) / (folds * R * C) : 1,
    folds,
    macs,
    accesses: gemmAccesses(op, spill, { mainIfmap, mainFilter, mainOut, mainOutReads, localIfmap, localFilter, localOut }),
    overReads,
    scaleSimCycles: arrayEnd - t0 - 1,
  });
}
