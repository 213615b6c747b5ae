/**
 * The engine's events as an rxjs Observable. Nothing runs until someone subscribes, and a run
 * without a subscriber passes no sink, so no event objects are made (cost: nothing).
 */
import { Observable } from 'rxjs';
import type { Graph } from '../../nets/graph.ts';
import type { HardwarePreset } from '../presets.ts';
import type { EngineConfig } from './config.ts';
import { simulateGraph, type EngineResult } from './engine.ts';
import type { EngineEvent } from './events.ts';

export function engineEvents$(graph: Graph, config: EngineConfig, preset: HardwarePreset, p?: number): Observable<EngineEvent | { type: 'done'; result: EngineResult }> {
  return new Observable((subscriber) => {
    try {
      const result = simulateGraph(graph, config, preset, { p, sink: (e) => subscriber.next(e) });
      subscriber.next({ type: 'done', result });
      subscriber.complete();
    } catch (error) {
      subscriber.error(error);
    }
  });
}
