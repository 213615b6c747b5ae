/** Training defaults, in a module of their own so the CLI can show them without loading tfjs. */
export const TRAIN_DEFAULTS = { epochs: 60, batchSize: 1000, learningRate: 1e-3, patience: 10 } as const;

/**
 * A stopping rule stated in advance, the same for every architecture: after at least `minSteps`
 * steps, stop when the best validation metric gained less than `minGain` (relative) over the
 * last `window` of the steps run so far — the best up to step (1 − window)·S against the best up
 * to step S.
 */
export interface ConvergenceRule {
  readonly minSteps: number;
  readonly window: number;
  readonly minGain: number;
}

/** The tfjs backends a command may ask for (train/backend.ts), listed here so the CLI need not load tfjs. */
export const BACKENDS = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** The documented rule (docs/training.md, "When a training stops"). */
export const CONVERGENCE_DEFAULTS: ConvergenceRule = { minSteps: 5000, window: 0.25, minGain: 0.005 };

/** Codeword bits per element a codec can be trained to send (signed LSQ needs a level either side of 0). */
export const CODEWORD_TRAIN_BITS = { min: 2, max: 16 } as const;
