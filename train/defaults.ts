/** Training defaults, in a module of their own so the CLI can show them without loading tfjs. */
export const TRAIN_DEFAULTS = { epochs: 60, batchSize: 1000, learningRate: 1e-3, patience: 10 } as const;
