/** A dedicated training job as the pool and the queue carry it (no tfjs here: coordinators load this). */
import type { PrecoderHead } from '../nets/heads.ts';

export interface TrainingJob {
  readonly scenario: string;
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly testSamples: number;
  /** A checkpoint directory: a job taken up again after its worker died resumes from it. */
  readonly outDir?: string;
}

/** Marks an error of the job's input across the thread boundary (error classes do not cross it). */
export const INPUT_ERROR_MARK = 'input error: ';

export interface TrainingJobResult {
  readonly sumRate: number;
  readonly trainMs: number;
  /** The epoch a job taken up again resumed after (its checkpoint), or null for a fresh start. */
  readonly resumedFromEpoch: number | null;
}

