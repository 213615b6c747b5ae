/**
 * PSO bit allocation vs the exhaustive optimum on the 256-configuration space of the (64, 1024)
 * precoder (docs/results.md): closed-form energies, seeded synthetic rates; 10 rate models ×
 * {budgets 8, 15, 25 µJ, target 17.5 bit/s/Hz} × 5 seeds = 200 runs per setting. Only distinct
 * rate evaluations are counted. Prints one JSON document.
 *   npx tsx bench/pso.ts
 */
import { KASALAEE_2025 } from '../sim/presets.ts';
import { bitObjective, energyOfBits, syntheticQuality } from '../search/objective.ts';
import { exhaustive, pso, type Problem } from '../search/pso.ts';

const energy = energyOfBits(64, 1024, KASALAEE_2025);
const settings = [
  ['ppso', 12, 20],
  ['ppso', 8, 10],
  ['gcpso', 6, 5],
  ['gcpso', 7, 5],
  ['gcpso', 7, 6],
] as const;
const rows = [];
for (const [algorithm, particles, iterations] of settings) {
  let hits = 0;
  let hitsWithinQuarter = 0;
  let evaluations = 0;
  let runs = 0;
  for (let q = 1; q <= 10; q++) {
    const objective = bitObjective(energy, syntheticQuality(q));
    const problems: Problem[] = [
      { kind: 'max-quality', budget: 8 },
      { kind: 'max-quality', budget: 15 },
      { kind: 'max-quality', budget: 25 },
      { kind: 'min-cost', target: 17.5 },
    ];
    for (const problem of problems) {
      const best = exhaustive(4, 4, objective, problem).best?.join();
      for (let seed = 0; seed < 5; seed++) {
        const r = await pso(4, 4, objective, problem, { algorithm, particles, iterations, seed });
        runs++;
        evaluations += r.evaluations;
        if (r.best && r.best.join() === best) {
          hits++;
          if (r.evaluations <= 64) hitsWithinQuarter++;
        }
      }
    }
  }
  rows.push({ algorithm, particles, iterations, runs, hitRate: hits / runs, meanEvaluations: evaluations / runs, hitWithin64: hitsWithinQuarter / runs });
}
process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
