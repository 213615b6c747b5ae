/** `codesign train` and `codesign eval`: the precoder on a scenario, progress on stderr. */
import { InputError } from '../core/errors.ts';
import { finiteNumber, oneOf, positiveInt, positiveIntList, positiveNumber } from '../core/validate.ts';
import { MAX_BITS } from '../nets/builder.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import type { Graph } from '../nets/graph.ts';
import { initBackend, tf } from '../train/backend.ts';
import { evaluateRate, modelFromCheckpoint, precoderTask, trainModel, type TrainEvent, type TrainResult } from '../train/trainer.ts';
import { evaluateAllConfigs, finetune } from '../train/supernet.ts';
import { buildCsiNet, CSI_NETS, sideOf } from '../nets/csi.ts';
import { codecTask, evaluateCodec, residualBatchNorms } from '../train/codec.ts';
import type { CsiDataset } from '../scenarios/dataset.ts';
import { CLASSICAL_WMMSE_CAP, classicalSet } from '../baselines/run.ts';
import { classicalPoint } from '../studies/report-numbers.ts';
import { cacheKey, channelOf, generateSplit, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario, type Scenario } from '../scenarios/schema.ts';
import { priceGraph } from '../sim/energy.ts';
import { DEFAULT_PRESET, presetByName } from '../sim/presets.ts';
import { toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { buildSlpNet, SLP_DEFAULTS, SLP_VARIANTS, type SlpVariant } from '../nets/slp.ts';
import { slpAccounting } from '../nets/slp-accounting.ts';
import { learnedPower, slpTask, SLP_FORMULATIONS } from '../train/slp.ts';
import { powerCurve, type PowerCurve } from '../baselines/slp-curve.ts';
import { fraction } from '../core/validate.ts';
import { slpSamples, SLP_FEATURES } from '../baselines/slp-samples.ts';

export interface TrainOptions {
  readonly net?: string;
  readonly cr?: string;
  readonly variant?: string;
  readonly snrDb?: string;
  readonly scenario: string;
  readonly cout: string;
  readonly dfcl: string;
  readonly bits: string;
  readonly supernet?: boolean;
  readonly epochs: string;
  readonly batch: string;
  readonly lr: string;
  readonly patience: string;
  readonly samples?: string;
  readonly seeds: string;
  readonly seed: string;
  readonly out?: string;
  readonly backend: string;
  readonly m?: string;
  readonly k?: string;
  readonly qr?: string;
  readonly lrDecay?: string;
  readonly formulation?: string;
  readonly features?: string;
  readonly testSamples?: string;
  readonly zeroInitResidual?: boolean;
  readonly kbitActivations?: boolean;
  readonly initFrom?: string;
  readonly head?: string;
  readonly freshChannels?: boolean;
}

function mimoSplit(s: Scenario, split: 'train' | 'validation' | 'test', limit?: number): MimoDataset {
  const ds = loadDataset(s, split, { log: (m) => process.stderr.write(`${m}\n`) });
  if (ds.kind !== 'mimo') throw new InputError('--scenario', s.name, 'allowed: a MIMO scenario (rayleigh, cdl or site) for the precoder');
  return limitSamples(ds, limit);
}

function limitSamples(ds: MimoDataset, limit?: number): MimoDataset {
  if (limit === undefined || limit >= ds.count) return ds;
  const size = 2 * ds.nt * ds.nu;
  return { ...ds, count: limit, data: ds.data.subarray(0, limit * size), los: ds.los.subarray(0, limit * ds.nu) };
}

/** The precoder Graph a scenario's channels train; the structured head is scaled to the data's power and σ². */
export function precoderGraph(s: Scenario, o: { cout: string; dfcl: string; bits: string; head?: string }, data: { power: number; noiseVar: number }): Graph {
  if (s.model === 'cost2100') throw new InputError('--scenario', s.name, 'allowed: a MIMO scenario (rayleigh, cdl or site) for the precoder');
  const nt = s.model === 'rayleigh' ? s.nt : s.model === 'cdl' ? s.array[0] * s.array[1] : s.site.array[0] * s.site.array[1];
  const bits = positiveIntList('--bits', o.bits, { length: 4, max: MAX_BITS });
  const head = oneOf('--head', o.head ?? 'direct', PRECODER_HEAD_NAMES);
  return buildPrecoder({
    cout: positiveInt('--cout', o.cout),
    dfcl: positiveInt('--dfcl', o.dfcl),
    nt,
    nu: s.nu,
    bits: bits as [number, number, number, number],
    head,
    // The direct head's graph stays the paper's (power 1 as the datasets are normalised).
    ...(head === 'direct' ? {} : { power: data.power, noiseVar: data.noiseVar }),
  });
}

function progress(prefix: string): (e: TrainEvent) => void {
  const tty = process.stderr.isTTY;
  return (e) => {
    if (e.type === 'start') {
      process.stderr.write(`${prefix}${e.resumedFromEpoch !== null ? `resuming after epoch ${e.resumedFromEpoch}; ` : ''}${e.epochs} epochs × ${e.stepsPerEpoch} steps; metric: ${e.metric}\n`);
    } else if (e.type === 'step' && tty) {
      const width = 24;
      const done = Math.round((e.step / e.stepsPerEpoch) * width);
      process.stderr.write(`\r${prefix}epoch ${e.epoch} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.value.toFixed(3)}   `);
    } else if (e.type === 'epoch') {
      const r = e.record;
      const eta = e.etaMs > 0 ? `, ETA ${Math.round(e.etaMs / 1000)} s` : '';
      process.stderr.write(`${tty ? '\r' : ''}${prefix}epoch ${r.epoch}: train ${r.train.toFixed(3)}, validation ${r.validation.toFixed(3)} (best ${e.bestValidation.toFixed(3)} @${e.bestEpoch}), ${(r.ms / 1000).toFixed(1)} s${eta}, ${e.tensors} tensors\n`);
    }
  };
}

export interface TrainSummary {
  readonly scenario: string;
  readonly graph: string;
  readonly backend: string;
  readonly seeds: readonly { seed: number; result: TrainResult; testRate: number }[];
  readonly meanTestRate: number;
  readonly stdTestRate: number;
}

export interface CodecTrainSummary {
  readonly scenario: string;
  readonly graph: string;
  readonly backend: string;
  readonly result: TrainResult;
  readonly test: { readonly nmseDb: number; readonly rho: number };
  readonly codewordSnrDb: number | null;
}

/** The hyper-parameters both trainers take from the command line. */
function hyperparameters(o: TrainOptions) {
  const seed = Number(o.seed);
  if (!/^\d+$/.test(o.seed.trim()) || !Number.isSafeInteger(seed)) throw new InputError('--seed', o.seed, 'allowed: an integer ≥ 0');
  return {
    epochs: positiveInt('--epochs', o.epochs),
    batchSize: positiveInt('--batch', o.batch),
    learningRate: positiveNumber('--lr', o.lr),
    patience: positiveInt('--patience', o.patience),
    seed,
  };
}

/** A CSI codec on a cost2100 scenario: MSE loss, NMSE and ρ on the test split. */
export async function runTrainCodec(o: TrainOptions): Promise<CodecTrainSummary> {
  const s = loadScenario(o.scenario);
  const net = oneOf('--net', o.net!, CSI_NETS);
  const graph = buildCsiNet({ net, cr: positiveInt('--cr', o.cr ?? '4'), variant: oneOf('--variant', o.variant ?? 'fp', ['fp', 'bfc', 'q8'] as const) });
  const backend = await initBackend(oneOf('--backend', o.backend, ['auto', 'wasm', 'cpu', 'tensorflow'] as const));
  const split = (name: 'train' | 'validation' | 'test', limit?: number): CsiDataset => {
    const ds = loadDataset(s, name, { log: (m) => process.stderr.write(`${m}\n`) });
    if (ds.kind !== 'csi') throw new InputError('--scenario', s.name, 'allowed: a CSI scenario (cost2100-indoor, cost2100-outdoor) for a codec');
    return limit === undefined || limit >= ds.count ? ds : { ...ds, count: limit, data: ds.data.subarray(0, limit * 2 * ds.rows * ds.cols) };
  };
  const snrDb = o.snrDb === undefined ? undefined : finiteNumber('--snr-db', o.snrDb);
  const data = { train: split('train', o.samples === undefined ? undefined : positiveInt('--samples', o.samples)), validation: split('validation') };
  const { model, result } = await trainModel(
    {
      graph,
      ...hyperparameters(o),
      dataKey: `${cacheKey(s, 'train')}/${o.samples ?? 'all'}/${snrDb ?? 'clean'}`,
      ...(o.lrDecay === undefined ? {} : { learningRateDecay: positiveNumber('--lr-decay', o.lrDecay) }),
      ...(o.zeroInitResidual ? { zeroGamma: residualBatchNorms(graph) } : {}),
      ...(o.initFrom === undefined ? {} : { initFrom: o.initFrom }),
    },
    codecTask(graph, data, snrDb),
    o.out,
    progress(''),
  );
  const test = await evaluateCodec(model, split('test'), { snrDb, seed: 7 });
  model.dispose();
  return { scenario: s.name, graph: graph.name, backend, result, test, codewordSnrDb: snrDb ?? null };
}

export async function runTrain(o: TrainOptions): Promise<TrainSummary> {
  const s = loadScenario(o.scenario);
  precoderGraph(s, o, { power: 1, noiseVar: 1 }); // options checked before any data is made
  const backend = await initBackend(oneOf('--backend', o.backend, ['auto', 'wasm', 'cpu', 'tensorflow'] as const));
  const limit = o.samples === undefined ? undefined : positiveInt('--samples', o.samples);
  const data = { train: mimoSplit(s, 'train', limit), validation: mimoSplit(s, 'validation') };
  const graph = precoderGraph(s, o, data.train);
  const test = mimoSplit(s, 'test');
  const seeds = positiveInt('--seeds', o.seeds);
  const base = hyperparameters(o);
  const firstSeed = base.seed;
  const runs = [];
  for (let i = 0; i < seeds; i++) {
    const seed = firstSeed + i;
    const out = o.out === undefined ? undefined : seeds > 1 ? `${o.out}/seed-${seed}` : o.out;
    // Fresh draws each epoch: the site model makes 10,000 samples in about 1.5 s.
    const fresh = o.freshChannels ? (epoch: number) => limitSamples(generateSplit(s, 'train', { epoch }) as MimoDataset, limit) : undefined;
    const { model, result } = await trainModel(
      {
        graph,
        ...base,
        seed,
        supernet: o.supernet ? { choices: [2, 4, 8, 16] } : undefined,
        dataKey: `${cacheKey(s, 'train')}/${limit ?? 'all'}${fresh ? '/fresh-each-epoch' : ''}`,
        ...(o.initFrom === undefined ? {} : { initFrom: o.initFrom }),
      },
      precoderTask(data, undefined, fresh),
      out,
      progress(seeds > 1 ? `[seed ${seed}] ` : ''),
    );
    const testRate = await evaluateRate(model, test);
    model.dispose();
    runs.push({ seed, result, testRate });
  }
  const rates = runs.map((r) => r.testRate);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    scenario: s.name,
    graph: graph.name,
    backend,
    seeds: runs,
    meanTestRate: mean,
    stdTestRate: Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length),
  };
}

export interface EvalOptions {
  readonly checkpoint: string;
  readonly scenario: string;
  readonly bits?: string;
  readonly samples: string;
  readonly preset?: string;
  readonly finetune?: string;
}

export async function runEval(o: EvalOptions) {
  await initBackend();
  const s = loadScenario(o.scenario);
  const { model, graph } = modelFromCheckpoint(o.checkpoint);
  const bits = o.bits === undefined ? undefined : positiveIntList('--bits', o.bits, { length: model.quantizedLayers.length, max: MAX_BITS });
  const assignment = bits ? new Map(model.quantizedLayers.map((name, i) => [name, bits[i]])) : undefined;
  const n = positiveInt('--samples', o.samples);
  const test = mimoSplit(s, 'test', n);
  if (o.finetune !== undefined) {
    if (!bits) throw new InputError('--finetune', o.finetune, 'allowed: together with --bits (the configuration to refine)');
    await finetune(model, bits, mimoSplit(s, 'train'), mimoSplit(s, 'validation'), positiveInt('--finetune', o.finetune), { batchSize: 100, learningRate: 1e-3, seed: 1 });
  }
  const sumRateDnn = await evaluateRate(model, test, assignment);
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  // The classical side on the same test samples: MRT, ZF, RZF, equal-power RZF, WMMSE (best start and each start).
  const channels = Array.from({ length: test.count }, (_, i) => channelOf(test, i));
  const classical = classicalSet(channels, s.model === 'cost2100' ? 0 : s.snrDb, { tolerances: [1e-5], perStartTol: 1e-5, maxIter: CLASSICAL_WMMSE_CAP }).map((c) => classicalPoint(c, preset));
  const priced = assignment
    ? { ...graph, ops: graph.ops.map((op) => ({ ...op, precision: { ...op.precision, weightBits: assignment.get(layerOfOp(graph, op.name)) ?? op.precision.weightBits } })) }
    : graph;
  const energy = priceGraph(priced as Graph, preset);
  model.dispose();
  tf.disposeVariables();
  return {
    scenario: s.name,
    samples: test.count,
    graph: graph.name,
    bits: bits ?? null,
    sumRate: sumRateDnn,
    classical,
    energy_uJ: toMicrojoules(energy.energy),
  };
}

/** Every weight-bit configuration of a supernet checkpoint, with its sum rate and energy. */
export async function runEvalAll(o: EvalOptions & { choices?: string }) {
  await initBackend();
  const s = loadScenario(o.scenario);
  const { model, graph } = modelFromCheckpoint(o.checkpoint);
  const choices = positiveIntList('--choices', o.choices ?? '2,4,8,16', { max: MAX_BITS });
  const test = mimoSplit(s, 'test', positiveInt('--samples', o.samples));
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  const rates = await evaluateAllConfigs(model, test, choices, test.count, (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} configurations`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  model.dispose();
  return rates.map((r) => {
    const priced = { ...graph, ops: graph.ops.map((op) => ({ ...op, precision: { ...op.precision, weightBits: r.bits[model.quantizedLayers.indexOf(layerOfOp(graph, op.name))] ?? op.precision.weightBits } })) };
    const energy = priceGraph(priced as Graph, preset).energy.total / 1e6;
    return { bits: r.bits, sumRate: r.sumRate, energy_uJ: energy, efficiency: r.sumRate / energy };
  });
}

/** The quantized layer whose bits an op follows (the op itself, or its nearest producer). */
function layerOfOp(graph: Graph, name: string): string {
  let op = graph.ops.find((o) => o.name === name);
  while (op && op.kind !== 'conv2d' && op.kind !== 'dense' && op.inputs.length > 0) op = graph.ops.find((o) => o.name === op!.inputs[0]);
  return op?.name ?? name;
}

export interface SlpTrainSummary {
  readonly graph: string;
  readonly variant: SlpVariant;
  readonly m: number;
  readonly k: number;
  readonly qr: number | null;
  readonly formulation: string;
  readonly features: string;
  readonly backend: string;
  readonly result: TrainResult;
  /** Unit-margin power of the trained net on the test set (dB), infeasible samples excluded. */
  readonly test: { readonly samples: number; readonly meanPower_dB: number; readonly meanLogPower_dB: number; readonly infeasible: number; readonly perSample: Float64Array };
  readonly curve: PowerCurve['rows'];
  readonly unitMedian_dB: PowerCurve['unitMedian_dB'];
  readonly energy_uJ: ReturnType<typeof toMicrojoules>;
  readonly inferenceMemory_MB: number;
}

export const SLP_SINR_DB = [0, 5, 10, 15, 20, 25, 30, 35] as const;

/** The learned SLP precoder (seed 002) on seeded Rayleigh channels, with the power-vs-SINR comparison. */
export async function runTrainSlp(o: TrainOptions, options: { readonly curve?: boolean } = {}): Promise<SlpTrainSummary> {
  const m = positiveInt('--m', o.m ?? String(SLP_DEFAULTS.m), 256);
  const k = positiveInt('--k', o.k ?? String(SLP_DEFAULTS.k), 256);
  const variant = oneOf('--variant', o.variant ?? 'dnet', SLP_VARIANTS);
  const qr = o.qr === undefined ? SLP_DEFAULTS.qr : fraction('--qr', o.qr);
  const formulation = oneOf('--formulation', o.formulation ?? 'constructive', SLP_FORMULATIONS);
  const features = oneOf('--features', o.features ?? 'gram', SLP_FEATURES);
  const decay = o.lrDecay === undefined ? 1 : positiveNumber('--lr-decay', o.lrDecay);
  const backend = await initBackend(oneOf('--backend', o.backend, ['auto', 'wasm', 'cpu', 'tensorflow'] as const));
  const hp = hyperparameters(o);
  const count = positiveInt('--samples', o.samples ?? '20000');
  const data = { train: slpSamples(m, k, count, hp.seed, features), validation: slpSamples(m, k, 1000, hp.seed + 1_000_003, features) };
  const test = slpTestSamples(m, k, positiveInt('--test-samples', o.testSamples ?? '2000'), features);
  const stochastic = variant === 'dsqbnet' || variant === 'dsqtnet';
  const graph = buildSlpNet({ m, k, variant, qr, split: false, input: features });
  const { model, result } = await trainModel(
    {
      graph,
      ...hp,
      learningRateDecay: decay,
      kbitActivations: o.kbitActivations === true,
      quantizer: variant === 'dtnet' || variant === 'dsqtnet' ? 'ternary' : undefined,
      dataKey: `slp/${m}x${k}/${count}/${formulation}/${features}`,
    },
    slpTask(data, {
      formulation,
      ...(stochastic
        ? {
            stochastic: {
              layers: graph.ops.flatMap((op) => (op.kind === 'conv2d' ? [{ name: op.name, rows: op.filters }] : [])),
              mode: variant === 'dsqbnet' ? ('binary' as const) : ('ternary' as const),
              qr,
              seed: hp.seed,
            },
          }
        : {}),
    }),
    o.out,
    progress(''),
  );
  const learned = await learnedPower(model, test, formulation);
  model.dispose();
  // What is priced: the same network with a stochastic layer's quantized and float rows as separate ops.
  const priced = buildSlpNet({ m, k, variant, qr, split: true, input: features });
  // The classical columns cost most of the time (block-level precoding is solved per target); a
  // caller comparing several trainings on the same test channels computes them once.
  const curve = options.curve === false ? undefined : powerCurve(test, SLP_SINR_DB, { [`learned ${variant}`]: learned.perSample });
  return {
    graph: graph.name,
    variant,
    m,
    k,
    qr: stochastic ? qr : null,
    formulation,
    features,
    backend,
    result,
    test: { samples: learned.count, meanPower_dB: 10 * Math.log10(learned.meanPower), meanLogPower_dB: learned.meanLogPower_dB, infeasible: learned.infeasible, perSample: learned.perSample },
    curve: curve?.rows ?? [],
    unitMedian_dB: curve?.unitMedian_dB ?? {},
    energy_uJ: toMicrojoules(priceGraph(priced, DEFAULT_PRESET).energy),
    inferenceMemory_MB: slpAccounting(priced).inferenceMemory_MB,
  };
}

export function renderSlpTraining(c: SlpTrainSummary): string {
  const methods = Object.keys(c.curve[0]?.power_dB ?? {});
  const header = `${c.graph} (${c.formulation}, ${c.features} input, ${c.backend}): test unit-margin power ${c.test.meanPower_dB.toFixed(2)} dB over ${c.test.samples} samples` +
    `${c.test.infeasible > 0 ? ` (${c.test.infeasible} infeasible, excluded)` : ''}; best validation ${c.result.bestValidation.toFixed(3)} at epoch ${c.result.bestEpoch}/${c.result.epochsRun}, ${(c.result.trainMs / 1000).toFixed(0)} s; ` +
    `${c.energy_uJ.total.toPrecision(3)} µJ per inference on ${DEFAULT_PRESET.name}, ${c.inferenceMemory_MB.toFixed(4)} MB`;
  const medians = Object.entries(c.unitMedian_dB).map(([name, db]) => `${name} ${db.toFixed(2)}`).join(', ');
  return `${header}\nmean transmit power (dB), σ² = 1:\n${table(['SINR dB', ...methods], c.curve.map((r) => [r.sinr_dB, ...methods.map((name) => r.power_dB[name].toFixed(2))]))}\nmedian power at unit margin (dB): ${medians}`;
}

/** The test channels of `train --net slpdnet` (fixed seed, so every variant and seed meets the same ones). */
export function slpTestSamples(m: number, k: number, count: number, features: 'gram' | 'channels' = 'gram') {
  return slpSamples(m, k, count, 2_000_003, features);
}

/**
 * `eval` on a CSI scenario: a codec checkpoint's NMSE and ρ on the test split, clean and with
 * AWGN on the codeword at each SNR of `--snr-db` (the imperfect-feedback sweep), with the energy
 * of each side.
 */
export async function runEvalCodec(o: EvalOptions & { readonly snrDb?: string }) {
  await initBackend();
  const s = loadScenario(o.scenario);
  const { model, graph } = modelFromCheckpoint(o.checkpoint);
  const test = loadDataset(s, 'test');
  if (test.kind !== 'csi') throw new InputError('--scenario', o.scenario, 'allowed: a CSI scenario for a codec checkpoint');
  const limit = positiveInt('--samples', o.samples);
  const snrs = o.snrDb === undefined ? [] : o.snrDb.split(',').map((v) => finiteNumber('--snr-db', v));
  const rows = [];
  for (const snrDb of [undefined, ...snrs]) {
    const r = await evaluateCodec(model, test, { limit, snrDb, seed: 7 });
    rows.push({ codewordSnr_dB: snrDb ?? null, nmseDb: r.nmseDb, rho: r.rho });
  }
  model.dispose();
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  const side = (which: 'encoder' | 'decoder') => toMicrojoules(priceGraph(sideOf(graph, which), preset).energy).total;
  return { scenario: s.name, samples: Math.min(limit, test.count), graph: graph.name, rows, energy_uJ: { encoder: side('encoder'), decoder: side('decoder') } };
}
