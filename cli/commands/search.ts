/** `codesign search` and `codesign results export`: the seed-000 space into the results store. */
import { outputFile } from '../../core/files.ts';
import { cpus } from 'node:os';
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { oneOf, positiveInt, positiveNumber } from '../../core/validate.ts';
import { PRECODER_HEAD_NAMES } from '../../nets/heads.ts';
import { experimentTable, loadExperiment } from '../../search/experiment.ts';
import { ratesFile, TABLE_HEADS } from '../../search/rates-table.ts';
import type { Experiment } from '../../search/run.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { archsOf, bitChoicesOf, hardwareOf, hardwareOption, presetOption, refuseGiven, seedOf, progressOption, type Given } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { loadScenario, mimoSize } from '../../scenarios/schema.ts';

interface SearchFlags {
  readonly model?: string;
  readonly db: string;
  readonly experiment: string;
  readonly experimentFile?: string;
  readonly archs: string;
  readonly quality: string;
  readonly heads?: string;
  readonly scenario: string;
  readonly samples: string;
  readonly choices: string;
  readonly epochs: string;
  readonly batch: string;
  readonly lr: string;
  readonly threads?: string;
  readonly redis?: string;
  readonly supernets: string;
  readonly preset: string;
  readonly hardware?: string;
  readonly throttleMs?: string;
  readonly progress?: boolean;
  readonly algo: string;
  readonly budget?: string;
  readonly data?: string;
  readonly objective?: string;
  readonly target?: string;
  readonly seed: string;
  readonly maxEvaluations?: string;
  readonly groups?: string;
  readonly json?: boolean;
}

export function register(program: Command, io: Io): void {
  program
    .command('search')
    .description('exhaustive MPQ×NAS search of the seed-000 space into a DuckDB results store (resumable), with the Pareto front')
    .option('--model <file.onnx>', 'an ONNX model: the exact front of energy vs a quantization-noise proxy from its own weights over every per-layer weight-bit assignment from --choices (dynamic programming, nothing stored)')
    .option('--db <file>', 'results database (created if missing; a rerun skips stored points)', 'out/results.duckdb')
    .option('--experiment <name>', 'experiment label stored with each point', 'default')
    .option('--experiment-file <file>', 'a JSON experiment (name, archs, bitChoices, preset, quality) instead of the options below')
    .option('--archs <list>', '"all" or C_outxD_FCL list, e.g. 8x512,64x1024', 'all')
    .option('--quality <src>', 'table (the shipped rates of trained networks, data/rates/<scenario>.csv), table:FILE, a supernet checkpoint directory, "train" (a dedicated training per configuration on a worker pool), "supernet" (one supernet per head and architecture, every configuration rated from it), or synthetic[:seed] (a seeded formula for dry runs, labelled as such)', 'table')
    .option('--heads <list>', 'precoder heads to search: direct, structured, unfolded (default: the table’s heads for a table, direct otherwise)')
    .option('--scenario <name>', 'scenario whose test split rates the networks', 'udem-nlos')
    .option('--samples <n>', 'test samples per configuration', '500')
    .option('--choices <list>', 'weight bit widths per layer', '2,4,8,16')
    .option('--epochs <n>', 'epochs per dedicated training (--quality train)', '10')
    .option('--batch <n>', 'batch size of dedicated trainings', '100')
    .option('--lr <rate>', 'learning rate of dedicated trainings', '1e-3')
    .option('--threads <n>', 'worker threads for dedicated trainings (default: one per core)')
    .option('--supernets <dir>', 'with --quality supernet: where each head and architecture’s supernet checkpoints (shared storage with --redis)', 'out/supernets')
    .option('--redis <url>', 'run dedicated trainings or supernet trainings and ratings (--quality train or supernet) as jobs on a BullMQ queue in this Redis (redis://host:port), taken by codesign worker processes on any machine; this process stores their results')
    .addOption(presetOption())
    .addOption(hardwareOption())
    .option('--throttle-ms <n>', 'wait after each evaluation (demos and resume tests)')
    .addOption(progressOption())
    .addOption(new Option('--algo <a>', 'exhaustive, or PSO bit allocation for one architecture (seed 004)').choices(['exhaustive', 'ppso', 'gcpso']).default('exhaustive'))
    .option('--budget <uJ>', 'PSO: maximise the sum rate (with --model --data: the accuracy) within this energy per inference')
    .option('--objective <axis>', 'with --model: the front\'s cost axis, energy (closed form) or latency (the machine\'s array at the datapath\'s rate for the bits, ideal mode)')
    .option('--data <file.npz>', 'with --model: inputs and labels (or reference outputs) to rate front points by accuracy in onnxruntime, and PPSO over per-layer bits under --budget')
    .option('--target <rate>', 'PSO: minimise the energy reaching this sum rate')
    .option('--seed <s>', 'PSO seed', '1')
    .option('--max-evaluations <n>', 'PSO: stop after rating this many configurations (default: a quarter of the space)')
    .option('--groups <G>', 'PSO: bits per group of output channels, G groups per layer (4·G dimensions; synthetic rates)')
    .option('--json', 'print the outcome as JSON')
    .action(async (o: SearchFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      if (o.model !== undefined) {
        const others = ['db', 'experiment', 'experimentFile', 'archs', 'quality', 'heads', 'scenario', 'samples', 'epochs', 'batch', 'lr', 'threads', 'throttleMs', 'algo', 'target', 'groups', 'progress'];
        refuseGiven(o, given, others, () => `allowed: not with --model (its front: --choices, --preset or --hardware, --data, --budget, --seed, --max-evaluations, --json)`);
        if (o.data === undefined) refuseGiven(o, given, ['budget', 'seed', 'maxEvaluations'], () => 'allowed: with --model only together with --data (the PSO rates assignments on the data)');
        const { MODEL_OBJECTIVES, rateModelSearch, searchModel } = await import('../../studies/model-search.ts');
        const s = { file: o.model, choices: bitChoicesOf(o.choices), preset: hardwareOf(o, given), objective: oneOf('--objective', o.objective ?? 'energy', MODEL_OBJECTIVES) };
        const r =
          o.data === undefined
            ? searchModel(s)
            : await rateModelSearch({ ...s, data: o.data, seed: positiveInt('--seed', o.seed), ...(o.budget !== undefined ? { budget_uJ: positiveNumber('--budget', o.budget) } : {}), ...(o.maxEvaluations !== undefined ? { maxEvaluations: positiveInt('--max-evaluations', o.maxEvaluations) } : {}) });
        io.stdout.write((o.json ? JSON.stringify(r, null, 2) : renderModelSearch(r)) + '\n');
        return;
      }
      refuseGiven(o, given, ['objective', 'data'], () => 'allowed: only with --model (a user network\'s front)');
      // Options of one quality source never pass silently under another.
      const source = /^(table|synthetic)(:|$)/.exec(o.quality)?.[1] ?? (o.quality === 'train' || o.quality === 'supernet' ? o.quality : 'checkpoint');
      const onlyFor: Record<string, readonly string[]> = { samples: ['train', 'supernet', 'checkpoint'], epochs: ['train', 'supernet'], batch: ['train', 'supernet'], lr: ['train', 'supernet'], threads: ['train'], supernets: ['supernet'] };
      const foreign = Object.keys(onlyFor).filter((name) => !onlyFor[name].includes(source));
      refuseGiven(o, given, foreign, (name) => `allowed: only with --quality ${onlyFor[name].join(' or ')} (--quality ${o.quality} rates without it${source === 'table' ? ': the table says its own test samples' : ''})`);
      // An experiment file says the whole experiment: the flags it replaces are refused, not overridden.
      if (o.experimentFile !== undefined) refuseGiven(o, given, ['experiment', 'archs', 'quality', 'heads', 'scenario', 'samples', 'choices', 'epochs', 'batch', 'lr', 'preset', 'hardware'], () => `allowed: not with --experiment-file (${o.experimentFile} sets it)`);
      // The seed drives PSO and dedicated trainings; a wait after each evaluation is the exhaustive search's.
      if (o.algo === 'exhaustive' && o.quality !== 'train' && o.quality !== 'supernet') refuseGiven(o, given, ['seed'], () => 'allowed: only with --algo ppso or gcpso, or --quality train or supernet');
      if (o.algo !== 'exhaustive') refuseGiven(o, given, ['throttleMs'], () => 'allowed: only with --algo exhaustive');
      // The scenario names whose test split rates the networks; under a synthetic formula it sets
      // only the precoders' size (N_T × N_U), which the energies follow.
      if (o.algo === 'exhaustive') {
        refuseGiven(o, given, ['groups', 'budget', 'target', 'maxEvaluations'], (name) => `allowed: only with --algo ppso or gcpso${name === 'groups' ? ' (4^(4G) allocations cannot be enumerated)' : ''}`);
      }
      const problem = () => {
        if ((o.budget === undefined) === (o.target === undefined)) throw new InputError('--budget', o.budget ?? '(none)', 'allowed: exactly one of --budget (µJ, maximise the rate) or --target (bit/s/Hz, minimise the energy)');
        return o.budget !== undefined ? { kind: 'max-quality' as const, budget: positiveNumber('--budget', o.budget) } : { kind: 'min-cost' as const, target: positiveNumber('--target', o.target!) };
      };
      const algorithm = () => oneOf('--algo', o.algo, ['ppso', 'gcpso'] as const);
      if (o.groups !== undefined) {
        const synthetic = /^synthetic(?::(\d+))?$/.exec(o.quality);
        if (!synthetic) throw new InputError('--quality', o.quality, 'allowed with --groups: synthetic[:seed] (per-group rates have no trained source)');
        const config = {
          algorithm: algorithm(),
          groups: positiveInt('--groups', o.groups, 64),
          problem: problem(),
          arch: archsOf(o.archs === 'all' ? '64x1024' : o.archs)[0],
          choices: bitChoicesOf(o.choices),
          preset: hardwareOf(o, given),
          qualitySeed: Number(synthetic[1] ?? 1),
          seed: positiveInt('--seed', o.seed),
        };
        const { groupedPso } = await import('../../studies/search.ts');
        const r = await groupedPso(config);
        io.stdout.write(
          (o.json
            ? JSON.stringify(r, null, 2)
            : `${r.algorithm} over ${r.dimensions} groups (${r.space} allocations; sum rates: ${r.quality}): ${r.evaluation ? `sum rate ${r.evaluation.quality.toFixed(3)}, ${r.evaluation.cost.toFixed(3)} µJ` : 'none feasible'} after ${r.evaluations} evaluations; per-layer optimum ${r.perLayerOptimum ? `${r.perLayerOptimum.quality.toFixed(3)}, ${r.perLayerOptimum.cost.toFixed(3)} µJ` : 'none feasible'}\nbits per group: ${r.bits?.join(',') ?? '–'}`) + '\n',
        );
        return;
      }
      // The queue carries dedicated trainings; their number of threads is each worker's to say.
      if (o.redis !== undefined && o.quality !== 'train' && o.quality !== 'supernet') throw new InputError('--redis', o.redis, `allowed: only with --quality train or supernet (--quality ${o.quality} trains nothing)`);
      if (o.redis !== undefined) refuseGiven(o, given, ['threads'], () => 'allowed: not with --redis (each codesign worker says its --concurrency)');
      if (o.redis !== undefined && o.algo !== 'exhaustive') throw new InputError('--redis', o.redis, 'allowed: with the exhaustive search (PSO rates one configuration at a time)');
      const study = {
        db: o.db,
        experiment: experimentOf(o, given),
        threads: o.threads === undefined ? cpus().length : positiveInt('--threads', o.threads),
        ...(o.redis !== undefined ? { redis: redisUrl(o.redis) } : {}),
        ...(o.throttleMs !== undefined ? { throttleMs: positiveInt('--throttle-ms', o.throttleMs) } : {}),
      };
      if (o.algo !== 'exhaustive') {
        const config = { ...study, algorithm: algorithm(), problem: problem(), seed: positiveInt('--seed', o.seed), ...(o.maxEvaluations !== undefined ? { maxEvaluations: positiveInt('--max-evaluations', o.maxEvaluations) } : {}) };
        const { psoSearch } = await import('../../studies/search.ts');
        const r = await psoSearch(config);
        io.stdout.write((o.json ? JSON.stringify(r, null, 2) : `${r.algorithm}: bits ${r.bits ? `[${r.bits.join(',')}]` : 'none feasible'}${r.evaluation ? ` — sum rate ${r.evaluation.quality.toFixed(3)}, ${r.evaluation.cost.toFixed(3)} µJ` : ''}; ${r.qualityEvaluations} of ${r.space} configurations rated (${r.freshEvaluations} new to the store); sum rates: ${r.quality}`) + '\n');
        return;
      }
      const { searchSpace } = await import('../../studies/search.ts');
      const progress = cliProgress(io, progressMode(io, o));
      try {
        const r = await searchSpace(study, progress);
        io.stdout.write(
          (o.json
            ? JSON.stringify({ total: r.total, reused: r.reused, evaluated: r.evaluated, failed: r.failed, machine: r.machine, front: r.front.map((p, i) => ({ ...p, ...r.noise[i], ...r.timing[i] })) }, null, 2)
            : [
                `${r.total} points: ${r.reused} reused from the store, ${r.evaluated} evaluated${r.missing.length > 0 ? `; ${r.missing.length} points of the space are not in the quality source and were not searched` : ''}${r.failed.length > 0 ? `; ${r.failed.length} failed and were not stored` : ''}`,
                ...r.failed.map((f) => `  failed: ${f.point.head} ${f.point.cout}/${f.point.dfcl} bits ${f.point.bits.join(',')}: ${f.reason}`),
                `sum rates: ${r.quality}`,
                `Pareto front (energy efficiency vs sum rate; closed-form energy, the engine's energy and latency on ${r.machine}):`,
                table(
                  ['head', 'C_out/D_FCL', 'bits', 'sum rate ± 95% CI', 'energy µJ', 'bit/s/Hz/µJ', 'engine µJ', 'latency µs', 'EDP µJ·µs', 'rate vs the cheaper point above'],
                  r.front.map((p, i) => [p.head, `${p.cout}/${p.dfcl}`, p.bits.join(','), `${p.sumRate.toFixed(3)}${r.noise[i].ci95 === null ? '' : ` ± ${r.noise[i].ci95!.toFixed(3)}`}`, p.energy_uJ, p.sumRate / p.energy_uJ, r.timing[i].engine_uJ, r.timing[i].latency_us, r.timing[i].edp_uJ_us, r.noise[i].vsPrevious ?? (i === 0 ? '' : 'no interval in the source')]),
                ),
              ].join('\n')) + '\n',
        );
      } finally {
        progress.stop();
      }
    });

  program
    .command('results')
    .description('the results store')
    .command('export')
    .description('export every stored point as CSV or Parquet')
    .option('--db <file>', 'results database', 'out/results.duckdb')
    .addOption(new Option('--format <f>', 'csv or parquet').choices(['csv', 'parquet']).default('csv'))
    .requiredOption('--out <file>', 'output file')
    .action(async (o: { db: string; format: string; out: string }) => {
      const format = oneOf('--format', o.format, ['csv', 'parquet'] as const);
      outputFile(o.out, '--out', 'the export file');
      const { exportResults } = await import('../../studies/search.ts');
      const r = await exportResults({ db: o.db, format, out: o.out });
      io.stdout.write(`exported ${r.rows} points to ${r.file} (${r.format})\n`);
    });
}

function experimentOf(o: SearchFlags, given: Given): Experiment {
  if (o.experimentFile !== undefined) return loadExperiment(o.experimentFile);
  const synthetic = /^synthetic(?::(\d+))?$/.exec(o.quality);
  const table = /^table(?::(.+))?$/.exec(o.quality);
  const samples = positiveInt('--samples', o.samples);
  // The precoders' size is the scenario's (a synthetic rate has none unless --scenario is typed).
  const size = !synthetic || given('scenario') ? mimoSize(loadScenario(o.scenario)) : undefined;
  const quality: Experiment['quality'] = synthetic
    ? { source: 'synthetic', seed: Number(synthetic[1] ?? 1) }
    : table
      ? { source: 'table', scenario: o.scenario, file: table[1] ?? ratesFile(o.scenario) }
      : o.quality === 'train' || o.quality === 'supernet'
        ? { source: o.quality, scenario: o.scenario, epochs: positiveInt('--epochs', o.epochs), batchSize: positiveInt('--batch', o.batch), learningRate: positiveNumber('--lr', o.lr), seed: seedOf(o.seed), samples, ...(o.quality === 'supernet' ? { dir: o.supernets } : {}) } as Experiment['quality']
        : { source: 'checkpoint', dir: o.quality, scenario: o.scenario, samples };
  // A table holds its heads (TABLE_HEADS); a checkpoint or a dedicated training is one head (direct unless named).
  const heads = o.heads === undefined ? (quality.source === 'table' ? TABLE_HEADS : ['direct' as const]) : o.heads.split(',').map((h) => oneOf('--heads', h.trim(), PRECODER_HEAD_NAMES));
  return { name: o.experiment, heads, archs: archsOf(o.archs), bitChoices: bitChoicesOf(o.choices), ...experimentTable(hardwareOf(o, given)), quality, ...(size && (size.nt !== 64 || size.nu !== 4) ? { size: { nt: size.nt, nu: size.nu } } : {}) };
}

function renderModelSearch(r: import('../../studies/model-search.ts').ModelSearchOutcome & { readonly rating?: import('../../studies/model-search.ts').ModelRating }): string {
  const shown = r.front.length <= 40 ? r.front : [...r.front.slice(0, 20), ...r.front.slice(-20)];
  const rows = shown.map((p) => [p.bits.join(','), p.energy_uJ, p.additiveEnergy_uJ, p.latency_us, p.noiseProxy.toExponential(3), p.weight_kB]);
  const points = r.points < 1e15 ? r.points.toLocaleString('en-US') : r.points.toExponential(2);
  const rating = r.rating ? `\n${renderRating(r.rating)}` : '';
  return `${r.graph}: the exact front of ${points} weight-bit assignments of ${r.layers.length} layers (closed-form energy; noise proxy Σ ‖W − Q_b(W)‖²/‖W‖² with LSQ at its initial step, from the model's own weights), by dynamic programming over layers in ${r.seconds.toFixed(1)} s: ${r.front.length} points of ${r.objective} vs noise (latency: ideal mode on ${r.machine})${r.front.length > shown.length ? `, first and last 20 shown (--json: all)` : ''}\n${table(['bits per layer', 'energy µJ', 'µJ, unlimited memory (additive)', 'latency µs', 'noise proxy', 'weights kB'], rows)}${rating}`;
}

function renderRating(r: import('../../studies/model-search.ts').ModelRating): string {
  const row = (kind: string, p: { bits: readonly number[]; energy_uJ: number; quality: number; ci95: number }) => [kind, p.bits.join(','), p.energy_uJ, `${p.quality.toFixed(4)} ± ${p.ci95.toFixed(4)}`];
  const lines = [`rated by ${r.metric} (the model in onnxruntime-web, WebAssembly, one thread; kernels fake-quantized by LSQ at its initial step; ± the 95% interval over samples):`, table(['point', 'bits per layer', 'energy µJ', 'quality'], [...r.uniform.map((p) => row('uniform', p)), ...r.front.map((p) => row('front', p))])];
  lines.splice(1, 0, `per-layer sensitivity (quality lost with the layer alone at the lowest width): ${r.sensitivity.map((x) => `${x.layer} ${x.loss.toFixed(4)}`).join(', ')}; the front points below are on the proxy weighted by it`);
  if (r.budget) {
    const b = r.budget;
    lines.push(`within ${b.budget_uJ} µJ: ${b.verdict}`);
    if (b.bestUniform) lines.push(`  best uniform: [${b.bestUniform.bits.join(',')}] ${b.bestUniform.quality.toFixed(4)} at ${b.bestUniform.energy_uJ.toPrecision(4)} µJ`);
    if (b.pso) lines.push(`  PPSO (${b.pso.ratings} new ratings): [${b.pso.bits.join(',')}] ${b.pso.quality.toFixed(4)} at ${b.pso.energy_uJ.toPrecision(4)} µJ`);
  }
  return lines.join('\n');
}

/** A Redis URL, checked here so a typo fails before the search opens its store. */
export function redisUrl(raw: string): string {
  const m = /^redis:\/\/[^\s/]+?(?::(\d+))?(\/\d+)?$/.exec(raw);
  if (!m) throw new InputError('--redis', raw, 'allowed: a Redis URL, redis://host[:port][/db]');
  if (m[1] !== undefined && !(Number(m[1]) >= 1 && Number(m[1]) <= 65535)) throw new InputError('--redis', raw, 'allowed: a port from 1 to 65535, e.g. redis://localhost:6379');
  return raw;
}
