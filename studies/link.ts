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
import { fileURLToPath } from 'node:url';
import { FEEDBACK_SCHEMES, planFeedback, reportChannel, type ArrayShape, type FeedbackPlan, type FeedbackScheme } from '../baselines/feedback.ts';
import { baselineGraphs, summarize, type Algorithm } from '../baselines/run.ts';
import { sumRate, linearPrecoder } from '../baselines/precoders.ts';
import { wmmse, WMMSE_DEFAULTS, type WmmseOptions } from '../baselines/wmmse.ts';
import { InputError } from '../core/errors.ts';
import { SILENT, type Progress } from '../core/progress.ts';
import { estimate, pairedDifference, verdictOf } from '../core/stats.ts';
import { asMacs, cmat, countInto, newCounter, type CMatrix, type OpCounter } from '../linalg/complex.ts';
import { graphBuilder } from '../nets/builder.ts';
import type { Channel } from '../scenarios/channel.ts';
import { channelOf } from '../scenarios/dataset.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { loadHardware } from '../sim/hardware-file.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { mimoSplit } from './train.ts';
import { priced } from './verdict.ts';

/** The UE table `link` prices the encoder on unless told otherwise. */
export const DEFAULT_UE_HARDWARE = fileURLToPath(new URL('../hardware/ue/horowitz-45nm-ue.json', import.meta.url));
export const defaultUeHardware = (): HardwarePreset => loadHardware(DEFAULT_UE_HARDWARE);

/** A feedback scheme as the user names it: `perfect`, or `dft:BITS` / `scalar:BITS` per user. */
export type FeedbackSpec = { readonly scheme: 'perfect' } | { readonly scheme: FeedbackScheme; readonly bits: number };

export function parseFeedback(raw: string): FeedbackSpec {
  const text = raw.trim();
  if (text === 'perfect') return { scheme: 'perfect' };
  const m = /^(\w+):(\d+)$/.exec(text);
  if (!m || !(FEEDBACK_SCHEMES as readonly string[]).includes(m[1])) throw new InputError('--feedback', raw, `allowed: perfect, or ${FEEDBACK_SCHEMES.map((s) => `${s}:BITS`).join(', ')} (feedback bits per user), ';'-separated`);
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

const label = (f: FeedbackSpec) => (f.scheme === 'perfect' ? 'perfect CSI' : `${f.scheme}:${f.bits}`);

/** The user's counted work as a Graph the tables price (its operations, no weights). */
function encoderGraph(counts: OpCounter) {
  const b = graphBuilder('feedback-encoder', { weightBits: 16, activationBits: 16 });
  const { macs, elementwise } = asMacs(counts);
  b.add('encode', { kind: 'trace', macs, elementwise, note: 'the user’s feedback encoder (counted)' }, []);
  return b.build();
}

function rebuild(plan: FeedbackPlan | null, shape: ArrayShape, ch: Channel, ue: OpCounter): { hat: CMatrix; error: number; norm: number } {
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
    if (!plan) {
      hat.re.set(re, k * H.cols);
      hat.im.set(im, k * H.cols);
      continue;
    }
    const r = reportChannel(plan, shape, re, im, ch.noiseVar);
    countInto(ue, r.counts);
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

export function runLink(study: LinkStudy, progress: Progress = SILENT): LinkResult {
  const shape = arrayShapeOf(study.scenario);
  const snrDb = study.scenario.model === 'site' ? study.scenario.snrDb : 0;
  const plans = study.feedback.map((f) => (f.scheme === 'perfect' ? null : planFeedback(f.scheme, f.bits, shape)));
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
    study.feedback.forEach((f, fi) => {
      const plan = plans[fi];
      const ue = newCounter();
      let error = 0;
      let norm = 0;
      const rates = new Map(study.precoders.map((p) => [p, new Float64Array(channels.length)]));
      const solves = new Map(study.precoders.map((p) => [p, [] as (SolveRecord & { sumRate: number })[]]));
      channels.forEach((ch, i) => {
        const r = rebuild(plan, shape, ch, ue);
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
      // Mean per user and report: the counted work over every user of every sample.
      const reports = channels.length * test.nu;
      const mean: OpCounter = { mults: ue.mults / reports, adds: ue.adds / reports, special: ue.special / reports };
      const uePriced = plan ? priced(encoderGraph(mean), study.ueHardware) : null;
      for (const p of study.precoders) {
        const perSample = rates.get(p)!;
        const e = estimate(perSample);
        const d = pairedDifference(perSample, reference);
        const summary = summarize(p, p as Algorithm, channels, solves.get(p)!, snrDb, p === 'wmmse' ? BS_WMMSE : undefined, 1);
        const bs = priced(baselineGraphs(summary).measured, study.bsHardware);
        rows.push({
          feedback: label(f),
          bitsPerUser: plan ? plan.bits : null,
          fields: plan ? plan.fields : null,
          nmseDb: plan ? 10 * Math.log10(error / norm) : null,
          precoder: p,
          sumRate: e.mean,
          ci95: e.halfWidth,
          vsPerfectWmmse: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) },
          ue: uePriced ? { closedForm_uJ: uePriced.closedForm_uJ, engine_uJ: uePriced.engine_uJ, latency_us: uePriced.latency_us } : null,
          bs: { closedForm_uJ: bs.closedForm_uJ, engine_uJ: bs.engine_uJ, latency_us: bs.latency_us },
        });
      }
    });
    return { scenario: study.scenario.name, samples: channels.length, users: test.nu, antennas: test.nt, perfectWmmse: { sumRate: perfect.mean, ci95: perfect.halfWidth }, ueHardware: study.ueHardware.name, bsHardware: study.bsHardware.name, rows };
  } finally {
    task.end();
  }
}
