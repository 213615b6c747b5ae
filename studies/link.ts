/**
 * The downlink with CSI feedback, end to end: each user reports its channel row in a budget of
 * bits (baselines/feedback.ts), the base station precodes on what it rebuilt, and the sum rate is
 * measured on the *true* channels of the scenario's held-out test positions — with its paired
 * difference to WMMSE on perfect CSI — beside the feedback bits and the energy on each side: the
 * user's encoder on a UE hardware table, the base station's precoder on its own.
 *
 * This first version runs the classical feedback schemes (perfect, DFT codebook, scalar) and the
 * classical precoders; the learned codecs and heads join it through the same rows.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEEDBACK_SCHEMES, GAIN_BITS, planFeedback, quantizedGain, reportChannel, type ArrayShape, type FeedbackPlan, type FeedbackScheme } from '../baselines/feedback.ts';
import { baselineGraphs, summarize, type Algorithm } from '../baselines/run.ts';
import { sumRate, linearPrecoder } from '../baselines/precoders.ts';
import { wmmse, WMMSE_DEFAULTS, type WmmseOptions } from '../baselines/wmmse.ts';
import { InputError } from '../core/errors.ts';
import { SILENT, type Progress } from '../core/progress.ts';
import { estimate, pairedDifference, verdictOf } from '../core/stats.ts';
import { asMacs, cmat, countInto, newCounter, type CMatrix, type OpCounter } from '../linalg/complex.ts';
import { graphBuilder } from '../nets/builder.ts';
import type { Channel } from '../scenarios/channel.ts';
import { channelOf, type MimoDataset } from '../scenarios/dataset.ts';
import { feedbackMaps, mapToRow } from '../scenarios/feedback-maps.ts';
import { sideOf } from '../nets/csi.ts';
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
 * on a site scenario) whose codeword elements are quantized to B bits each.
 */
export type FeedbackSpec =
  | { readonly scheme: 'perfect' }
  | { readonly scheme: FeedbackScheme; readonly bits: number }
  | { readonly scheme: 'codec'; readonly checkpoint: string; readonly codewordBits: number };

/** Codeword bits per element a codec scheme may ask for. */
export const CODEWORD_BITS = { min: 1, max: 16 } as const;

export function parseFeedback(raw: string): FeedbackSpec {
  const text = raw.trim();
  if (text === 'perfect') return { scheme: 'perfect' };
  const allowed = `allowed: perfect, ${FEEDBACK_SCHEMES.map((s) => `${s}:BITS`).join(', ')} (feedback bits per user), or codec:CHECKPOINT:B (B = ${CODEWORD_BITS.min}…${CODEWORD_BITS.max} bits per codeword element), ';'-separated`;
  if (text.startsWith('codec:')) {
    const cut = text.lastIndexOf(':');
    const checkpoint = text.slice('codec:'.length, cut);
    const b = Number(text.slice(cut + 1));
    if (cut <= 'codec:'.length || checkpoint === '' || !Number.isInteger(b) || b < CODEWORD_BITS.min || b > CODEWORD_BITS.max) throw new InputError('--feedback', raw, allowed);
    return { scheme: 'codec', checkpoint, codewordBits: b };
  }
  const m = /^(\w+):(\d+)$/.exec(text);
  if (!m || !(FEEDBACK_SCHEMES as readonly string[]).includes(m[1])) throw new InputError('--feedback', raw, allowed);
  return { scheme: m[1] as FeedbackScheme, bits: Number(m[2]) };
}

export const LINK_PRECODERS = ['rzf-ep', 'zf', 'wmmse'] as const;
export type LinkPrecoder = (typeof LINK_PRECODERS)[number];

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

export interface LinkRow {
  readonly feedback: string;
  /** Feedback bits per user (null: perfect CSI), and how they split. */
  readonly bitsPerUser: number | null;
  readonly fields: Readonly<Record<string, number>> | null;
  /** Σ‖h − e^{jθ}ĥ‖² / Σ‖h‖² with each user's best common phase θ (a common phase is never reported), in dB. */
  readonly nmseDb: number | null;
  readonly precoder: LinkPrecoder;
  readonly sumRate: number;
  readonly ci95: number;
  /** This row − WMMSE on perfect CSI (best start, ε = 10⁻⁵), paired on the same samples. */
  readonly vsPerfectWmmse: { readonly mean: number; readonly ci95: number; readonly verdict: string };
  /** Per user, per report: the encoder on the UE table (null: perfect CSI costs nothing here). */
  readonly ue: { readonly closedForm_uJ: number; readonly engine_uJ: number; readonly latency_us: number } | null;
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

const label = (f: FeedbackSpec) => (f.scheme === 'perfect' ? 'perfect CSI' : f.scheme === 'codec' ? `codec ${basename(f.checkpoint)} at ${f.codewordBits} bits` : `${f.scheme}:${f.bits}`);

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
  readonly fields: Readonly<Record<string, number>> | null;
  /** A codec's sides, priced from its graph: the UE's encoder, one BS decoder per user. */
  readonly sides?: { readonly encoder: Graph; readonly decoder: Graph };
}

async function prepare(f: FeedbackSpec, study: LinkStudy, shape: ArrayShape, test: MimoDataset, progress: Progress): Promise<PreparedScheme> {
  if (f.scheme === 'perfect') return { reporter: null, bits: null, fields: null };
  if (f.scheme !== 'codec') {
    const plan = planFeedback(f.scheme, f.bits, shape);
    return { reporter: classicalReporter(plan, shape), bits: plan.bits, fields: plan.fields };
  }
  const { initBackend } = await import('../train/backend.ts');
  const { modelFromCheckpoint } = await import('../train/trainer.ts');
  const { calibrateQuantizer, decodeMaps } = await import('../train/codec-feedback.ts');
  await initBackend();
  const { model, graph } = modelFromCheckpoint(f.checkpoint);
  const input = graph.ops.find((op) => op.kind === 'input')?.outputShape ?? [];
  if (!graph.ops.some((op) => op.name.startsWith('enc.')) || input.join('×') !== `2×${shape.n1}×${shape.n2}`) {
    model.dispose();
    throw new InputError('--feedback', `codec:${f.checkpoint}:${f.codewordBits}`, `allowed: a codec checkpoint for ${shape.n1}×${shape.n2} maps (codesign train --net csinet|crnet|cllwcsinet --scenario ${study.scenario.name}); this one holds ${graph.name}`);
  }
  const quantizer = await calibrateQuantizer(model, feedbackMaps(mimoSplit(study.scenario, 'train', progress, 500), shape), f.codewordBits);
  const decoded = await decodeMaps(model, feedbackMaps(test, shape), quantizer);
  model.dispose();
  const size = 2 * shape.n1 * shape.n2;
  const fields = { gain: GAIN_BITS, codeword: quantizer.length * f.codewordBits };
  return {
    reporter: (sample, user, re, im, noiseVar) => {
      let n2 = 0;
      for (let i = 0; i < re.length; i++) n2 += re[i] ** 2 + im[i] ** 2;
      return mapToRow(decoded, (sample * test.nu + user) * size, shape, quantizedGain(n2, noiseVar));
    },
    bits: fields.gain + fields.codeword,
    fields,
    sides: { encoder: sideOf(graph, 'encoder'), decoder: sideOf(graph, 'decoder') },
  };
}

const add = (a: ReturnType<typeof priced>, b: ReturnType<typeof priced>, times = 1) => ({ closedForm_uJ: a.closedForm_uJ + times * b.closedForm_uJ, engine_uJ: a.engine_uJ + times * b.engine_uJ, cycles: a.cycles + times * b.cycles, latency_us: a.latency_us + times * b.latency_us });
const side = (p: ReturnType<typeof priced>) => ({ closedForm_uJ: p.closedForm_uJ, engine_uJ: p.engine_uJ, latency_us: p.latency_us });

export async function runLink(study: LinkStudy, progress: Progress = SILENT): Promise<LinkResult> {
  const shape = arrayShapeOf(study.scenario);
  const snrDb = study.scenario.model === 'site' ? study.scenario.snrDb : 0;
  // Budgets are checked before any channel is drawn.
  for (const f of study.feedback) if (f.scheme === 'dft' || f.scheme === 'scalar') planFeedback(f.scheme, f.bits, shape);
  const test = mimoSplit(study.scenario, 'test', progress, study.samples);
  const channels = Array.from({ length: test.count }, (_, i) => channelOf(test, i));
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
      const rates = new Map(study.precoders.map((p) => [p, new Float64Array(channels.length)]));
      const solves = new Map(study.precoders.map((p) => [p, [] as (SolveRecord & { sumRate: number })[]]));
      channels.forEach((ch, i) => {
        const r = rebuild(scheme.reporter, i, ch, ue);
        error += r.error;
        norm += r.norm;
        const seen: Channel = { H: r.hat, power: ch.power, noiseVar: ch.noiseVar };
        for (const p of study.precoders) {
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
      // Per user and report: a codec's encoder graph, or the counted work averaged over every user of every sample.
      const reports = channels.length * test.nu;
      const mean: OpCounter = { mults: ue.mults / reports, adds: ue.adds / reports, special: ue.special / reports };
      const uePriced = scheme.sides ? priced(scheme.sides.encoder, study.ueHardware) : scheme.reporter ? priced(encoderGraph(mean), study.ueHardware) : null;
      const decoders = scheme.sides ? priced(scheme.sides.decoder, study.bsHardware) : null;
      for (const p of study.precoders) {
        const perSample = rates.get(p)!;
        const e = estimate(perSample);
        const d = pairedDifference(perSample, reference);
        const summary = summarize(p, p as Algorithm, channels, solves.get(p)!, snrDb, p === 'wmmse' ? BS_WMMSE : undefined, 1);
        const precoder = priced(baselineGraphs(summary).measured, study.bsHardware);
        // The base station decodes every user's codeword, then precodes.
        const bs = decoders ? add(precoder, decoders, test.nu) : precoder;
        rows.push({
          feedback: label(f),
          bitsPerUser: scheme.bits,
          fields: scheme.fields,
          nmseDb: scheme.reporter ? 10 * Math.log10(error / norm) : null,
          precoder: p,
          sumRate: e.mean,
          ci95: e.halfWidth,
          vsPerfectWmmse: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) },
          ue: uePriced ? side(uePriced) : null,
          bs: side(bs),
        });
      }
    }
    return { scenario: study.scenario.name, samples: channels.length, users: test.nu, antennas: test.nt, perfectWmmse: { sumRate: perfect.mean, ci95: perfect.halfWidth }, ueHardware: study.ueHardware.name, bsHardware: study.bsHardware.name, rows };
  } finally {
    task.end();
  }
}
