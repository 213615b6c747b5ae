import fc from 'fast-check';

// Every random draw is seeded: property tests replay the same cases unless FC_SEED says otherwise.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123), numRuns: Number(process.env.FC_RUNS ?? 150) });
