import fc from 'fast-check';
import { cmat, gram, type CMatrix } from '../../linalg/complex.ts';

const entry = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

export function cmatArb(rows: number, cols: number): fc.Arbitrary<CMatrix> {
  return fc.tuple(fc.array(entry, { minLength: rows * cols, maxLength: rows * cols }), fc.array(entry, { minLength: rows * cols, maxLength: rows * cols })).map(([re, im]) => {
    const m = cmat(rows, cols);
    m.re.set(re);
    m.im.set(im);
    return m;
  });
}

/** A well-conditioned square matrix: random plus a dominant diagonal. */
export function invertibleArb(n: number): fc.Arbitrary<CMatrix> {
  return cmatArb(n, n).map((m) => {
    for (let i = 0; i < n; i++) m.re[i * n + i] += 4 * n;
    return m;
  });
}

/** A Hermitian positive-definite matrix B·Bᴴ + n·I. */
export function hpdArb(n: number): fc.Arbitrary<CMatrix> {
  return cmatArb(n, n + 2).map((b) => {
    const g = gram(b);
    for (let i = 0; i < n; i++) g.re[i * n + i] += n;
    return g;
  });
}

export const sizeArb = fc.integer({ min: 1, max: 7 });
