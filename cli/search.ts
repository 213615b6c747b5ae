/** `codesign search` and `codesign results export`. */
import { InputError } from '../core/errors.ts';
import { oneOf, positiveInt, positiveNumber } from '../core/validate.ts';
import { initBackend } from '../nets/tf/backend.ts';
import { evaluateRate, modelFromCheckpoint } from '../nets/train.ts';
import { assignment } from '../nets/supernet.ts';
import { loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { efficiencyFront, parseArchs, runPsoSearch, runSearch, syntheticQualityFn, type Experiment, type QualityFn } from '../search/run.ts';
import { ResultsStore } from '../search/store.ts';
import { table } from './format.ts';

export interface SearchOptions {
  readonly db: string;
  readonly experiment: string;
  readonly archs: string;
  readonly quality: string;
  readonly scenario: string;
  readonly samples: string;
  readonly preset: string;
  readonly throttleMs?: string;
  readonly algo: string;
  readonly budget?: string;
  readonly target?: string;
  readonly seed: string;
}

async function qualityFn(exp: Experiment): Promise<QualityFn> {
  const q = exp.quality;
  if (q.source === 'synthetic') return syntheticQualityFn(q.seed);
  await initBackend();
  const { model, graph } = modelFromCheckpoint(q.dir);
  const fc1 = graph.ops.find((op) => op.name === 'fc1');
  const conv = graph.ops.find((op) => op.name === 'conv');
  const test = loadDataset(loadScenario(q.scenario), 'test') as MimoDataset;
  return async (cout, dfcl, bits) => {
    if (conv?.kind !== 'conv2d' || fc1?.kind !== 'dense' || conv.filters !== cout || fc1.units !== dfcl) {
      throw new InputError('--archs', `${cout}x${dfcl}`, `allowed: the checkpoint's architecture (${graph.name}) for checkpoint quality`);
    }
    return evaluateRate(model, test, assignment(model, bits), q.samples);
  };
}

/** PSO bit allocation for one architecture (max rate under --budget µJ, or min energy for --target rate). */
export async function runPsoCommand(o: SearchOptions) {
  const algorithm = oneOf('--algo', o.algo, ['ppso', 'gcpso'] as const);
  if ((o.budget === undefined) === (o.target === undefined)) throw new InputError('--budget', o.budget ?? '(none)', 'allowed: exactly one of --budget (µJ, maximise the rate) or --target (bit/s/Hz, minimise the energy)');
  const problem = o.budget !== undefined ? { kind: 'max-quality' as const, budget: positiveNumber('--budget', o.budget) } : { kind: 'min-cost' as const, target: positiveNumber('--target', o.target!) };
  const exp = experimentOf(o);
  const quality = await qualityFn(exp);
  const store = await ResultsStore.open(o.db);
  try {
    const r = await runPsoSearch(exp, store, quality, problem, { algorithm, particles: 7, iterations: 5, seed: positiveInt('--seed', o.seed) });
    return { algorithm, problem, bits: r.bits, evaluation: r.result.bestEvaluation, qualityEvaluations: r.result.evaluations, freshEvaluations: r.freshEvaluations, space: r.space };
  } finally {
    store.close();
  }
}

function experimentOf(o: SearchOptions): Experiment {
  const synthetic = /^synthetic(?::(\d+))?$/.exec(o.quality);
  return {
    name: o.experiment,
    archs: parseArchs(o.archs),
    bitChoices: [2, 4, 8, 16],
    preset: o.preset,
    quality: synthetic ? { source: 'synthetic', seed: Number(synthetic[1] ?? 1) } : { source: 'checkpoint', dir: o.quality, scenario: o.scenario, samples: positiveInt('--samples', o.samples) },
  };
}

export async function runSearchCommand(o: SearchOptions) {
  const exp = experimentOf(o);
  const throttleMs = o.throttleMs === undefined ? undefined : positiveInt('--throttle-ms', o.throttleMs);
  const quality = await qualityFn(exp);
  const store = await ResultsStore.open(o.db);
  try {
    const outcome = await runSearch(exp, store, quality, {
      throttleMs,
      onProgress: (done, total) => {
        if (process.stderr.isTTY && (done % 16 === 0 || done === total)) process.stderr.write(`\r${done}/${total} points`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    return { ...outcome, front: efficiencyFront(outcome.points).map((f) => f.item) };
  } finally {
    store.close();
  }
}

export function renderSearch(r: Awaited<ReturnType<typeof runSearchCommand>>): string {
  return [
    `${r.total} points: ${r.reused} reused from the store, ${r.evaluated} evaluated`,
    'Pareto front (energy efficiency vs sum rate):',
    table(
      ['C_out/D_FCL', 'bits', 'sum rate', 'energy µJ', 'bit/s/Hz/µJ'],
      r.front.map((p) => [`${p.cout}/${p.dfcl}`, p.bits.join(','), p.sumRate, p.energy_uJ, p.sumRate / p.energy_uJ]),
    ),
  ].join('\n');
}

export async function runExport(o: { db: string; format: string; out: string }) {
  const format = oneOf('--format', o.format, ['csv', 'parquet'] as const);
  const store = await ResultsStore.open(o.db);
  try {
    return { rows: await store.export(o.out, format), file: o.out, format };
  } finally {
    store.close();
  }
}
