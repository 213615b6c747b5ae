/**
 * The training workflows: the seed-000 precoder (sum-rate loss), a CSI codec (MSE loss) and the
 * learned symbol-level precoder (seed 002), each from a typed config to a typed summary. The CLI
 * parses its flags into these configs; benchmarks and tests call them directly.
 */
import { InputError } from '../core/errors.ts';
import { SILENT, type Progress, type ProgressTask } from '../core/progress.ts';
import type { PrecoderHead } from '../nets/heads.ts';
import { buildCsiNet, type CodecVariant, type CsiNetName } from '../nets/csi.ts';
import { buildSlpNet, type SlpVariant } from '../nets/slp.ts';
import { slpAccounting } from '../nets/slp-accounting.ts';
import { feedbackMaps } from '../scenarios/feedback-maps.ts';
import { asCsi, asMimo, cacheKey, generateSplit, loadDataset, type CsiDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { mimoSize, type Scenario } from '../scenarios/schema.ts';
import { precoderGraph } from '../train/precoder-graph.ts';
import { slpSamples, type SlpFeatures } from '../baselines/slp-samples.ts';
import { powerCurve, type PowerCurve } from '../baselines/slp-curve.ts';
import { priceGraph } from '../sim/energy.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';
import { toMicrojoules } from '../sim/report.ts';
import { initBackend, type BackendChoice } from '../train/backend.ts';
import { evaluateRate, mismatchedRates, precoderTask, trainModel, type ConvergenceRule, type TrainEvent, type TrainResult } from '../train/trainer.ts';
import { planFeedback, reportDataset, type FeedbackScheme } from '../baselines/feedback.ts';
import { codecTask, evaluateCodec, residualBatchNorms, type CodewordChannel } from '../train/codec.ts';
import { learnedPower, slpTask, type SlpFormulation } from '../train/slp.ts';

/** What every trainer takes beside its network and data. */
export interface Hyperparameters {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly patience: number;
  readonly seed: number;
  /** Multiplies the learning rate after every epoch; absent = constant. */
  readonly learningRateDecay?: number;
  /** Stop by the convergence rule (train/trainer.ts) as well as by patience and the epoch budget. */
  readonly convergence?: ConvergenceRule;
}

interface RunPlace {
  readonly backend: BackendChoice;
  /** Checkpoint directory (resumable); absent = nothing written. */
  readonly out?: string;
  /** Train from scratch over an `out` checkpoint that cannot be resumed. */
  readonly restart?: boolean;
  /** Another run's checkpoint to start from (weights only). */
  readonly initFrom?: string;
}

/** The widths a supernet samples from unless told otherwise (seed 000's choices). */
export const SUPERNET_CHOICES = [2, 4, 8, 16] as const;

export interface PrecoderTraining extends RunPlace {
  readonly scenario: Scenario;
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly [number, number, number, number];
  readonly head: PrecoderHead;
  /** The unfolded head's WMMSE iterations K. */
  readonly iterations?: number;
  readonly supernet: boolean;
  /** The widths a supernet samples from (default 2, 4, 8, 16): a search trains on its own --choices. */
  readonly supernetChoices?: readonly number[];
  readonly seeds: number;
  readonly hyperparameters: Hyperparameters;
  /** Train on the first n training samples only. */
  readonly samples?: number;
  /** Draw new training channels every epoch. */
  readonly freshChannels: boolean;
  /** Train (and test) on what the base station knows: each user's channel reported by this classical scheme (a site scenario's UPA). */
  readonly feedback?: { readonly scheme: FeedbackScheme; readonly bits: number };
}

export interface CodecTraining extends RunPlace {
  readonly scenario: Scenario;
  readonly net: CsiNetName;
  readonly cr: number;
  readonly variant: CodecVariant;
  readonly hyperparameters: Hyperparameters;
  readonly samples?: number;
  /** AWGN on the codeword while training (dB). */
  readonly codewordSnrDb?: number;
  /** Quantize the codeword to this many bits per element while training (a trained LSQ step; train/codec.ts). */
  readonly codewordBits?: number;
  readonly zeroInitResidual: boolean;
}

export interface SlpTraining extends RunPlace {
  readonly m: number;
  readonly k: number;
  readonly variant: SlpVariant;
  readonly qr: number;
  readonly formulation: SlpFormulation;
  readonly features: SlpFeatures;
  readonly samples: number;
  readonly testSamples: number;
  readonly kbitActivations: boolean;
  readonly hyperparameters: Hyperparameters;
  /** Compute the classical power-vs-SINR columns (most of the time; a caller comparing several trainings skips them). */
  readonly curve: boolean;
}

export interface TrainSummary {
  readonly scenario: string;
  /** Which samples the test rates are on (site scenarios: whether test users stand where training users stood). */
  readonly split: string;
  readonly graph: string;
  /** Trained on rebuilt channels: which feedback (absent: perfect CSI). */
  readonly feedback?: string;
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
  readonly codewordBits: number | null;
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

export function mimoSplit(s: Scenario, split: 'train' | 'validation' | 'test', progress: Progress = SILENT, limit?: number): MimoDataset {
  return limitSamples(asMimo(loadDataset(s, split, { log: (m) => progress.log(m) })), limit);
}

function limitSamples(ds: MimoDataset, limit?: number): MimoDataset {
  if (limit === undefined || limit >= ds.count) return ds;
  const size = 2 * ds.nt * ds.nu;
  return { ...ds, count: limit, data: ds.data.subarray(0, limit * size), los: ds.los.subarray(0, limit * ds.nu) };
}

/** Training events as progress: one bar per epoch (steps), one log line per epoch with its figures. */
export function trainingProgress(progress: Progress, prefix = ''): (e: TrainEvent) => void {
  let bar: ProgressTask | undefined;
  return (e) => {
    if (e.type === 'start') {
      progress.log(`${prefix}${e.resumedFromEpoch !== null ? `resuming after epoch ${e.resumedFromEpoch}; ` : ''}${e.epochs} epochs × ${e.stepsPerEpoch} steps; metric: ${e.metric}`);
    } else if (e.type === 'step') {
      bar ??= progress.task(`${prefix}steps of epoch ${e.epoch}`, e.stepsPerEpoch);
      bar.tick(1, `loss ${e.value.toFixed(3)}`);
    } else if (e.type === 'epoch') {
      bar?.end();
      bar = undefined;
      const r = e.record;
      const eta = e.etaMs > 0 ? `, ETA ${Math.round(e.etaMs / 1000)} s` : '';
      progress.log(`${prefix}epoch ${r.epoch}: train ${r.train.toFixed(3)}, validation ${r.validation.toFixed(3)} (best ${e.bestValidation.toFixed(3)} @${e.bestEpoch}), ${(r.ms / 1000).toFixed(1)} s${eta}, ${e.tensors} tensors`);
    } else {
      bar?.end();
    }
  };
}

/** The seed-000 precoder on a MIMO scenario, one or more seeds, with each seed's test sum rate. */
export async function trainPrecoder(c: PrecoderTraining, progress: Progress = SILENT): Promise<TrainSummary> {
  precoderGraph(c, { ...mimoSize(c.scenario), power: 1, noiseVar: 1 }); // the network is checked before any data is made
  const seen = c.feedback === undefined ? undefined : feedbackView(c.scenario, c.feedback);
  const backend = await initBackend(c.backend);
  const data = { train: mimoSplit(c.scenario, 'train', progress, c.samples), validation: mimoSplit(c.scenario, 'validation', progress) };
  const graph = precoderGraph(c, data.train);
  const test = mimoSplit(c.scenario, 'test', progress);
  const runs = [];
  for (let i = 0; i < c.seeds; i++) {
    const seed = c.hyperparameters.seed + i;
    const out = c.out === undefined ? undefined : c.seeds > 1 ? `${c.out}/seed-${seed}` : c.out;
    // Fresh draws each epoch: the site model makes 10,000 samples in about 1.5 s.
    const fresh = c.freshChannels ? (epoch: number) => limitSamples(asMimo(generateSplit(c.scenario, 'train', { epoch })), c.samples) : undefined;
    const { model, result } = await trainModel(
      {
        graph,
        ...c.hyperparameters,
        seed,
        supernet: c.supernet ? { choices: c.supernetChoices ?? SUPERNET_CHOICES } : undefined,
        dataKey: `${cacheKey(c.scenario, 'train')}/${c.samples ?? 'all'}${fresh ? '/fresh-each-epoch' : ''}${c.feedback ? `/seen-through-${c.feedback.scheme}:${c.feedback.bits}` : ''}`,
        freshChannels: fresh !== undefined,
        restart: c.restart === true,
        ...(c.initFrom === undefined ? {} : { initFrom: c.initFrom }),
      },
      precoderTask(data, undefined, fresh, seen),
      out,
      trainingProgress(progress, c.seeds > 1 ? `[seed ${seed}] ` : ''),
    );
    const testRate = seen ? (await mismatchedRates(model, seen(test), test)).reduce((a, b) => a + b, 0) / test.count : await evaluateRate(model, test);
    model.dispose();
    runs.push({ seed, result, testRate });
  }
  const rates = runs.map((r) => r.testRate);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    scenario: c.scenario.name,
    split: splitLabel(c.scenario),
    graph: graph.name,
    ...(c.feedback ? { feedback: `the network reads channels rebuilt from ${c.feedback.scheme}:${c.feedback.bits} feedback; rates on the true channels` } : {}),
    backend,
    seeds: runs,
    meanTestRate: mean,
    stdTestRate: Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length),
  };
}

/** What a precoder reads when users report by a classical scheme: every dataset mapped to its rebuilt channels (planned before any data is made). */
export function feedbackView(s: Scenario, f: { readonly scheme: FeedbackScheme; readonly bits: number }): (ds: MimoDataset) => MimoDataset {
  if (s.model !== 'site') throw new InputError('--feedback', `${f.scheme}:${f.bits}`, `allowed: only on a site scenario (its UPA's DFT beams are the codebook); ${s.name} is ${s.model}`);
  const shape = { n1: s.site.array[0], n2: s.site.array[1] };
  let plan;
  try {
    plan = planFeedback(f.scheme, f.bits, shape);
  } catch (error) {
    if (error instanceof InputError) throw new InputError('--feedback', `${f.scheme}:${f.bits}`, error.allowed);
    throw error;
  }
  const fixed = plan;
  return (ds) => reportDataset(fixed, shape, ds);
}

/** The test split in words: a site's says whether its users stand at positions training never saw. */
export function splitLabel(s: Scenario): string {
  if (s.model !== 'site') return 'test split';
  return s.holdout === 'positions' ? 'test split (users at positions no training user stood at)' : 'test split (holdout: groups — test users stood where training users stood)';
}

/**
 * A codec's split: a CSI scenario's maps, or a site scenario's users as feedback maps
 * (scenarios/feedback-maps.ts; `limit` counts samples, each N_U maps).
 */
export function csiSplit(s: Scenario, name: 'train' | 'validation' | 'test', progress: Progress = SILENT, limit?: number): CsiDataset {
  if (s.model === 'site') return feedbackMaps(mimoSplit(s, name, progress, limit), feedbackShape(s));
  const ds = asCsi(loadDataset(s, name, { log: (m) => progress.log(m) }));
  return limit === undefined || limit >= ds.count ? ds : { ...ds, count: limit, data: ds.data.subarray(0, limit * 2 * ds.rows * ds.cols) };
}

/** A site's array as the codecs' square map; another scenario (COST2100) keeps the published 32 × 32. */
export function feedbackShape(s: Scenario): { readonly n1: number; readonly n2: number } {
  if (s.model !== 'site') return { n1: 32, n2: 32 };
  const [n1, n2] = s.site.array;
  if (n1 !== n2) throw new InputError('scenario', s.name, `allowed: a square array for the codecs' 2×S×S maps (this site's is ${n1}×${n2})`);
  return { n1, n2 };
}

/** A CSI codec on a cost2100 scenario: MSE loss, NMSE and ρ on the test split. */
export async function trainCodec(c: CodecTraining, progress: Progress = SILENT): Promise<CodecTrainSummary> {
  const graph = buildCsiNet({ net: c.net, cr: c.cr, variant: c.variant, side: feedbackShape(c.scenario).n1 });
  const backend = await initBackend(c.backend);
  const data = { train: csiSplit(c.scenario, 'train', progress, c.samples), validation: csiSplit(c.scenario, 'validation', progress) };
  const channel: CodewordChannel = { ...(c.codewordBits !== undefined ? { bits: c.codewordBits } : {}), ...(c.codewordSnrDb !== undefined ? { snrDb: c.codewordSnrDb } : {}) };
  const { model, result } = await trainModel(
    {
      graph,
      ...c.hyperparameters,
      dataKey: `${cacheKey(c.scenario, 'train')}/${c.samples ?? 'all'}/${c.codewordSnrDb ?? 'clean'}${c.codewordBits === undefined ? '' : `/${c.codewordBits}b`}`,
      restart: c.restart === true,
      ...(c.zeroInitResidual ? { zeroGamma: residualBatchNorms(graph) } : {}),
      ...(c.initFrom === undefined ? {} : { initFrom: c.initFrom }),
    },
    codecTask(graph, data, channel),
    c.out,
    trainingProgress(progress),
  );
  const test = await evaluateCodec(model, csiSplit(c.scenario, 'test', progress), { channel, seed: 7 });
  model.dispose();
  return { scenario: c.scenario.name, graph: graph.name, backend, result, test, codewordSnrDb: c.codewordSnrDb ?? null, codewordBits: c.codewordBits ?? null };
}

/** The test channels of the SLP training (fixed seed, so every variant and seed meets the same ones). */
export function slpTestSamples(m: number, k: number, count: number, features: SlpFeatures = 'gram') {
  return slpSamples(m, k, count, 2_000_003, features);
}

/** The learned SLP precoder (seed 002) on seeded Rayleigh channels, with the power-vs-SINR comparison. */
export async function trainSlp(c: SlpTraining, progress: Progress = SILENT): Promise<SlpTrainSummary> {
  const { m, k, variant, qr, formulation, features } = c;
  const backend = await initBackend(c.backend);
  const hp = c.hyperparameters;
  const data = { train: slpSamples(m, k, c.samples, hp.seed, features), validation: slpSamples(m, k, 1000, hp.seed + 1_000_003, features) };
  const test = slpTestSamples(m, k, c.testSamples, features);
  const stochastic = variant === 'dsqbnet' || variant === 'dsqtnet';
  const graph = buildSlpNet({ m, k, variant, qr, split: false, input: features });
  const { model, result } = await trainModel(
    {
      graph,
      ...hp,
      kbitActivations: c.kbitActivations,
      quantizer: variant === 'dtnet' || variant === 'dsqtnet' ? 'ternary' : undefined,
      dataKey: `slp/${m}x${k}/${c.samples}/${formulation}/${features}`,
      restart: c.restart === true,
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
    c.out,
    trainingProgress(progress),
  );
  const learned = await learnedPower(model, test, formulation);
  model.dispose();
  // What is priced: the same network with a stochastic layer's quantized and float rows as separate ops.
  const priced = buildSlpNet({ m, k, variant, qr, split: true, input: features });
  const curve = c.curve ? powerCurve(test, SLP_SINR_DB, { [`learned ${variant}`]: learned.perSample }) : undefined;
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
