/** The engine's own laws: its ideal mode is the closed form, and bandwidth only ever adds stall. */
import fc from 'fast-check';
import { DEFAULT_PRECISION, type Graph } from '../nets/graph.ts';
import { priceGraph } from '../sim/energy.ts';
import { ENGINE_DEFAULTS, MEMORY_MODELS, arrayForP, eachBuffer, type EngineConfig } from '../sim/engine/config.ts';
import { simulateGraph, simulateOps } from '../sim/engine/engine.ts';
import { DATAPATHS, DATAPATH_KINDS } from '../sim/datapath.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { closeTo } from './energy.ts';
import { describeGraph, describePreset, type Law } from './law.ts';

/** The engine in ideal mode on the array of p PEs (64 when the preset's rule decides). */
export const idealConfig = (p?: number): EngineConfig => ({ ...ENGINE_DEFAULTS, ...arrayForP(p ?? 64), mode: 'ideal' });

const gemmArb = fc.record({
  M: fc.integer({ min: 1, max: 40 }),
  N: fc.integer({ min: 1, max: 40 }),
  K: fc.integer({ min: 1, max: 40 }),
  rows: fc.integer({ min: 1, max: 8 }),
  cols: fc.integer({ min: 1, max: 8 }),
  dataflow: fc.constantFrom('os' as const, 'ws' as const, 'is' as const),
});

type Gemm = typeof gemmArb extends fc.Arbitrary<infer T> ? T : never;
const gemmWords = (g: Gemm) => `GEMM M=${g.M} N=${g.N} K=${g.K} on ${g.rows}×${g.cols}, ${g.dataflow}`;

export const ENGINE_LAWS: readonly Law[] = [
  {
    name: 'ideal-is-closed-form',
    group: 'engine',
    statement: 'the engine in ideal mode prices every op exactly as the closed form',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, ctx.ps, (graph, preset, p) => {
      const engine = simulateGraph(graph, idealConfig(p), preset, { p });
      // Ideal mode is the paper's: unlimited main memory.
      const closed = priceGraph(graph, preset, { p, mainMemoryBits: Infinity });
      return engine.ops.every((op, i) => op.energy.compute === closed.ops[i].energy.compute && op.energy.weight === closed.ops[i].energy.weight && op.energy.activation === closed.ops[i].energy.activation) && closeTo(engine.energy.total, closed.energy.total);
    }),
    explain: ([graph, preset, p]) => `graph ${describeGraph(graph as Graph)}; preset ${describePreset(preset as HardwarePreset)}; p ${p ?? 'by rule'}: an op's engine energy differs from the closed form`,
  },
  {
    name: 'bandwidth-adds-stall',
    group: 'engine',
    statement: 'less bandwidth never means fewer cycles, and every extra cycle is a stall',
    property: (ctx) => fc.property(gemmArb, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 4, max: 256 }), ctx.presets, (g, bw, buffer, preset) => {
      const run = (bandwidth: number) => simulateOps([gemmOp('g', g.M, g.N, g.K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow, bandwidth, localBufferWords: eachBuffer(buffer), packing: 'word' }, preset).ops[0];
      const fast = run(Infinity);
      const slow = run(2 * bw);
      const slower = run(bw);
      // Not "cycles − stall = the unlimited cycles": like SCALE-Sim, a run ends when its last output
      // is written, so a read stall on the very last cycle counts as stall but not as time.
      return slow.cycles >= fast.cycles && slower.cycles >= slow.cycles && slow.cycles - fast.cycles <= slow.stallCycles && slow.accesses.localWeightReads === fast.accesses.localWeightReads;
    }),
    explain: ([g, bw, buffer]) => `${gemmWords(g as Gemm)}, bandwidth ${bw} vs ${2 * (bw as number)} words/cycle, ${buffer}-word buffers: fewer cycles than with more bandwidth, or cycles beyond stall`,
  },
  {
    name: 'outputs-reach-memory',
    group: 'engine',
    // Not "every input is fetched" under SCALE-Sim's rules: its residency lines (⌈size/100⌉
    // elements) straddle its half-buffer prefetches, so an element can count as resident without
    // a read (docs/engine.md: 912 reads for 918 inputs on a 1×1 array); 'each-element-once' states it for the stream model.
    statement: 'with finite buffers and bandwidth every output reaches main memory; SCALE-Sim’s rules write every partial sum',
    property: (ctx) => fc.property(gemmArb, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 4, max: 256 }), fc.constantFrom(...MEMORY_MODELS), ctx.presets, (g, bw, buffer, memoryModel, preset) => {
      const op = simulateOps([gemmOp('g', g.M, g.N, g.K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow, bandwidth: bw, localBufferWords: eachBuffer(buffer), packing: 'word', memoryModel }, preset).ops[0];
      const a = op.accesses;
      return a.mainActivationWrites >= g.M * g.N && (memoryModel === 'stream' || a.mainActivationWrites >= a.localOutputWrites);
    }),
    explain: ([g, bw, buffer, model]) => `${gemmWords(g as Gemm)}, ${bw} words/cycle, ${buffer}-word buffers, ${model}: fewer main-memory writes than outputs`,
  },
  {
    name: 'each-element-once',
    group: 'engine',
    statement: 'streaming buffers move every element across once and itemise every further crossing; with room for whole operands there is none',
    property: (ctx) => fc.property(gemmArb, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 4, max: 256 }), fc.boolean(), ctx.presets, (g, bw, buffer, roomy, preset) => {
      const words = roomy ? Math.max(g.M * g.K, g.K * g.N, g.M * g.N) : buffer;
      const op = simulateOps([gemmOp('g', g.M, g.N, g.K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow, bandwidth: bw, localBufferWords: eachBuffer(words), packing: 'word', memoryModel: 'stream' }, preset).ops[0];
      const a = op.accesses;
      const o = op.overReads;
      const itemised =
        a.mainWeightReads === g.K * g.N + o.filterRefetches &&
        a.mainActivationReads === g.M * g.K + o.ifmapRefetches + o.partialSumSpills &&
        a.mainActivationWrites === g.M * g.N + o.partialSumSpills;
      return itemised && (!roomy || o.filterRefetches + o.ifmapRefetches + o.partialSumSpills === 0);
    }),
    explain: ([g, bw, buffer, roomy]) => `${gemmWords(g as Gemm)}, ${bw} words/cycle, ${roomy ? 'buffers holding whole operands' : `${buffer}-word buffers`}: main-memory traffic not itemised by cause${roomy ? ', or an over-read with room for everything' : ''}`,
  },
  {
    name: 'datapath-scales-with-bits',
    group: 'engine',
    // Not "fewer cycles" under finite bandwidth: a wider vector arrives in a burst, so a tiny
    // memory-bound GEMM can stall a cycle or two more at fewer bits.
    statement: 'on a precision-scalable datapath fewer bits never take more compute cycles (nor more cycles with unlimited bandwidth); on a fixed one compute cycles do not depend on bits',
    property: (ctx) =>
      fc.property(gemmArb, fc.constantFrom(...DATAPATH_KINDS), fc.constantFrom(2, 4, 8, 16), fc.constantFrom(2, 4, 8, 16), fc.constantFrom(Infinity, 4, 16), ctx.presets, (g, kind, b1, b2, bandwidth, preset) => {
        const run = (weightBits: number) =>
          simulateOps([gemmOp('g', g.M, g.N, g.K, { weightBits, activationBits: 16 })], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow, bandwidth, localBufferWords: eachBuffer(4096), datapath: DATAPATHS[kind] }, preset).ops[0];
        const [lo, hi] = [run(Math.min(b1, b2)), run(Math.max(b1, b2))];
        if (kind === 'fixed') return lo.computeCycles === hi.computeCycles;
        return lo.computeCycles <= hi.computeCycles && (bandwidth !== Infinity || lo.cycles <= hi.cycles);
      }),
    explain: ([g, kind, b1, b2, bw]) => `${gemmWords(g as Gemm)}, ${kind} datapath, weights at ${b1} vs ${b2} bits, bandwidth ${bw}: fewer bits took more compute cycles (or more cycles with unlimited bandwidth, or a fixed datapath's compute cycles moved)`,
  },
  {
    name: 'packing-bound',
    group: 'engine',
    statement: 'a GEMM never beats perfect packing, counts every MAC once, and stalls only with finite bandwidth',
    property: (ctx) => fc.property(gemmArb, ctx.presets, (g, preset) => {
      const op = simulateOps([gemmOp('g', g.M, g.N, g.K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow }, preset).ops[0];
      return op.cycles >= Math.ceil((g.M * g.N * g.K) / (g.rows * g.cols)) && op.macs === g.M * g.N * g.K && op.stallCycles === 0 && op.utilization <= 1 && op.accesses.localActivationReads >= g.M * g.K && op.accesses.localWeightReads >= g.K * g.N;
    }),
    explain: ([g]) => `${gemmWords(g as Gemm)}: faster than perfect packing, a MAC miscounted, or a stall with unlimited bandwidth`,
  },
];
