/**
 * How often the PSO the CLI runs finds the exhaustive optimum of the 256-configuration space
 * within its rating cap, over seeded synthetic rate models and both problem forms — shared by
 * `bench/pso.ts` (which prints it) and `test/search.prop.test.ts` (which asserts it).
 */
import { bitObjective, syntheticQuality } from './objective.ts';
import { exhaustive, pso, psoSettings, type Problem } from './pso.ts';

/** Rate models q0..q1 × seeds s0..s1−1. The first set tuned the settings; the others are held out. */
export const HIT_SETS = [
  { q0: 1, q1: 10, s0: 0, s1: 5 },
  { q0: 11, q1: 40, s0: 5, s1: 10 },
  { q0: 41, q1: 60, s0: 10, s1: 13 },
] as const;

export const HIT_PROBLEMS: readonly Problem[] = [
  { kind: 'max-quality', budget: 8 },
  { kind: 'max-quality', budget: 15 },
  { kind: 'max-quality', budget: 25 },
  { kind: 'min-cost', target: 17.5 },
];

export interface HitTally {
  readonly runs: number;
  readonly hits: number;
  /** [hits, runs] per problem form. */
  readonly byForm: Readonly<Record<Problem['kind'], readonly [number, number]>>;
  readonly evaluations: number;
  readonly maxEvaluations: number;
}

export async function psoHitTally(energy: (bits: readonly number[]) => number, set: (typeof HIT_SETS)[number], algorithm: 'ppso' | 'gcpso' = 'ppso'): Promise<HitTally> {
  const byForm: Record<Problem['kind'], [number, number]> = { 'max-quality': [0, 0], 'min-cost': [0, 0] };
  let evaluations = 0;
  let maxEvaluations = 0;
  for (let q = set.q0; q <= set.q1; q++) {
    const objective = bitObjective(energy, syntheticQuality(q));
    for (const problem of HIT_PROBLEMS) {
      const best = exhaustive(4, 4, objective, problem).best?.join();
      for (let seed = set.s0; seed < set.s1; seed++) {
        const settings = psoSettings(algorithm, problem, 256, seed);
        const r = await pso(4, 4, objective, problem, settings);
        evaluations += r.evaluations;
        maxEvaluations = Math.max(maxEvaluations, r.evaluations);
        byForm[problem.kind][0] += r.best?.join() === best && r.evaluations <= (settings.maxEvaluations ?? Infinity) ? 1 : 0;
        byForm[problem.kind][1]++;
      }
    }
  }
  const runs = byForm['max-quality'][1] + byForm['min-cost'][1];
  return { runs, hits: byForm['max-quality'][0] + byForm['min-cost'][0], byForm, evaluations, maxEvaluations };
}
