import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cholesky, cmat, gram, hermitian, hermitianEig, identity, inverse, matmul, maxAbsDiff, newCounter, solve } from '../linalg/complex.ts';
import { cmatArb, hpdArb, invertibleArb, sizeArb } from './laws/complex-arbitraries.ts';

describe('complex linear algebra laws', () => {
  it('A·A⁻¹ = I and A·solve(A, B) = B', () => {
    fc.assert(
      fc.property(sizeArb.chain((n) => fc.tuple(invertibleArb(n), cmatArb(n, 3))), ([a, b]) => {
        expect(maxAbsDiff(matmul(a, inverse(a)), identity(a.rows))).toBeLessThan(1e-10);
        expect(maxAbsDiff(matmul(a, solve(a, b)), b)).toBeLessThan(1e-9);
      }),
    );
  });

  it('(AB)ᴴ = BᴴAᴴ and A·Aᴴ = gram(A)', () => {
    fc.assert(
      fc.property(fc.tuple(sizeArb, sizeArb, sizeArb).chain(([m, k, n]) => fc.tuple(cmatArb(m, k), cmatArb(k, n))), ([a, b]) => {
        expect(maxAbsDiff(hermitian(matmul(a, b)), matmul(hermitian(b), hermitian(a)))).toBeLessThan(1e-12);
        expect(maxAbsDiff(gram(a), matmul(a, hermitian(a)))).toBeLessThan(1e-12);
      }),
    );
  });

  it('Cholesky of a random Hermitian positive-definite matrix: L lower with positive real diagonal, LLᴴ = A', () => {
    fc.assert(
      fc.property(sizeArb.chain(hpdArb), (a) => {
        const l = cholesky(a);
        const n = a.rows;
        for (let i = 0; i < n; i++) {
          expect(l.re[i * n + i]).toBeGreaterThan(0);
          expect(l.im[i * n + i]).toBe(0);
          for (let j = i + 1; j < n; j++) expect(Math.hypot(l.re[i * n + j], l.im[i * n + j])).toBe(0);
        }
        expect(maxAbsDiff(matmul(l, hermitian(l)), a)).toBeLessThan(1e-10 * Math.max(1, ...a.re.map(Math.abs)));
      }),
    );
  });

  it('Hermitian eigendecomposition: A·Q = Q·Λ, QᴴQ = I, eigenvalues ascending and real', () => {
    fc.assert(
      fc.property(sizeArb.chain((n) => cmatArb(n, n)), (b) => {
        // A = B + Bᴴ is Hermitian (indefinite in general).
        const a = matmul(identity(b.rows), b);
        const bh = hermitian(b);
        for (let i = 0; i < a.re.length; i++) {
          a.re[i] += bh.re[i];
          a.im[i] += bh.im[i];
        }
        const { values, vectors: q } = hermitianEig(a);
        const lambda = cmat(a.rows, a.rows);
        values.forEach((v, i) => (lambda.re[i * a.rows + i] = v));
        const scale = Math.max(1, ...a.re.map(Math.abs), ...a.im.map(Math.abs));
        expect(maxAbsDiff(matmul(a, q), matmul(q, lambda))).toBeLessThan(1e-10 * scale * a.rows);
        expect(maxAbsDiff(matmul(hermitian(q), q), identity(a.rows))).toBeLessThan(1e-12 * a.rows);
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      }),
    );
  });

  it('the counter counts a product’s real multiplications exactly', () => {
    const counter = newCounter();
    matmul(cmat(3, 5), cmat(5, 2), counter);
    expect(counter.mults).toBe(4 * 3 * 5 * 2);
    expect(counter.adds).toBe(2 * 3 * 5 * 2 + 2 * 3 * 2 * 4);
  });

  it('a singular matrix or a matrix that is not positive definite is a clear error', () => {
    expect(() => inverse(cmat(2, 2))).toThrow(/singular/);
    expect(() => cholesky(cmat(2, 2))).toThrow(/positive-definite/);
  });
});
