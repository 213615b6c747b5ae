/**
 * Dense complex linear algebra on Float64Array (row-major, split real/imaginary parts), with an
 * optional counter of real operations so an algorithm's op trace is measured, not estimated.
 *
 * Counting convention: a complex multiply is 4 real multiplications and 2 additions; a complex
 * add is 2 additions; |z|² is 2 multiplications and 1 addition; a division counts as a
 * multiplication; square roots, logarithms and comparisons are `special`.
 */
import { InputError } from '../core/errors.ts';

export interface CMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export interface OpCounter {
  mults: number;
  adds: number;
  special: number;
}

export function newCounter(): OpCounter {
  return { mults: 0, adds: 0, special: 0 };
}

/** Adds `c` to `counter` (when there is one). */
export function countInto(counter: OpCounter | undefined, c: Readonly<OpCounter>): void {
  if (!counter) return;
  counter.mults += c.mults;
  counter.adds += c.adds;
  counter.special += c.special;
}

export function sumCounts(...cs: readonly Readonly<OpCounter>[]): OpCounter {
  const out = newCounter();
  for (const c of cs) countInto(out, c);
  return out;
}

/**
 * Counted operations as an op's work: a MAC absorbs one addition, so the MACs are the real
 * multiplications and only the additions beyond them (plus the special operations) are
 * elementwise work. (The `measured` op traces and the structured precoder head share this.)
 */
export function asMacs(c: Readonly<OpCounter>): { readonly macs: number; readonly elementwise: number } {
  const macs = Math.max(0, c.mults);
  return { macs, elementwise: Math.max(0, c.adds - macs) + c.special };
}

// What each routine below counts, as functions of the sizes alone (pivoting and values change
// no count), so a Graph op can be priced with exactly what the routine counts when it runs.

/** A·B for an m×k by k×n complex product. */
export const matmulCounts = (m: number, n: number, k: number): OpCounter => ({ mults: 4 * m * n * k, adds: 2 * m * n * k + 2 * m * n * (k - 1), special: 0 });

/** A·Aᴴ for an m×k A, the upper triangle and diagonal computed. */
export function gramCounts(m: number, k: number): OpCounter {
  const pairs = (m * (m + 1)) / 2;
  return { mults: 4 * pairs * k, adds: 2 * pairs * k + 2 * pairs * (k - 1), special: 0 };
}

/** LU with partial pivoting of an n×n matrix. */
export function luDecomposeCounts(n: number): OpCounter {
  const c = newCounter();
  for (let k = 0; k < n; k++) {
    const below = n - k - 1;
    c.mults += 3 + below * 6 + below * (n - k - 1) * 4;
    c.adds += 1 + below * 2 + below * (n - k - 1) * 4;
    c.special += n - k; // pivot search
  }
  return c;
}

/** Forward and back substitution for n×m right-hand sides given an n×n LU. */
export function luSolveCounts(n: number, m: number): OpCounter {
  const offDiagonal = (n * (n - 1)) / 2;
  return { mults: 2 * offDiagonal * m * 4 + n * (3 + 6 * m), adds: 2 * offDiagonal * m * 4 + n * (1 + 2 * m), special: 0 };
}

/** inverse(): LU, then a solve against the identity. */
export const inverseCounts = (n: number): OpCounter => sumCounts(luDecomposeCounts(n), luSolveCounts(n, n));

/**
 * WMMSE's receivers from H·V (K users): each user's received power Σ_j |(HV)_kj|² + σ², its
 * MMSE receiver u_k, MSE weight w_k = 1 + SINR_k and rate log2 w_k (baselines/wmmse.ts).
 */
export const receiverCounts = (k: number): OpCounter => ({ mults: k * k * 2 + k * 5, adds: k * k * 2 + k * 3, special: k });

export function cmat(rows: number, cols: number): CMatrix {
  return { rows, cols, re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
}

export function identity(n: number): CMatrix {
  const m = cmat(n, n);
  for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
  return m;
}

export function fromArrays(re: readonly (readonly number[])[], im?: readonly (readonly number[])[]): CMatrix {
  const rows = re.length;
  const cols = rows === 0 ? 0 : re[0].length;
  const m = cmat(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      m.re[i * cols + j] = re[i][j];
      m.im[i * cols + j] = im ? im[i][j] : 0;
    }
  }
  return m;
}

export function toArrays(m: CMatrix): { re: number[][]; im: number[][] } {
  const re: number[][] = [];
  const im: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    re.push(Array.from(m.re.subarray(i * m.cols, (i + 1) * m.cols)));
    im.push(Array.from(m.im.subarray(i * m.cols, (i + 1) * m.cols)));
  }
  return { re, im };
}

export function clone(m: CMatrix): CMatrix {
  return { rows: m.rows, cols: m.cols, re: m.re.slice(), im: m.im.slice() };
}

/** A·B. */
export function matmul(a: CMatrix, b: CMatrix, counter?: OpCounter): CMatrix {
  if (a.cols !== b.rows) throw new InputError('matmul', `${a.rows}×${a.cols} · ${b.rows}×${b.cols}`, 'allowed: inner dimensions equal');
  const { rows: m, cols: k } = a;
  const n = b.cols;
  const out = cmat(m, n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const ar = a.re[i * k + p];
      const ai = a.im[i * k + p];
      const row = i * n;
      const brow = p * n;
      for (let j = 0; j < n; j++) {
        const br = b.re[brow + j];
        const bi = b.im[brow + j];
        out.re[row + j] += ar * br - ai * bi;
        out.im[row + j] += ar * bi + ai * br;
      }
    }
  }
  countInto(counter, matmulCounts(m, n, k));
  return out;
}

/** Aᴴ (conjugate transpose); moves data only. */
export function hermitian(a: CMatrix): CMatrix {
  const out = cmat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      out.re[j * a.rows + i] = a.re[i * a.cols + j];
      out.im[j * a.rows + i] = -a.im[i * a.cols + j];
    }
  }
  return out;
}

/** A·Aᴴ, exploiting Hermitian symmetry (the Gram matrix HHᴴ of a channel). */
export function gram(a: CMatrix, counter?: OpCounter): CMatrix {
  const { rows: m, cols: k } = a;
  const out = cmat(m, m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let re = 0;
      let im = 0;
      for (let p = 0; p < k; p++) {
        const ar = a.re[i * k + p];
        const ai = a.im[i * k + p];
        const br = a.re[j * k + p];
        const bi = -a.im[j * k + p];
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      out.re[i * m + j] = re;
      out.im[i * m + j] = im;
      out.re[j * m + i] = re;
      out.im[j * m + i] = -im;
    }
  }
  countInto(counter, gramCounts(m, k));
  return out;
}

export function addScaledIdentity(a: CMatrix, mu: number, counter?: OpCounter): CMatrix {
  const out = clone(a);
  for (let i = 0; i < Math.min(a.rows, a.cols); i++) out.re[i * a.cols + i] += mu;
  if (counter) counter.adds += Math.min(a.rows, a.cols);
  return out;
}

export function scale(a: CMatrix, s: number, counter?: OpCounter): CMatrix {
  const out = cmat(a.rows, a.cols);
  for (let i = 0; i < a.re.length; i++) {
    out.re[i] = a.re[i] * s;
    out.im[i] = a.im[i] * s;
  }
  if (counter) counter.mults += 2 * a.re.length;
  return out;
}

/** ‖A‖_F². */
export function frobenius2(a: CMatrix, counter?: OpCounter): number {
  let s = 0;
  for (let i = 0; i < a.re.length; i++) s += a.re[i] * a.re[i] + a.im[i] * a.im[i];
  if (counter) {
    counter.mults += 2 * a.re.length;
    counter.adds += 2 * a.re.length - 1;
  }
  return s;
}

export interface LU {
  readonly lu: CMatrix;
  readonly perm: Int32Array;
}

/** LU with partial pivoting, PA = LU. Throws on a singular matrix. */
export function luDecompose(a: CMatrix, counter?: OpCounter): LU {
  if (a.rows !== a.cols) throw new InputError('luDecompose', `${a.rows}×${a.cols}`, 'allowed: a square matrix');
  const n = a.rows;
  const lu = clone(a);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const { re, im } = lu;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    let best = re[k * n + k] ** 2 + im[k * n + k] ** 2;
    for (let i = k + 1; i < n; i++) {
      const mag = re[i * n + k] ** 2 + im[i * n + k] ** 2;
      if (mag > best) {
        best = mag;
        pivot = i;
      }
    }
    if (!(best > 0) || !Number.isFinite(best)) throw new InputError('matrix', 'singular', 'allowed: a non-singular matrix');
    if (pivot !== k) {
      for (let j = 0; j < n; j++) {
        const a1 = k * n + j;
        const a2 = pivot * n + j;
        [re[a1], re[a2]] = [re[a2], re[a1]];
        [im[a1], im[a2]] = [im[a2], im[a1]];
      }
      [perm[k], perm[pivot]] = [perm[pivot], perm[k]];
    }
    const pr = re[k * n + k];
    const pi = im[k * n + k];
    const inv = 1 / (pr * pr + pi * pi);
    for (let i = k + 1; i < n; i++) {
      // l = a_ik / a_kk
      const ar = re[i * n + k];
      const ai = im[i * n + k];
      const lr = (ar * pr + ai * pi) * inv;
      const li = (ai * pr - ar * pi) * inv;
      re[i * n + k] = lr;
      im[i * n + k] = li;
      for (let j = k + 1; j < n; j++) {
        const ur = re[k * n + j];
        const ui = im[k * n + j];
        re[i * n + j] -= lr * ur - li * ui;
        im[i * n + j] -= lr * ui + li * ur;
      }
    }
  }
  countInto(counter, luDecomposeCounts(n));
  return { lu, perm };
}

/** Solves A·X = B given PA = LU. */
export function luSolve({ lu, perm }: LU, b: CMatrix, counter?: OpCounter): CMatrix {
  const n = lu.rows;
  const m = b.cols;
  const x = cmat(n, m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      x.re[i * m + j] = b.re[perm[i] * m + j];
      x.im[i * m + j] = b.im[perm[i] * m + j];
    }
  }
  const { re, im } = lu;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lr = re[i * n + k];
      const li = im[i * n + k];
      for (let j = 0; j < m; j++) {
        const xr = x.re[k * m + j];
        const xi = x.im[k * m + j];
        x.re[i * m + j] -= lr * xr - li * xi;
        x.im[i * m + j] -= lr * xi + li * xr;
      }
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const ur = re[i * n + k];
      const ui = im[i * n + k];
      for (let j = 0; j < m; j++) {
        const xr = x.re[k * m + j];
        const xi = x.im[k * m + j];
        x.re[i * m + j] -= ur * xr - ui * xi;
        x.im[i * m + j] -= ur * xi + ui * xr;
      }
    }
    const pr = re[i * n + i];
    const pi = im[i * n + i];
    const inv = 1 / (pr * pr + pi * pi);
    for (let j = 0; j < m; j++) {
      const xr = x.re[i * m + j];
      const xi = x.im[i * m + j];
      x.re[i * m + j] = (xr * pr + xi * pi) * inv;
      x.im[i * m + j] = (xi * pr - xr * pi) * inv;
    }
  }
  countInto(counter, luSolveCounts(n, m));
  return x;
}

export function solve(a: CMatrix, b: CMatrix, counter?: OpCounter): CMatrix {
  return luSolve(luDecompose(a, counter), b, counter);
}

export function inverse(a: CMatrix, counter?: OpCounter): CMatrix {
  return solve(a, identity(a.rows), counter);
}

/** Cholesky factor L (lower, real positive diagonal) of a Hermitian positive-definite A = LLᴴ. */
export function cholesky(a: CMatrix, counter?: OpCounter): CMatrix {
  if (a.rows !== a.cols) throw new InputError('cholesky', `${a.rows}×${a.cols}`, 'allowed: a square matrix');
  const n = a.rows;
  const l = cmat(n, n);
  for (let j = 0; j < n; j++) {
    let d = a.re[j * n + j];
    for (let k = 0; k < j; k++) d -= l.re[j * n + k] ** 2 + l.im[j * n + k] ** 2;
    if (!(d > 0)) throw new InputError('matrix', 'not positive definite', 'allowed: a Hermitian positive-definite matrix');
    const djj = Math.sqrt(d);
    l.re[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let sr = a.re[i * n + j];
      let si = a.im[i * n + j];
      for (let k = 0; k < j; k++) {
        // s -= L_ik · conj(L_jk)
        const xr = l.re[i * n + k];
        const xi = l.im[i * n + k];
        const yr = l.re[j * n + k];
        const yi = -l.im[j * n + k];
        sr -= xr * yr - xi * yi;
        si -= xr * yi + xi * yr;
      }
      l.re[i * n + j] = sr / djj;
      l.im[i * n + j] = si / djj;
    }
    if (counter) {
      counter.mults += 2 * j + (n - j - 1) * (4 * j + 2);
      counter.adds += 2 * j + (n - j - 1) * 4 * j;
      counter.special += 1;
    }
  }
  return l;
}

/** Max |a_ij − b_ij| (for tests and checks). */
export function maxAbsDiff(a: CMatrix, b: CMatrix): number {
  let m = 0;
  for (let i = 0; i < a.re.length; i++) m = Math.max(m, Math.hypot(a.re[i] - b.re[i], a.im[i] - b.im[i]));
  return m;
}

export interface HermitianEig {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Unitary Q with A = Q·diag(values)·Qᴴ; column m is the eigenvector of values[m]. */
  readonly vectors: CMatrix;
}

/**
 * Eigendecomposition of a Hermitian matrix by cyclic complex Jacobi rotations: each rotation
 * first turns a_pq real with a phase on column q, then applies the real Jacobi rotation.
 * Converges quadratically; meant for the small (N_U × N_U) systems of the precoders.
 */
export function hermitianEig(a: CMatrix, counter?: OpCounter): HermitianEig {
  if (a.rows !== a.cols) throw new InputError('hermitianEig', `${a.rows}×${a.cols}`, 'allowed: a square matrix');
  const n = a.rows;
  const m = clone(a);
  const q = identity(n);
  const { re, im } = m;
  let scaleNorm = 0;
  for (let i = 0; i < re.length; i++) scaleNorm += re[i] * re[i] + im[i] * im[i];
  const tiny = 1e-30 * Math.max(scaleNorm, 1e-300);
  let rotations = 0;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let r = p + 1; r < n; r++) off += re[p * n + r] ** 2 + im[p * n + r] ** 2;
    if (off <= tiny) break;
    for (let p = 0; p < n - 1; p++) {
      for (let r = p + 1; r < n; r++) {
        const apr = re[p * n + r];
        const api = im[p * n + r];
        const mag = Math.hypot(apr, api);
        if (mag * mag <= tiny / (n * n)) continue;
        rotations++;
        // Phase e^{-iφ} with a_pq = |a_pq| e^{iφ}; real rotation from the NR recipe.
        const er = apr / mag;
        const ei = -api / mag;
        const theta = (re[r * n + r] - re[p * n + p]) / (2 * mag);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // U block: [[c, s], [−s·e, c·e]] with e = er + i·ei
        const u_pp_r = c, u_pp_i = 0;
        const u_pr_r = s, u_pr_i = 0;
        const u_rp_r = -s * er, u_rp_i = -s * ei;
        const u_rr_r = c * er, u_rr_i = c * ei;
        // M ← M·U (columns p, r), Q ← Q·U
        for (const target of [m, q]) {
          const tr = target.re;
          const ti = target.im;
          for (let i = 0; i < n; i++) {
            const xr = tr[i * n + p], xi = ti[i * n + p];
            const yr = tr[i * n + r], yi = ti[i * n + r];
            tr[i * n + p] = xr * u_pp_r - xi * u_pp_i + yr * u_rp_r - yi * u_rp_i;
            ti[i * n + p] = xr * u_pp_i + xi * u_pp_r + yr * u_rp_i + yi * u_rp_r;
            tr[i * n + r] = xr * u_pr_r - xi * u_pr_i + yr * u_rr_r - yi * u_rr_i;
            ti[i * n + r] = xr * u_pr_i + xi * u_pr_r + yr * u_rr_i + yi * u_rr_r;
          }
        }
        // M ← Uᴴ·M (rows p, r)
        for (let j = 0; j < n; j++) {
          const xr = re[p * n + j], xi = im[p * n + j];
          const yr = re[r * n + j], yi = im[r * n + j];
          re[p * n + j] = u_pp_r * xr + u_pp_i * xi + (u_rp_r * yr + u_rp_i * yi);
          im[p * n + j] = u_pp_r * xi - u_pp_i * xr + (u_rp_r * yi - u_rp_i * yr);
          re[r * n + j] = u_pr_r * xr + u_pr_i * xi + (u_rr_r * yr + u_rr_i * yi);
          im[r * n + j] = u_pr_r * xi - u_pr_i * xr + (u_rr_r * yi - u_rr_i * yr);
        }
        re[p * n + r] = im[p * n + r] = re[r * n + p] = im[r * n + p] = 0;
        im[p * n + p] = im[r * n + r] = 0;
      }
    }
  }
  if (counter) {
    // Per rotation: setup ~12, two column updates of n rows (M and Q) and one row update, 16 mults each.
    counter.mults += rotations * (12 + 3 * 16 * n);
    counter.adds += rotations * (6 + 3 * 12 * n);
    counter.special += rotations * 3;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => re[x * n + x] - re[y * n + y]);
  const values = Float64Array.from(order, (i) => re[i * n + i]);
  const vectors = cmat(n, n);
  order.forEach((from, to) => {
    for (let i = 0; i < n; i++) {
      vectors.re[i * n + to] = q.re[i * n + from];
      vectors.im[i * n + to] = q.im[i * n + from];
    }
  });
  return { values, vectors };
}
