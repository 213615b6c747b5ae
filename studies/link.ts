/**
 * The downlink with CSI feedback, end to end: each user reports its channel row in a budget of
 * bits (baselines/feedback.ts), the base station precodes on what it rebuilt, and the sum rate is
 * measured on the *true* channels of the scenario's held-out test positions — with its paired
 * difference to WMMSE on perfect CSI — beside the feedback bits and the energy on each side: the
 * user's encoder on a UE hardware table, the base station's precoder on its own.
 *
 * Feedback schemes: perfect CSI, the classical ones (DFT codebook, scalar), or a trained codec
 * whose codeword is quantized (by its own trained step, or after training) or sent analog, with
 * optional AWGN on it. Precoders: the classical ones, or a trained precoder checkpoint run on the
 * rebuilt channels.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEEDBACK_SCHEMES, GAIN_BITS, feedbackBits, planFeedback, quantizedGain, reportChannel, type ArrayShape, type FeedbackPlan, type FeedbackScheme } from '../baselines/feedback.ts';
import { baselineGraphs, summarize, type Algorithm } from '../baselines/run.ts';
import { sumRate, linearPrecoder } from '../baselines/precoders.ts';
import { wmmse, WMMSE_DEFAULTS, type WmmseOptions } from '../baselines/wmmse.ts';
import { InputError } from '../core/errors.ts';
import { SILENT, type Progress } from '../core/progress.ts';
import { estimate, pairedDifference, verdictOf } from '../core/stats.ts';
import { asMacs, cmat, countInto, newCounter, type CMatrix, type OpCounter } from '../linalg/complex.ts';
import { graphBuilder } from '../nets/builder.ts';
import type { Channel } from '../scenarios/channel.ts';
import { channelOf, datasetOfChannels, type MimoDataset } from '../scenarios/dataset.ts';
import { feedbackMaps, mapToRow } from '../scenarios/feedback-maps.ts';
import { codewordLength, isCodecGraph, sideOf } from '../nets/csi.ts';
import type { CodewordPath } from '../train/codec-feedback.ts';
import type { Graph } from '../nets/graph.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { loadHardware } from '../sim/hardware-file.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { mimoSplit } from './train.ts';
import { priced } from './verdict.ts';

/** The UE table `link` prices the encoder on unless told otherwise. */
export const DEFAULT_UE_HARDWARE = fileURLToPath(new URL('../hardware/ue/horowitz-45nm-ue.json', import.meta.url));
export const defaultUeHardware = (): HardwarePreset => loadHardware(DEFAULT_UE_HARDWARE);

/**
 * A feedback scheme as the user names it: `perfect`; `dft:BITS` / `scalar:BITS` (feedback bits per
 * user); or `codec:DIR:B`, a trained codec checkpoint (codesign train --net csinet|crnet|cllwcsinet
 * on a site scenario) whose codeword elements are quantized to B bits each (`codec:DIR:analog`:
 * sent unquantized), optionally with AWGN on the codeword at `snrDb`.
 */
export type FeedbackSpec =
  | { readonly scheme: 'perfect' }
  | { readonly scheme: FeedbackScheme; readonly bits: number }
  | { readonly scheme: 'codec'; readonly checkpoint: string; readonly codewordBits: number | 'analog'; readonly snrDb?: number };

/** Codeword bits per element a codec scheme may ask for. */
export const CODEWORD_BITS = { min: 1, max: 16 } as const;

export function parseFeedback(raw: string): FeedbackSpec {
  const text = raw.trim();
  if (text === 'perfect') return { scheme: 'perfect' };
  const allowed = `allowed: perfect, ${FEEDBACK_SCHEMES.map((s) => `${s}:BITS`).join(', ')} (feedback bits per user), or codec:CHECKPOINT:B (B = ${CODEWORD_BITS.min}…${CODEWORD_BITS.max} bits per codeword element, or analog), ';'-separated`;
  if (text.startsWith('codec:')) {
    const cut = text.lastIndexOf(':');
    const checkpoint = text.slice('codec:'.length, cut);
    const tail = text.slice(cut + 1);
    if (tail === 'analog' && cut > 'codec:'.length && checkpoint !== '') return { scheme: 'codec', checkpoint, codewordBits: 'analog' };
    const b = Number(tail);
    if (cut <= 'codec:'.length || checkpoint === '' || !/^\d+$/.test(tail) || b < CODEWORD_BITS.min || b > CODEWORD_BITS.max) throw new InputError('--feedback', raw, allowed);
    return { scheme: 'codec', checkpoint, codewordBits: b };
  }
  const m = /^(\w+):(\d+)$/.exec(text);
  if (!m || !(FEEDBACK_SCHEMES as readonly string[]).includes(m[1])) throw new InputError('--feedback', raw, allowed);
  return { scheme: m[1] as FeedbackScheme, bits: Number(m[2]) };
}

/** Each codec scheme once per codeword SNR (dB); the classical schemes and perfect CSI as they are. */
export function atCodewordSnrs(feedback: readonly FeedbackSpec[], snrs: readonly number[]): FeedbackSpec[] {
  if (snrs.length === 0) return [...feedback];
  if (!feedback.some((f) => f.scheme === 'codec')) throw new InputError('--codeword-snr', snrs.join(','), 'allowed: only with a codec scheme in --feedback (noise on a learned codeword, seed 003)');
  return feedback.flatMap((f): FeedbackSpec[] => (f.scheme === 'codec' ? snrs.map((snrDb) => ({ ...f, snrDb })) : [f]));
}

export const LINK_PRECODERS = ['rzf-ep', 'zf', 'wmmse'] as const;
export type ClassicalLinkPrecoder = (typeof LINK_PRECODERS)[number];
/** A base-station precoder: a classical one, or a trained precoder checkpoint (`net:DIR`) run on the rebuilt channels. */
export type LinkPrecoder = ClassicalLinkPrecoder | { readonly net: string };

export function parsePrecoder(raw: string): LinkPrecoder {
  const text = raw.trim();
  if (text.startsWith('net:') && text.length > 4) return { net: text.slice(4) };
  if ((LINK_PRECODERS as readonly string[]).includes(text)) return text as ClassicalLinkPrecoder;
  throw new InputError('--precoder', raw, `allowed: ${LINK_PRECODERS.join(', ')}, or net:CHECKPOINT (a precoder trained by codesign train on this scenario's channels), ','-separated`);
}

/** How rows name a precoder. */
export const precoderLabel = (p: LinkPrecoder) => (typeof p === 'string' ? p : `net:${basename(p.net)}`);

/** WMMSE at the base station on the rebuilt channels: from equal-power RZF to ε = 10⁻³ (its cheap operating point). */
const BS_WMMSE: WmmseOptions = { tol: 1e-3, rule: 'abs', maxIter: 2000, init: 'rzf-ep' };
/** The reference: WMMSE on the true channels, best start, ε = 10⁻⁵. */
const REFERENCE_WMMSE: WmmseOptions = { ...WMMSE_DEFAULTS, maxIter: 2000 };

export interface LinkStudy {
  readonly scenario: Scenario;
  readonly feedback: readonly FeedbackSpec[];
  readonly precoders: readonly LinkPrecoder[];
  readonly samples: number;
  readonly bsHardware: HardwarePreset;
  readonly ueHardware: HardwarePreset;
}

/** Which kind of report a row's users sent, and for a codec how its codeword travelled. */
export type RowScheme =
  | { readonly kind: 'perfect' | FeedbackScheme }
  | { readonly kind: 'codec'; readonly checkpoint: string; readonly graph: string; readonly quantizer: 'trained' | 'ptq' | 'none'; readonly codewordBits: number | null; readonly snrDb: number | null };

export interface LinkRow {
  readonly feedback: string;
  readonly scheme: RowScheme;
  /** Feedback bits per user (null: perfect CSI), and how they split. */
  readonly bitsPerUser: number | null;
  /** A codec sending its codeword unquantized: how many real values per user (else null). */
  readonly analogValues: number | null;
  readonly fields: Readonly<Record<string, number>> | null;
  /** Σ‖h − e^{jθ}ĥ‖² / Σ‖h‖² with each user's best common phase θ (a common phase is never reported), in dB. */
  readonly nmseDb: number | null;
  /** rzf-ep, zf, wmmse, or net:NAME (a trained precoder's checkpoint directory). */
  readonly precoder: string;
  readonly sumRate: number;
  readonly ci95: number;
  /** This row − WMMSE on perfect CSI (best start, ε = 10⁻⁵), paired on the same samples. */
  readonly vsPerfectWmmse: { readonly mean: number; readonly ci95: number; readonly verdict: string };
  /** This row − equal-power RZF on the same rebuilt channels, paired (null: RZF-EP not run, or this is it). */
  readonly vsRzfEp: { readonly mean: number; readonly ci95: number; readonly verdict: string } | null;
  /** Per user, per report: the encoder on the UE table (null: perfect CSI costs nothing here). */
  readonly ue: { readonly closedForm_uJ: number; readonly engine_uJ: number; readonly latency_us: number } | null;
  /** The sum rate of every sample (the same samples in every row), for paired comparisons between rows. */
  readonly perSample: readonly number[];
  /** Per precoding, at the base station. */
  readonly bs: { readonly closedForm_uJ: number; readonly engine_uJ: number; readonly latency_us: number };
}

export interface LinkResult {
  readonly scenario: string;
  readonly samples: number;
  readonly users: number;
  readonly antennas: number;
  readonly perfectWmmse: { readonly sumRate: number; readonly ci95: number };
  readonly ueHardware: string;
  readonly bsHardware: string;
  readonly rows: readonly LinkRow[];
}

export function arrayShapeOf(s: Scenario): ArrayShape {
  if (s.model !== 'site') throw new InputError('--scenario', s.name, 'allowed: a site scenario (model "site"): its users stand at held-out positions and its array is a UPA whose DFT beams the codebook uses');
  return { n1: s.site.array[0], n2: s.site.array[1] };
}

type SolveRecord = { readonly iterations: number; readonly converged: boolean; readonly counts: Readonly<Record<string, OpCounter>> };

function label(f: FeedbackSpec, scheme?: PreparedScheme): string {
  if (f.scheme === 'perfect') return 'perfect CSI';
  if (f.scheme !== 'codec') return `${f.scheme}:${f.bits}`;
  const trained = scheme?.scheme.kind === 'codec' && scheme.scheme.quantizer === 'trained';
  const how = f.codewordBits === 'analog' ? 'analog codeword' : `${f.codewordBits} bits ${trained ? '(trained)' : '(after training)'}`;
  return `codec ${basename(f.checkpoint)} at ${how}${f.snrDb === undefined ? '' : `, codeword SNR ${f.snrDb} dB`}`;
}

/** How one user's row is reported: the row the base station rebuilds, with the user's counted work (a codec's is priced from its graph instead). */
type Reporter = (sample: number, user: number, re: Float64Array, im: Float64Array, noiseVar: number) => { re: Float64Array; im: Float64Array; counts?: OpCounter };

const classicalReporter = (plan: FeedbackPlan, shape: ArrayShape): Reporter => (_s, _k, re, im, noiseVar) => reportChannel(plan, shape, re, im, noiseVar);

/** The user's counted work as a Graph the tables price (its operations, no weights). */
function encoderGraph(counts: OpCounter) {
  const b = graphBuilder('feedback-encoder', { weightBits: 16, activationBits: 16 });
  const { macs, elementwise } = asMacs(counts);
  b.add('encode', { kind: 'trace', macs, elementwise, note: 'the user’s feedback encoder (counted)' }, []);
  return b.build();
}

function rebuild(reporter: Reporter | null, sample: number, ch: Channel, ue: OpCounter): { hat: CMatrix; error: number; norm: number } {
  const { H } = ch;
  const hat = cmat(H.rows, H.cols);
  let error = 0;
  let norm = 0;
  for (let k = 0; k < H.rows; k++) {
    const re = H.re.subarray(k * H.cols, (k + 1) * H.cols);
    const im = H.im.subarray(k * H.cols, (k + 1) * H.cols);
    let n2 = 0;
    for (let i = 0; i < H.cols; i++) n2 += re[i] ** 2 + im[i] ** 2;
    norm += n2;
    if (!reporter) {
      hat.re.set(re, k * H.cols);
      hat.im.set(im, k * H.cols);
      continue;
    }
    const r = reporter(sample, k, re, im, ch.noiseVar);
    if (r.counts) countInto(ue, r.counts);
    hat.re.set(r.re, k * H.cols);
    hat.im.set(r.im, k * H.cols);
    // min_θ ‖h − e^{jθ}ĥ‖² = ‖h‖² + ‖ĥ‖² − 2|⟨h, ĥ⟩|
    let cr = 0, ci = 0, m2 = 0;
    for (let i = 0; i < H.cols; i++) {
      cr += re[i] * r.re[i] + im[i] * r.im[i];
      ci += re[i] * r.im[i] - im[i] * r.re[i];
      m2 += r.re[i] ** 2 + r.im[i] ** 2;
    }
    error += n2 + m2 - 2 * Math.hypot(cr, ci);
  }
  return { hat, error, norm };
}

/** A scheme ready to run: who reports each row (null: perfect CSI), its bits, and a codec's two sides (a classical scheme's user work is counted per report). */
interface PreparedScheme {
  readonly reporter: Reporter | null;
  readonly bits: number | null;
  readonly analogValues: number | null;
  readonly fields: Readonly<Record<string, number>> | null;
  readonly scheme: RowScheme;
  /** A codec's sides, priced from its graph: the UE's encoder, one BS decoder per user. */
  readonly sides?: { readonly encoder: Graph; readonly decoder: Graph };
}

async function prepare(f: FeedbackSpec, study: LinkStudy, shape: ArrayShape, test: MimoDataset, progress: Progress): Promise<PreparedScheme> {
  if (f.scheme === 'perfect') return { reporter: null, bits: null, analogValues: null, fields: null, scheme: { kind: 'perfect' } };
  if (f.scheme !== 'codec') {
    const plan = planFeedback(f.scheme, f.bits, shape);
    return { reporter: classicalReporter(plan, shape), bits: plan.bits, analogValues: null, fields: plan.fields, scheme: { kind: f.scheme } };
  }
  const { initBackend } = await import('../train/backend.ts');
  const { modelFromCheckpoint } = await import('../train/trainer.ts');
  const { calibrateQuantizer, decodeMaps } = await import('../train/codec-feedback.ts');
  const { trainedCodewordBits } = await import('../train/codec.ts');
  await initBackend();
  const { model, graph } = modelFromCheckpoint(f.checkpoint);
  const input = graph.ops.find((op) => op.kind === 'input')?.outputShape ?? [];
  if (!isCodecGraph(graph) || input.join('×') !== `2×${shape.n1}×${shape.n2}`) {
    model.dispose();
    throw new InputError('--feedback', `codec:${f.checkpoint}:${f.codewordBits}`, `allowed: a codec checkpoint for ${shape.n1}×${shape.n2} maps (codesign train --net csinet|crnet|cllwcsinet --scenario ${study.scenario.name}); this one holds ${graph.name}`);
  }
  // A codec trained to send B bits is decoded through its own quantizer; it cannot send another width.
  const trained = trainedCodewordBits(model);
  if (trained !== undefined && f.codewordBits !== trained) {
    model.dispose();
    throw new InputError('--feedback', `codec:${f.checkpoint}:${f.codewordBits}`, `allowed: codec:${f.checkpoint}:${trained} (this codec was trained to send ${trained} bits per codeword element)`);
  }
  const length = codewordLength(graph);
  const noise = f.snrDb === undefined ? {} : { snrDb: f.snrDb };
  const path: CodewordPath =
    f.codewordBits === 'analog'
      ? { quantizer: 'none', ...noise }
      : trained !== undefined
        ? { quantizer: 'trained', bits: trained, ...noise }
        : { quantizer: 'ptq', ptq: await calibrateQuantizer(model, feedbackMaps(mimoSplit(study.scenario, 'train', progress, 500), shape), f.codewordBits), ...noise };
  const decoded = await decodeMaps(model, feedbackMaps(test, shape), path);
  model.dispose();
  const size = 2 * shape.n1 * shape.n2;
  const fields: Record<string, number> = f.codewordBits === 'analog' ? { gain: GAIN_BITS } : { gain: GAIN_BITS, codeword: length * f.codewordBits };
  return {
    reporter: (sample, user, re, im, noiseVar) => {
      let n2 = 0;
      for (let i = 0; i < re.length; i++) n2 += re[i] ** 2 + im[i] ** 2;
      return mapToRow(decoded, (sample * test.nu + user) * size, shape, quantizedGain(n2, noiseVar));
    },
    bits: f.codewordBits === 'analog' ? null : feedbackBits(fields),
    analogValues: f.codewordBits === 'analog' ? length : null,
    scheme: { kind: 'codec', checkpoint: basename(f.checkpoint), graph: graph.name, quantizer: path.quantizer, codewordBits: f.codewordBits === 'analog' ? null : f.codewordBits, snrDb: f.snrDb ?? null },
    fields,
    sides: { encoder: sideOf(graph, 'encoder'), decoder: sideOf(graph, 'decoder') },
  };
}

const add = (a: ReturnType<typeof priced>, b: ReturnType<typeof priced>, times = 1) => ({ closedForm_uJ: a.closedForm_uJ + times * b.closedForm_uJ, engine_uJ: a.engine_uJ + times * b.engine_uJ, cycles: a.cycles + times * b.cycles, latency_us: a.latency_us + times * b.latency_us });
const side = (p: ReturnType<typeof priced>) => ({ closedForm_uJ: p.closedForm_uJ, engine_uJ: p.engine_uJ, latency_us: p.latency_us });

/** A trained precoder loaded once per study: its graph (priced at the BS) and its model. */
interface LoadedNet {
  readonly checkpoint: string;
  readonly graph: Graph;
  readonly model: import('../train/model.ts').GraphModel;
}

async function loadNets(precoders: readonly LinkPrecoder[], test: MimoDataset): Promise<Map<string, LoadedNet>> {
  const nets = new Map<string, LoadedNet>();
  const wanted = precoders.flatMap((p) => (typeof p === 'string' ? [] : [p.net]));
  if (wanted.length === 0) return nets;
  const { initBackend } = await import('../train/backend.ts');
  const { modelFromCheckpoint } = await import('../train/trainer.ts');
  await initBackend();
  for (const checkpoint of wanted) {
    const { model, graph } = modelFromCheckpoint(checkpoint);
    const input = graph.ops.find((op) => op.kind === 'input')?.outputShape ?? [];
    if (isCodecGraph(graph) || input.join('×') !== `2×${test.nt}×${test.nu}`) {
      model.dispose();
      for (const n of nets.values()) n.model.dispose();
      throw new InputError('--precoder', `net:${checkpoint}`, `allowed: a precoder checkpoint for [2×${test.nt}×${test.nu}] channels (codesign train --scenario ${test.scenario}); this one holds ${graph.name}`);
    }
    nets.set(checkpoint, { checkpoint, graph, model });
  }
  return nets;
}

export async function runLink(study: LinkStudy, progress: Progress = SILENT): Promise<LinkResult> {
  const shape = arrayShapeOf(study.scenario);
  const snrDb = study.scenario.model === 'site' ? study.scenario.snrDb : 0;
  // Budgets are checked before any channel is drawn.
  for (const f of study.feedback) if (f.scheme === 'dft' || f.scheme === 'scalar') planFeedback(f.scheme, f.bits, shape);
  const test = mimoSplit(study.scenario, 'test', progress, study.samples);
  const channels = Array.from({ length: test.count }, (_, i) => channelOf(test, i));
  const nets = await loadNets(study.precoders, test);
  const task = progress.task('link: feedback × precoders', channels.length * (1 + study.feedback.length));
  try {
    const reference = channels.map((ch) => {
      const r = wmmse(ch, REFERENCE_WMMSE).sumRate;
      task.tick(1);
      return r;
    });
    const perfect = estimate(reference);
    const rows: LinkRow[] = [];
    for (const f of study.feedback) {
      const scheme = await prepare(f, study, shape, test, progress);
      const ue = newCounter();
      let error = 0;
      let norm = 0;
      const hats: CMatrix[] = [];
      const classical = study.precoders.filter((p): p is ClassicalLinkPrecoder => typeof p === 'string');
      const rates = new Map<string, Float64Array>(study.precoders.map((p) => [precoderLabel(p), new Float64Array(channels.length)]));
      const solves = new Map(classical.map((p) => [p, [] as (SolveRecord & { sumRate: number })[]]));
      channels.forEach((ch, i) => {
        const r = rebuild(scheme.reporter, i, ch, ue);
        error += r.error;
        norm += r.norm;
        hats.push(r.hat);
        const seen: Channel = { H: r.hat, power: ch.power, noiseVar: ch.noiseVar };
        for (const p of classical) {
          // The precoder computed on what the base station knows, its rate on the true channel, its counted work.
          let v: CMatrix;
          let counted: SolveRecord;
          if (p === 'wmmse') {
            const w = wmmse(seen, BS_WMMSE);
            v = w.V;
            counted = { iterations: w.iterations, converged: w.converged, counts: w.counts };
          } else {
            const counter = newCounter();
            v = linearPrecoder(p, seen, counter);
            counted = { iterations: 1, converged: true, counts: { [p]: counter } };
          }
          const rate = sumRate(ch, v).sumRate;
          rates.get(p)![i] = rate;
          solves.get(p)!.push({ ...counted, sumRate: rate });
        }
        task.tick(1);
      });
      if (nets.size > 0) {
        const { mismatchedRates } = await import('../train/trainer.ts');
        const seen = datasetOfChannels(test, hats);
        for (const net of nets.values()) rates.set(`net:${basename(net.checkpoint)}`, await mismatchedRates(net.model, seen, test));
      }
      // Per user and report: a codec's encoder graph, or the counted work averaged over every user of every sample.
      const reports = channels.length * test.nu;
      const mean: OpCounter = { mults: ue.mults / reports, adds: ue.adds / reports, special: ue.special / reports };
      const uePriced = scheme.sides ? priced(scheme.sides.encoder, study.ueHardware) : scheme.reporter ? priced(encoderGraph(mean), study.ueHardware) : null;
      const decoders = scheme.sides ? priced(scheme.sides.decoder, study.bsHardware) : null;
      for (const p of study.precoders) {
        const name = precoderLabel(p);
        const perSample = rates.get(name)!;
        const e = estimate(perSample);
        const d = pairedDifference(perSample, reference);
        const rzf = name === 'rzf-ep' ? undefined : rates.get('rzf-ep');
        const dr = rzf ? pairedDifference(perSample, rzf) : null;
        const precoder =
          typeof p === 'string'
            ? priced(baselineGraphs(summarize(p, p as Algorithm, channels, solves.get(p)!, snrDb, p === 'wmmse' ? BS_WMMSE : undefined, 1)).measured, study.bsHardware)
            : priced(nets.get(p.net)!.graph, study.bsHardware);
        // The base station decodes every user's codeword, then precodes.
        const bs = decoders ? add(precoder, decoders, test.nu) : precoder;
        rows.push({
          feedback: label(f, scheme),
          scheme: scheme.scheme,
          bitsPerUser: scheme.bits,
          analogValues: scheme.analogValues,
          fields: scheme.fields,
          nmseDb: scheme.reporter ? 10 * Math.log10(error / norm) : null,
          precoder: name,
          sumRate: e.mean,
          ci95: e.halfWidth,
          vsPerfectWmmse: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) },
          vsRzfEp: dr ? { mean: dr.mean, ci95: dr.halfWidth, verdict: verdictOf(dr) } : null,
          ue: uePriced ? side(uePriced) : null,
          bs: side(bs),
          // Rounded so that the shipped study stays small; means and CIs above are from the unrounded rates.
          perSample: Array.from(perSample, (r) => Math.round(r * 1e6) / 1e6),
        });
      }
    }
    return { scenario: study.scenario.name, samples: channels.length, users: test.nu, antennas: test.nt, perfectWmmse: { sumRate: perfect.mean, ci95: perfect.halfWidth }, ueHardware: study.ueHardware.name, bsHardware: study.bsHardware.name, rows };
  } finally {
    task.end();
    for (const n of nets.values()) n.model.dispose();
  }
}
