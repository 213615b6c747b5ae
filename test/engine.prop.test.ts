import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { buildPrecoder } from '../nets/precoder.ts';
import { priceGraph } from '../sim/energy.ts';
import { ENGINE_DEFAULTS, arrayForP, type EngineConfig } from '../sim/engine/config.ts';
import { simulateGraph, simulateOps } from '../sim/engine/engine.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import { EventQueue } from '../sim/engine/queue.ts';
import { engineEvents$ } from '../sim/engine/stream.ts';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { energyLaws } from './laws/energy-laws.ts';
import { graphArb, pArb, presetArb } from './laws/arbitraries.ts';

const ideal = (p: number | undefined): EngineConfig => ({ ...ENGINE_DEFAULTS, ...arrayForP(p ?? 64), mode: 'ideal' });

energyLaws('engine, ideal mode', (graph, preset, { p }) => simulateGraph(graph, ideal(p), preset, { p }));

describe('engine, ideal mode', () => {
  it('equals the closed-form energy exactly, op by op, for any graph and preset', () => {
    fc.assert(
      fc.property(graphArb, presetArb, pArb, (graph, preset, p) => {
        const engine = simulateGraph(graph, ideal(p), preset, { p });
        const closed = priceGraph(graph, preset, { p });
        engine.ops.forEach((op, i) => {
          expect(op.energy.compute).toBe(closed.ops[i].energy.compute);
          expect(op.energy.weight).toBe(closed.ops[i].energy.weight);
          expect(op.energy.activation).toBe(closed.ops[i].energy.activation);
        });
        expect(engine.energy.total).toBeCloseTo(closed.energy.total, 9);
      }),
    );
  });
});

const gemmArb = fc.record({
  M: fc.integer({ min: 1, max: 40 }),
  N: fc.integer({ min: 1, max: 40 }),
  K: fc.integer({ min: 1, max: 40 }),
  rows: fc.integer({ min: 1, max: 8 }),
  cols: fc.integer({ min: 1, max: 8 }),
  dataflow: fc.constantFrom('os' as const, 'ws' as const, 'is' as const),
});

describe('engine, systolic mode', () => {
  it('never beats perfect packing, counts every MAC once, and stalls only with finite bandwidth', () => {
    fc.assert(
      fc.property(gemmArb, ({ M, N, K, rows, cols, dataflow }) => {
        const op = simulateOps([gemmOp('g', M, N, K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows, cols, dataflow }, KASALAEE_2025).ops[0];
        expect(op.cycles).toBeGreaterThanOrEqual(Math.ceil((M * N * K) / (rows * cols)));
        expect(op.macs).toBe(M * N * K);
        expect(op.stallCycles).toBe(0);
        expect(op.utilization).toBeLessThanOrEqual(1);
        // Every operand element reaches the array at least once.
        expect(op.accesses.localActivationReads).toBeGreaterThanOrEqual(M * K);
        expect(op.accesses.localWeightReads).toBeGreaterThanOrEqual(K * N);
      }),
    );
  });

  it('less bandwidth never means fewer cycles; the difference is stall', () => {
    fc.assert(
      fc.property(gemmArb, fc.integer({ min: 1, max: 16 }), fc.constantFrom('per-operand' as const, 'shared' as const), (g, bw, sharing) => {
        const run = (bandwidth: number) =>
          simulateOps([gemmOp('g', g.M, g.N, g.K, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: g.rows, cols: g.cols, dataflow: g.dataflow, bandwidth, bandwidthSharing: sharing }, KASALAEE_2025).ops[0];
        const fast = run(Infinity);
        const slow = run(bw);
        const slower = run(bw / 2);
        expect(slow.cycles).toBeGreaterThanOrEqual(fast.cycles);
        expect(slower.cycles).toBeGreaterThanOrEqual(slow.cycles);
        expect(slow.cycles - slow.stallCycles).toBe(fast.cycles);
        expect(slow.accesses.localWeightReads).toBe(fast.accesses.localWeightReads);
      }),
    );
  });

  it('a model that does not fit main memory spills off chip and costs more', () => {
    const graph = buildPrecoder({ cout: 8, dfcl: 64, nt: 8, nu: 2, bits: [16, 16, 16, 16] });
    const roomy = simulateGraph(graph, { ...ENGINE_DEFAULTS, rows: 4, cols: 4 }, KASALAEE_2025);
    const tight = simulateGraph(graph, { ...ENGINE_DEFAULTS, rows: 4, cols: 4, mainMemoryBits: 16 * 2000 }, KASALAEE_2025);
    expect(roomy.accesses.offChipWeightReads).toBe(0);
    expect(tight.accesses.offChipWeightReads).toBeGreaterThan(0);
    expect(tight.energy.weight).toBeGreaterThan(roomy.energy.weight);
  });
});

describe('the event queue and stream', () => {
  it('pops in cycle order (ties in insertion order) and refuses to go back in time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), (times) => {
        const q = new EventQueue();
        times.forEach((t, i) => q.push(t, 0, i));
        const out: [number, number][] = [];
        while (q.pop()) out.push([q.popped.time, q.popped.a]);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(expected);
        expect(() => q.push(q.now - 1, 0)).toThrow(/in the past/);
      }),
    );
  });

  it('runs nothing until subscribed; a subscriber sees ops, folds and the result', async () => {
    const graph = buildPrecoder({ cout: 8, dfcl: 32, nt: 4, nu: 2, bits: [8, 8, 8, 8] });
    const events$ = engineEvents$(graph, { ...ENGINE_DEFAULTS, rows: 4, cols: 4, bandwidth: 4 }, KASALAEE_2025);
    const events = await firstValueFrom(events$.pipe(toArray()));
    expect(events.some((e) => e.type === 'fold')).toBe(true);
    expect(events.some((e) => e.type === 'transfer')).toBe(true);
    const done = events[events.length - 1];
    expect(done.type).toBe('done');
    // Without a sink the same simulation produces the same numbers.
    const plain = simulateGraph(graph, { ...ENGINE_DEFAULTS, rows: 4, cols: 4, bandwidth: 4 }, KASALAEE_2025);
    if (done.type === 'done') expect(done.result.cycles).toBe(plain.cycles);
  });
});
