/**
 * PSO bit allocation vs the exhaustive optimum on the 256-configuration space of the (64, 1024)
 * precoder (docs/results.md): closed-form energies, seeded synthetic rates; 10 rate models ×
 * {budgets 8, 15, 25 µJ, target 17.5 bit/s/Hz} × 5 seeds = 200 runs per setting. Only distinct
 * rate evaluations are counted. Prints one JSON document.
 *   npx tsx bench/pso.ts
 */
import { KASALAEE_2025 } from '../sim/presets.ts';
import { BIT_CHOICES, bitObjective, energyOfBits, groupedEnergy, groupedSyntheticQuality, syntheticQuality } from '../search/objective.ts';
import { exhaustive, pso, type Problem } from '../search/pso.ts';
import { HIT_SETS, psoHitTally } from '../search/pso-check.ts';

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
// The settings the CLI runs (psoSettings): PPSO 12 × 60, greedy particle under a budget,
// feasibility rule, ratings capped at a quarter of the space; on the 200 runs above and on two
// held-out sets of rate models and seeds. A hit must come within the cap.
const cli = [];
for (const set of HIT_SETS) {
  const t = await psoHitTally(energy, set);
  cli.push({
    rateModels: `${set.q0}-${set.q1}`,
    seeds: `${set.s0}-${set.s1 - 1}`,
    runs: t.runs,
    hitWithin64: t.hits / t.runs,
    maxQualityHits: t.byForm['max-quality'][0] / t.byForm['max-quality'][1],
    minCostHits: t.byForm['min-cost'][0] / t.byForm['min-cost'][1],
    meanEvaluations: t.evaluations / t.runs,
    maxEvaluations: t.maxEvaluations,
  });
}

// A space too large to enumerate: bits per group of 8 output channels per layer (4⁳² points).
// Compared with the exhaustive optimum of the per-layer space it contains.
const G = 8;
const grouped = [];
const groupedCost = groupedEnergy(64, 1024, KASALAEE_2025, G);
for (const q of [1, 2, 3]) {
  const perLayer = exhaustive(4, 4, bitObjective(energy, syntheticQuality(q)), { kind: 'max-quality', budget: 12 });
  const gq = groupedSyntheticQuality(q, G);
  for (const seed of [0, 1]) {
    const r = await pso(4 * G, 4, { cost: (x) => groupedCost(x.map((i) => BIT_CHOICES[i])), quality: (x) => gq(x.map((i) => BIT_CHOICES[i])) }, { kind: 'max-quality', budget: 12 }, { algorithm: 'gcpso', particles: 10, iterations: 20, seed });
    grouped.push({ rateModel: q, seed, perLayerOptimum: perLayer.evaluation?.quality, groupedPso: r.bestEvaluation?.quality, groupedEnergy_uJ: r.bestEvaluation?.cost, evaluations: r.evaluations });
  }
}
process.stdout.write(JSON.stringify({ perLayerSpace: rows, cliSettings: cli, groupsOf8: grouped }, null, 2) + '\n');
