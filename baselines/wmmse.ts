/**
 * WMMSE (Shi, Razaviyayn, Luo, He 2011) for the MISO downlink sum rate, equal user weights.
 *
 *   u_k = h_kᴴv_k / (Σ_j |h_kᴴv_j|² + σ²)          receivers
 *   w_k = 1 / (1 − u_k* h_kᴴ v_k) = 1 + SINR_k      MSE weights
 *   V   = (Hᴴ D H + μI)⁻¹ Hᴴ B,  D = diag(|u_k|² w_k), B = diag(u_k w_k)
 *
 * with μ ≥ 0 the smallest multiplier meeting ‖V‖_F² ≤ P. By the push-through identity
 * (HᴴDH + μI)⁻¹Hᴴ = Hᴴ(DHHᴴ + μI)⁻¹, so V = Hᴴ X(μ), X(μ) = (DG + μI)⁻¹B with G = HHᴴ, and
 * ‖V‖_F² = tr(Xᴴ G X): every bisection step on μ solves an N_U × N_U system instead of an
 * N_T × N_T one. The iterates are the textbook ones; only the cost differs (docs/baselines.md).
 */
import { InputError } from '../core/errors.ts';
import { checkChannel, type Channel } from '../scenarios/channel.ts';
import { addScaledIdentity, cmat, countInto, frobenius2, receiverCounts, scale, gram, hermitian, hermitianEig, luDecompose, luSolve, matmul, newCounter, type CMatrix, type OpCounter } from '../linalg/complex.ts';
import { linearPrecoder } from './precoders.ts';

export type StopRule = 'abs' | 'rel';

/** Where WMMSE starts; `best` runs from each start and keeps the highest final sum rate. */
export const WMMSE_STARTS = ['mrt', 'rzf', 'rzf-ep'] as const;
export type WmmseStart = (typeof WMMSE_STARTS)[number];
export const WMMSE_INITS = [...WMMSE_STARTS, 'best'] as const;
export type WmmseInit = (typeof WMMSE_INITS)[number];

/**
 * How the V update meets the power constraint: `bisection` on μ (the textbook WMMSE, the
 * default), or `closed-form`: μ = σ²·Σ_k |u_k|²w_k / P (Christensen, Agarwal, de Carvalho,
 * Cioffi, IEEE TWC 2008) and V scaled to the power afterwards — one N_U × N_U solve per
 * iteration, the update the unfolded head (nets/heads.ts) unrolls with FCL3 at zero.
 */
export const REGULARISERS = ['bisection', 'closed-form'] as const;
export type Regulariser = (typeof REGULARISERS)[number];

export interface WmmseOptions {
  /** Stop when the sum-rate change (abs) or relative change (rel) is below tol. */
  readonly tol: number;
  readonly rule: StopRule;
  readonly maxIter: number;
  /** The initial precoder; `best` by default (every start is run and counted). */
  readonly init?: WmmseInit;
  /** `bisection` by default. */
  readonly regulariser?: Regulariser;
}

export const WMMSE_DEFAULTS: WmmseOptions = { tol: 1e-5, rule: 'abs', maxIter: 1000, init: 'best' };

/** Counters of real operations by phase of the algorithm (the `measured` op trace). */
export type WmmsePhaseCounts = {
  readonly gram: OpCounter;
  readonly init: OpCounter;
  readonly receivers: OpCounter;
  readonly multiplier: OpCounter;
  readonly precoder: OpCounter;
};

/** One start's run: its result and its own counted operations (the shared Gram matrix in none). */
export interface WmmseRun {
  readonly start: WmmseStart;
  readonly sumRate: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly counts: WmmsePhaseCounts;
}

const newPhaseCounts = (): WmmsePhaseCounts => ({ gram: newCounter(), init: newCounter(), receivers: newCounter(), multiplier: newCounter(), precoder: newCounter() });

export interface WmmseResult {
  readonly V: CMatrix;
  readonly sinr: Float64Array;
  readonly rates: Float64Array;
  readonly sumRate: number;
  /** V updates performed, over every start that was run. */
  readonly iterations: number;
  /** Every start that was run met the tolerance before the cap. */
  readonly converged: boolean;
  /** The start whose result this is, and what each start that was run reached. */
  readonly start: WmmseStart;
  readonly runs: readonly WmmseRun[];
  /** Sum rate of the kept run's initial precoder, then after each of its iterations. */
  readonly rateHistory: readonly number[];
  /** Counted operations of every start that was run. */
  readonly counts: WmmsePhaseCounts;
}

export function validateWmmseOptions(o: WmmseOptions): void {
  if (!(o.tol >= 0 && Number.isFinite(o.tol))) throw new InputError('tol', o.tol, 'allowed: a finite number ≥ 0');
  if (o.rule !== 'abs' && o.rule !== 'rel') throw new InputError('rule', o.rule, 'allowed: abs, rel');
  if (!Number.isInteger(o.maxIter) || o.maxIter < 1) throw new InputError('maxIter', o.maxIter, 'allowed: a positive integer');
  if (o.init !== undefined && !(WMMSE_INITS as readonly string[]).includes(o.init)) throw new InputError('init', o.init, `allowed: ${WMMSE_INITS.join(', ')}`);
  if (o.regulariser !== undefined && !(REGULARISERS as readonly string[]).includes(o.regulariser)) throw new InputError('regulariser', o.regulariser, `allowed: ${REGULARISERS.join(', ')}`);
}

interface ReceiverState {
  readonly u: { re: Float64Array; im: Float64Array };
  readonly w: Float64Array;
  readonly sinr: Float64Array;
  readonly rates: Float64Array;
  readonly sumRate: number;
}

function receivers(channel: Channel, v: CMatrix, counter: OpCounter): ReceiverState {
  const hv = matmul(channel.H, v, counter);
  const k = hv.rows;
  const u = { re: new Float64Array(k), im: new Float64Array(k) };
  const w = new Float64Array(k);
  const sinr = new Float64Array(k);
  const rates = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    let received = channel.noiseVar;
    for (let j = 0; j < k; j++) received += hv.re[i * k + j] ** 2 + hv.im[i * k + j] ** 2;
    const sr = hv.re[i * k + i];
    const si = hv.im[i * k + i];
    const signal = sr * sr + si * si;
    u.re[i] = sr / received;
    u.im[i] = si / received;
    sinr[i] = signal / (received - signal);
    // w = 1/(1 − |h_kᴴv_k|²/received) = received / (received − signal) = 1 + SINR
    w[i] = received / (received - signal);
    rates[i] = Math.log2(w[i]);
    total += rates[i];
  }
  countInto(counter, receiverCounts(k));
  return { u, w, sinr, rates, sumRate: total };
}

/** X(μ) = (DG + μI)⁻¹B and its transmit power tr(XᴴGX); Infinity when singular. */
function precoderCoefficients(dg: CMatrix, b: CMatrix, g: CMatrix, mu: number, counter: OpCounter): { x: CMatrix; power: number } {
  let lu;
  try {
    lu = luDecompose(mu > 0 ? addScaledIdentity(dg, mu, counter) : dg, counter);
  } catch {
    return { x: b, power: Infinity };
  }
  const x = luSolve(lu, b, counter);
  const gx = matmul(g, x, counter);
  let power = 0;
  for (let i = 0; i < x.re.length; i++) power += x.re[i] * gx.re[i] + x.im[i] * gx.im[i];
  counter.mults += 2 * x.re.length;
  counter.adds += 2 * x.re.length;
  return { x, power };
}

/**
 * The V update. With all d_k > 0, DG = D^½ S D^-½ for the Hermitian S = D^½ G D^½ = QΛQᴴ, so
 * X(μ) = D^½ Q (Λ + μI)⁻¹ C with C = Qᴴ D^-½ B, and ‖V‖_F² = Σ_m λ_m ‖c_m‖² / (λ_m + μ)²:
 * after one N_U × N_U eigendecomposition, each bisection step on μ is O(N_U). A user with
 * u_k = 0 (d_k = 0) falls back to an LU solve per step.
 */
function updatePrecoder(channel: Channel, g: CMatrix, hH: CMatrix, state: ReceiverState, counts: WmmsePhaseCounts): CMatrix {
  const k = g.rows;
  const m = counts.multiplier;
  const d = new Float64Array(k);
  for (let i = 0; i < k; i++) d[i] = (state.u.re[i] ** 2 + state.u.im[i] ** 2) * state.w[i];
  m.mults += 3 * k;
  m.adds += k;
  if (d.every((x) => x > 0)) return updateBySecularEquation(channel, g, hH, state, d, counts);
  return updateByLu(channel, g, hH, state, d, counts);
}

function updateBySecularEquation(
  channel: Channel,
  g: CMatrix,
  hH: CMatrix,
  state: ReceiverState,
  d: Float64Array,
  counts: WmmsePhaseCounts,
): CMatrix {
  const k = g.rows;
  const m = counts.multiplier;
  const sqrtD = d.map(Math.sqrt);
  const s = cmat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const f = sqrtD[i] * sqrtD[j];
      s.re[i * k + j] = f * g.re[i * k + j];
      s.im[i * k + j] = f * g.im[i * k + j];
    }
  }
  m.mults += k * k * 3;
  m.special += k;
  const { values: lambda, vectors: q } = hermitianEig(s, m);
  // C = Qᴴ·diag(β), β_k = u_k w_k / √d_k; ‖c_m‖² = Σ_k |Q_km|² |β_k|², |β_k|² = w_k.
  const weight = new Float64Array(k);
  for (let mm = 0; mm < k; mm++) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += (q.re[i * k + mm] ** 2 + q.im[i * k + mm] ** 2) * state.w[i];
    weight[mm] = lambda[mm] * sum;
  }
  m.mults += 4 * k * k;
  m.adds += 2 * k * k;
  const maxLambda = lambda[k - 1];
  const power = (mu: number) => {
    let p = 0;
    for (let mm = 0; mm < k; mm++) {
      const l = lambda[mm] > 1e-13 * maxLambda ? lambda[mm] : 0;
      if (l > 0) p += weight[mm] / ((l + mu) * (l + mu));
    }
    m.mults += 2 * k;
    m.adds += 2 * k;
    return p;
  };
  let mu = 0;
  const singular = lambda[0] <= 1e-13 * maxLambda;
  if (singular || power(0) > channel.power) {
    let lo = 0;
    let hi = Math.max(Math.sqrt(weight.reduce((a, b) => a + b, 0) / channel.power), 1e-300);
    while (power(hi) > channel.power) {
      lo = hi;
      hi *= 2;
    }
    for (let step = 0; step < 200 && hi - lo > 1e-15 * hi; step++) {
      const mid = 0.5 * (lo + hi);
      if (power(mid) > channel.power) lo = mid;
      else hi = mid;
      m.special += 1;
    }
    mu = hi;
  }
  // X = D^½ Q (Λ + μ)⁻¹ Qᴴ diag(β)
  const x = cmat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let re = 0;
      let im = 0;
      for (let mm = 0; mm < k; mm++) {
        const l = lambda[mm] > 1e-13 * maxLambda ? lambda[mm] : 0;
        const inv = 1 / (l + mu);
        // Q_im · conj(Q_jm) / (λ_m + μ)
        const ar = q.re[i * k + mm], ai = q.im[i * k + mm];
        const br = q.re[j * k + mm], bi = -q.im[j * k + mm];
        re += (ar * br - ai * bi) * inv;
        im += (ar * bi + ai * br) * inv;
      }
      const betaR = (state.u.re[j] * state.w[j]) / sqrtD[j];
      const betaI = (state.u.im[j] * state.w[j]) / sqrtD[j];
      x.re[i * k + j] = sqrtD[i] * (re * betaR - im * betaI);
      x.im[i * k + j] = sqrtD[i] * (re * betaI + im * betaR);
    }
  }
  m.mults += k * k * (k * 6 + 10);
  m.adds += k * k * (k * 4 + 2);
  return matmul(hH, x, counts.precoder);
}

/**
 * The closed-form V update: X = (DG + μI)⁻¹B with μ = σ²·tr(D)/P, V = Hᴴ X scaled to ‖V‖_F² = P.
 * With every d_k = 0 (no user receives anything) there is nothing to regularise: bisection's update.
 */
function updateClosedForm(channel: Channel, g: CMatrix, hH: CMatrix, state: ReceiverState, counts: WmmsePhaseCounts): CMatrix {
  const k = g.rows;
  const m = counts.multiplier;
  const d = new Float64Array(k);
  let trace = 0;
  for (let i = 0; i < k; i++) {
    d[i] = (state.u.re[i] ** 2 + state.u.im[i] ** 2) * state.w[i];
    trace += d[i];
  }
  m.mults += 3 * k + 2;
  m.adds += 2 * k;
  if (!(trace > 0)) return updatePrecoder(channel, g, hH, state, counts);
  const mu = (channel.noiseVar * trace) / channel.power;
  const a = cmat(k, k);
  const b = cmat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      a.re[i * k + j] = d[i] * g.re[i * k + j] + (i === j ? mu : 0);
      a.im[i * k + j] = d[i] * g.im[i * k + j];
    }
    b.re[i * k + i] = state.u.re[i] * state.w[i];
    b.im[i * k + i] = state.u.im[i] * state.w[i];
  }
  m.mults += 2 * k * k + 2 * k;
  m.adds += k;
  const x = luSolve(luDecompose(a, m), b, m);
  const v = matmul(hH, x, counts.precoder);
  return scale(v, Math.sqrt(channel.power / frobenius2(v, counts.precoder)), counts.precoder);
}

function updateByLu(channel: Channel, g: CMatrix, hH: CMatrix, state: ReceiverState, d: Float64Array, counts: WmmsePhaseCounts): CMatrix {
  const k = g.rows;
  const dg = cmat(k, k);
  const b = cmat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      dg.re[i * k + j] = d[i] * g.re[i * k + j];
      dg.im[i * k + j] = d[i] * g.im[i * k + j];
    }
    b.re[i * k + i] = state.u.re[i] * state.w[i];
    b.im[i * k + i] = state.u.im[i] * state.w[i];
  }
  const m = counts.multiplier;
  m.mults += 2 * k * k + 2 * k;
  let best = precoderCoefficients(dg, b, g, 0, m);
  if (best.power > channel.power) {
    // Power falls monotonically in μ: bracket, then bisect, keeping the feasible end.
    let lo = 0;
    let hi = 1e-12 + (channel.noiseVar * k) / channel.power;
    let high = precoderCoefficients(dg, b, g, hi, m);
    while (high.power > channel.power) {
      lo = hi;
      hi *= 4;
      high = precoderCoefficients(dg, b, g, hi, m);
    }
    for (let step = 0; step < 200 && hi - lo > 1e-15 * hi; step++) {
      const mid = 0.5 * (lo + hi);
      const trial = precoderCoefficients(dg, b, g, mid, m);
      m.special += 1;
      if (trial.power > channel.power) lo = mid;
      else {
        hi = mid;
        high = trial;
      }
    }
    best = high;
  }
  return matmul(hH, best.x, counts.precoder);
}

export function wmmse(channel: Channel, options: WmmseOptions = WMMSE_DEFAULTS): WmmseResult {
  checkChannel(channel);
  validateWmmseOptions(options);
  const counts = newPhaseCounts();
  const g = gram(channel.H, counts.gram);
  const hH = hermitian(channel.H);
  const init = options.init ?? 'best';
  const starts = init === 'best' ? WMMSE_STARTS : [init];
  const runs = starts.map((start) => {
    const own = newPhaseCounts();
    const run = iterate(channel, g, hH, linearPrecoder(start, channel, own.init), options, own);
    for (const phase of Object.keys(own) as (keyof WmmsePhaseCounts)[]) countInto(counts[phase], own[phase]);
    return { ...run, counts: own };
  });
  // The first of equal rates (MRT before RZF before equal-power RZF) is kept.
  let best = 0;
  for (let i = 1; i < runs.length; i++) if (runs[i].state.sumRate > runs[best].state.sumRate) best = i;
  const kept = runs[best];
  return {
    V: kept.v,
    sinr: kept.state.sinr,
    rates: kept.state.rates,
    sumRate: kept.state.sumRate,
    iterations: runs.reduce((n, r) => n + r.iterations, 0),
    converged: runs.every((r) => r.converged),
    start: starts[best],
    runs: runs.map((r, i) => ({ start: starts[i], sumRate: r.state.sumRate, iterations: r.iterations, converged: r.converged, counts: r.counts })),
    rateHistory: kept.history,
    counts,
  };
}

/** WMMSE's iterations from the precoder v until the stopping rule or the cap. */
function iterate(channel: Channel, g: CMatrix, hH: CMatrix, start: CMatrix, options: WmmseOptions, counts: WmmsePhaseCounts) {
  let v = start;
  let state = receivers(channel, v, counts.receivers);
  const history = [state.sumRate];
  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIter) {
    v = options.regulariser === 'closed-form' ? updateClosedForm(channel, g, hH, state, counts) : updatePrecoder(channel, g, hH, state, counts);
    const next = receivers(channel, v, counts.receivers);
    iterations++;
    const change = Math.abs(next.sumRate - state.sumRate);
    state = next;
    history.push(state.sumRate);
    const measure = options.rule === 'abs' ? change : change / Math.max(Math.abs(history[history.length - 2]), 1e-300);
    if (measure < options.tol) {
      converged = true;
      break;
    }
  }
  return { v, state, history, iterations, converged };
}
