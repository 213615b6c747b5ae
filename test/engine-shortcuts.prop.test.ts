/**
 * The memory system's shortcuts against its plain model, on random GEMMs and convolutions: SCALE-
 * Sim's scratchpads served by fetch-order line with quiet stretches taken at once (and a GEMM's
 * lines from its geometry) against every demand served one by one; streaming buffers with
 * repeated passes added against every pass served; a shape's run reused for later groups and ops
 * against each run on its own. Same cycles, stalls, traffic by cause and fold events, exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { DATAFLOWS, ENGINE_DEFAULTS, eachBuffer, type EngineConfig } from '../sim/engine/config.ts';
import { convOperands, demandStream, gemmOperands } from '../sim/engine/demand.ts';
import { simulateOps } from '../sim/engine/engine.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import { runScratchpads, type MemoryModel } from '../sim/engine/scratchpad.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';

const shape = fc.record({
  dataflow: fc.constantFrom(...DATAFLOWS),
  R: fc.integer({ min: 1, max: 6 }),
  C: fc.integer({ min: 1, max: 6 }),
  // A GEMM (M × K by K × N) or a convolution (input side, filter side, channels, stride).
  // SCALE-Sim's geometry, or a graph's with "same"-style padding (windows reaching past the input).
  conv: fc.option(fc.record({ side: fc.integer({ min: 3, max: 9 }), filter: fc.integer({ min: 1, max: 3 }), channels: fc.integer({ min: 1, max: 4 }), stride: fc.integer({ min: 1, max: 2 }), padded: fc.boolean() }), { nil: null }),
  M: fc.integer({ min: 1, max: 40 }),
  N: fc.integer({ min: 1, max: 30 }),
  K: fc.integer({ min: 1, max: 40 }),
  ifmap: fc.integer({ min: 2, max: 200 }),
  filter: fc.integer({ min: 2, max: 200 }),
  output: fc.integer({ min: 2, max: 200 }),
  ifmapBandwidth: fc.integer({ min: 1, max: 6 }),
  filterBandwidth: fc.integer({ min: 1, max: 6 }),
  outputBandwidth: fc.integer({ min: 1, max: 6 }),
  passes: fc.integer({ min: 1, max: 3 }),
});

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

function run(s: Shape, model: MemoryModel, shortcuts: boolean) {
  const c = s.conv;
  const pad = c ? Math.floor(c.filter / 2) : 0;
  const out = c ? Math.floor((c.side + 2 * pad - c.filter) / c.stride) + 1 : 0;
  const operands = c ? convOperands(c.side, c.side, c.filter, c.filter, c.channels, s.N, c.stride, c.stride, c.padded ? { top: pad, left: pad, outHeight: out, outWidth: out } : undefined) : gemmOperands(s.M, s.N, s.K);
  // The plain model fills every fold's demands afresh (no streamed ifmap kept between passes).
  const stream = demandStream(operands, s.dataflow, s.R, s.C, model === 'stream', model === 'stream' && shortcuts);
  const folds: number[][] = [];
  const result = runScratchpads(stream, s, model, s.passes, (j, start, end, moved) => folds.push([j, start, end, moved.ifmap, moved.filter, moved.output]), shortcuts);
  return { result, folds };
}

describe("the memory system's shortcuts equal its plain model", () => {
  for (const model of ['scalesim', 'refetch', 'stream'] as const) {
    it(`${model}: every run and fold the same with and without shortcuts`, () => {
      fc.assert(
        fc.property(shape, (s) => {
          expect(run(s, model, true)).toEqual(run(s, model, false));
        }),
        { numRuns: 400, seed: 32 },
      );
    });
  }

  it('a shape repeated (a later op, a later group) costs what it costs alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.constantFrom(...DATAFLOWS), fc.constantFrom<MemoryModel>('stream', 'scalesim'), (M, N, K, dataflow, memoryModel) => {
        const config: EngineConfig = { ...ENGINE_DEFAULTS, rows: 4, cols: 4, dataflow, bandwidth: 2, localBufferWords: eachBuffer(128), wordBits: 8, packing: 'word', memoryModel };
        const one = simulateOps([gemmOp('a', M, N, K, DEFAULT_PRECISION)], config, KASALAEE_2025).ops[0];
        const events: unknown[] = [];
        const two = simulateOps([gemmOp('a', M, N, K, DEFAULT_PRECISION), gemmOp('b', M, N, K, DEFAULT_PRECISION)], config, KASALAEE_2025, { sink: (e) => events.push(e) }).ops;
        for (const op of two) {
          expect(op.cycles).toBe(one.cycles);
          expect(op.stallCycles).toBe(one.stallCycles);
          expect(op.accesses).toEqual(one.accesses);
          expect(op.overReads).toEqual(one.overReads);
        }
        // The second op's folds are the first's, shifted by the first op's cycles.
        const folds = (name: string) => events.flatMap((e) => ((e as { type: string; op: string }).type === 'fold' && (e as { op: string }).op === name ? [e as { start: number; end: number }] : []));
        expect(folds('b').map((f) => [f.start - one.cycles, f.end - one.cycles])).toEqual(folds('a').map((f) => [f.start, f.end]));
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  // The shortcuts must also be taken, not only be right: these count the folds the buffers ask the
  // demand stream for (a pass served is its folds asked for once each).
  const foldsAsked = (operands: ReturnType<typeof gemmOperands>, dataflow: (typeof DATAFLOWS)[number], R: number, C: number, sizes: Parameters<typeof runScratchpads>[1]) => {
    const stream = demandStream(operands, dataflow, R, C, true);
    const asked = new Set<number>();
    const counted = { ...stream, fold: (j: number, parts?: number) => (asked.add(j), stream.fold(j, parts)) };
    const fast = runScratchpads(counted, sizes, 'stream', 1);
    expect(fast).toEqual(runScratchpads(demandStream(operands, dataflow, R, C, true, false), sizes, 'stream', 1, undefined, false));
    return { asked: asked.size, folds: stream.folds, perPass: stream.passes!.folds };
  };

  it('streaming buffers serve three passes of a batch-1 dense layer (its inputs idle after the first) and the narrower last, not all thirteen', () => {
    // 1 × 512 by 512 × 200 on 16 × 16: 32 row folds, 13 passes (the last narrower).
    const r = foldsAsked(gemmOperands(1, 200, 512), 'ws', 16, 16, { ifmap: 4096, filter: 4096, output: 4096, ifmapBandwidth: 8, filterBandwidth: 8, outputBandwidth: 8 });
    expect(r.folds).toBe(13 * 32);
    expect(r.asked).toBe(4 * r.perPass);
  });

  it("streaming buffers serve two passes of a convolution whose weight blocks outlast a pass in the filter buffer, not three", () => {
    // ResNet-18's Conv1 on an 8 × 8 array (the filter buffer holds a pass's weights and more: old weights linger into the second pass).
    const r = foldsAsked(convOperands(40, 40, 7, 7, 3, 32, 2, 2), 'ws', 8, 8, { ifmap: 1024, filter: 2048, output: 256, ifmapBandwidth: 4, filterBandwidth: 4, outputBandwidth: 4 });
    expect(r.folds).toBe(4 * r.perPass);
    expect(r.asked).toBe(2 * r.perPass);
  });

  it("a convolution's fold demands computed from its geometry equal those read from its address table", () => {
    fc.assert(
      fc.property(shape, (s) => {
        const c = s.conv ?? { side: 5, filter: 3, channels: 2, stride: 1, padded: true };
        const pad = Math.floor(c.filter / 2);
        const out = Math.floor((c.side + 2 * pad - c.filter) / c.stride) + 1;
        const operands = convOperands(c.side, c.side, c.filter, c.filter, c.channels, s.N, c.stride, c.stride, c.padded ? { top: pad, left: pad, outHeight: out, outWidth: out } : undefined);
        // The same shape without its geometry: every address read from the table.
        const tabled = { pixels: operands.pixels, window: operands.window, filters: operands.filters, ifmap: operands.ifmap };
        const a = demandStream(operands, s.dataflow, s.R, s.C, true);
        const b = demandStream(tabled, s.dataflow, s.R, s.C, true);
        expect(a.ifmapAddresses).toBe(b.ifmapAddresses);
        for (let j = 0; j < a.folds; j++) expect(Array.from(a.fold(j).ifmap)).toEqual(Array.from(b.fold(j).ifmap));
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});
