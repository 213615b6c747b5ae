/**
 * The classical precoders as the seed-000 paper counts them (Section III-E): real
 * multiplications only, eq. (12) for WMMSE and eq. (13) for ZF, priced by eq. (14) — a
 * conservative lower bound. Built as Graphs so sim/energy and sim/engine price them like a net.
 */
import { InputError } from '../core/errors.ts';
import { graphBuilder } from '../nets/builder.ts';
import { DEFAULT_PRECISION, type Graph, type Precision } from '../nets/graph.ts';

/** Eq. (12): real multiplications of I WMMSE iterations (I may be a mean, e.g. 92.8). */
export function wmmsePaperMultiplications(nt: number, nu: number, iterations: number): number {
  const perIteration =
    (8 / 3) * nt ** 3 * nu + 4 * nt ** 2 * nu + 4 * nt * (4 * nu ** 2 + 2 * nu) + 4 * nu ** 2 + (56 / 3) * nu;
  return iterations * perIteration;
}

/** Eq. (13): real multiplications of one ZF solve. */
export function zfPaperMultiplications(nt: number, nu: number): number {
  return 8 * nu ** 2 * nt + (8 / 3) * nu ** 3;
}

export type PaperBaseline = 'zf' | 'wmmse';

export interface PaperTraceConfig {
  readonly algorithm: PaperBaseline;
  readonly nt: number;
  readonly nu: number;
  /** WMMSE iterations; ignored for ZF. */
  readonly iterations?: number;
  readonly precision?: Precision;
}

/** The paper's defaults: WMMSE averaged 92.8 iterations at tolerance 1e-5 on UdeM-NLOS. */
export const PAPER_WMMSE_ITERATIONS = 92.8;

export function paperTraceGraph(config: PaperTraceConfig): Graph {
  const { algorithm, nt, nu } = config;
  for (const field of ['nt', 'nu'] as const) {
    const v = config[field];
    if (!Number.isInteger(v) || v < 1) throw new InputError(field, v, 'allowed: a positive integer');
  }
  const precision = config.precision ?? DEFAULT_PRECISION;
  const b = graphBuilder(`${algorithm}-paper(nt=${nt},nu=${nu})`, precision);
  if (algorithm === 'zf') {
    b.add('zf', { kind: 'trace', macs: zfPaperMultiplications(nt, nu), elementwise: 0, note: 'eq. (13)' });
  } else {
    const iterations = config.iterations ?? PAPER_WMMSE_ITERATIONS;
    if (!(iterations > 0 && Number.isFinite(iterations))) {
      throw new InputError('iterations', iterations, 'allowed: a finite number > 0');
    }
    b.add('wmmse', { kind: 'trace', macs: wmmsePaperMultiplications(nt, nu, iterations), elementwise: 0, note: `eq. (12), I = ${iterations}` });
  }
  return b.build();
}
