/**
 * Chrome trace-event JSON (opens in Perfetto or chrome://tracing): one track per unit — the
 * MAC array, the vector unit and each main-memory channel — with timestamps in µs at the
 * engine's clock. Fold-level events are kept up to a cap per op so a trace stays openable.
 */
import type { EngineEvent, Unit } from './events.ts';

export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

const TRACKS: Record<Unit | 'stall', { tid: number; name: string }> = {
  array: { tid: 1, name: 'MAC array' },
  vector: { tid: 2, name: 'vector unit' },
  ifmap: { tid: 3, name: 'ifmap channel (main memory → local buffer)' },
  filter: { tid: 4, name: 'filter channel (main memory → local buffer)' },
  output: { tid: 5, name: 'output channel (local buffer → main memory)' },
  stall: { tid: 7, name: 'array stalls' },
};

export const FOLD_EVENTS_PER_OP = 5000;

/** A Chrome trace-event document. */
export interface TraceDocument {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: Record<string, unknown>;
}

export interface TraceCollector {
  readonly sink: (e: EngineEvent) => void;
  document(): TraceDocument;
}

export function traceCollector(clockMHz: number, pid = 1, title = 'codesign engine'): TraceCollector {
  const us = (cycles: number) => cycles / clockMHz;
  const events: TraceEvent[] = [];
  const foldsPerOp = new Map<string, number>();
  let dropped = 0;
  const usedTracks = new Set<number>();
  const add = (track: (typeof TRACKS)[keyof typeof TRACKS], name: string, start: number, end: number, cat: string, args?: Record<string, unknown>) => {
    usedTracks.add(track.tid);
    events.push({ name, ph: 'X', pid, tid: track.tid, ts: us(start), dur: us(end - start), cat, ...(args ? { args } : {}) });
  };
  return {
    sink(e) {
      switch (e.type) {
        case 'op':
          if (e.unit !== 'none') add(TRACKS[e.unit], e.op, e.start, e.end, 'op', { cycles: e.end - e.start });
          break;
        case 'fold': {
          const n = foldsPerOp.get(e.op) ?? 0;
          foldsPerOp.set(e.op, n + 1);
          if (n < FOLD_EVENTS_PER_OP) add(TRACKS.array, `${e.op} fold ${e.index}`, e.start, e.end, 'fold');
          else dropped++;
          break;
        }
        case 'transfer':
          if (e.end > e.start) add(TRACKS[e.unit], `${e.op} ${e.words} words`, e.start, e.end, 'transfer', { words: e.words });
          break;
        case 'stall':
          add(TRACKS.stall, `${e.op} stall`, e.start, e.end, 'stall');
          break;
      }
    },
    document() {
      const meta: TraceEvent[] = [
        { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: title } },
        ...Object.values(TRACKS)
          .filter((t) => usedTracks.has(t.tid))
          .map((t): TraceEvent => ({ name: 'thread_name', ph: 'M', pid, tid: t.tid, args: { name: t.name } })),
      ];
      return { traceEvents: [...meta, ...events], displayTimeUnit: 'ns', otherData: { clockMHz, droppedFoldEvents: dropped } };
    },
  };
}
