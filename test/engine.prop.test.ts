import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { buildPrecoder } from '../nets/precoder.ts';
import { priceGraph } from '../sim/energy.ts';
import { ENGINE_DEFAULTS } from '../sim/engine/config.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import { EventQueue } from '../sim/engine/queue.ts';
import { engineEvents$ } from '../sim/engine/stream.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { energyLaws, lawSuite } from './laws/energy-laws.ts';
import { ENGINE_LAWS, idealConfig } from '../laws/engine.ts';

energyLaws('engine, ideal mode', (graph, preset, { p }) => simulateGraph(graph, idealConfig(p), preset, { p }));

lawSuite('engine laws', ENGINE_LAWS, (graph, preset, options) => priceGraph(graph, preset, options));

describe('engine, systolic mode', () => {
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
