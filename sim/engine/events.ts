/** What the engine reports while it runs: for progress bars, tracing and tests. */
export type Unit = 'array' | 'vector' | 'ifmap' | 'filter' | 'output';

export type EngineEvent =
  | { readonly type: 'op'; readonly op: string; readonly unit: 'array' | 'vector' | 'none'; readonly start: number; readonly end: number }
  | { readonly type: 'fold'; readonly op: string; readonly index: number; readonly start: number; readonly end: number }
  | { readonly type: 'transfer'; readonly op: string; readonly unit: Unit; readonly words: number; readonly start: number; readonly end: number }
  | { readonly type: 'stall'; readonly op: string; readonly start: number; readonly end: number };

export type EventSink = (event: EngineEvent) => void;
