/**
 * Turns the shared `--net … | --baseline …` options into a Graph and a pricing setup. Shared by
 * `energy` (and later `simulate`), kept out of the commander layer so tests reach it directly.
 */
import { InputError } from '../core/errors.ts';
import { finiteNumber, fraction, oneOf, positiveInt, positiveIntList, positiveNumber } from '../core/validate.ts';
import { rayleighChannels, runBaseline } from '../baselines/run.ts';
import { WMMSE_DEFAULTS } from '../baselines/wmmse.ts';
import { MAX_BITS } from '../nets/builder.ts';
import type { Graph } from '../nets/graph.ts';
import { PRECODER_DEFAULTS, buildPrecoder } from '../nets/precoder.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { buildCsiNet, sideOf } from '../nets/csi.ts';
import { SLP_DEFAULTS, SLP_VARIANTS, buildSlpDnet } from '../nets/slp.ts';
import { PAPER_WMMSE_ITERATIONS, paperTraceGraph } from '../baselines/paper-traces.ts';
import { DEFAULT_PRESET, presetByName, type HardwarePreset } from '../sim/presets.ts';

export const NETS = ['precoder', 'csinet', 'crnet', 'cllwcsinet', 'slpdnet'] as const;
export const CODEC_VARIANTS = ['fp', 'bfc', 'q8'] as const;
export const VARIANTS = [...CODEC_VARIANTS, ...SLP_VARIANTS] as const;
export const PAPER_BASELINES = ['zf', 'wmmse'] as const;

export interface WorkloadOptions {
  readonly net?: string;
  readonly baseline?: string;
  readonly cout?: string;
  readonly dfcl?: string;
  readonly bits?: string;
  readonly head?: string;
  readonly activationBits?: string;
  readonly nt?: string;
  readonly nu?: string;
  readonly iterations?: string;
  readonly preset?: string;
  readonly p?: string;
  readonly cr?: string;
  readonly side?: string;
  readonly variant?: string;
  readonly accounting?: string;
  readonly snrDb?: string;
  readonly samples?: string;
  readonly m?: string;
  readonly k?: string;
  readonly qr?: string;
}

export interface Workload {
  readonly graph: Graph;
  /** For a CSI codec: the whole autoencoder (graph may be one side of it). */
  readonly full?: Graph;
  readonly preset: HardwarePreset;
  readonly p?: number;
  /** An SLP-DNet: also report seed 002's memory and operation accounting. */
  readonly slp?: boolean;
}

export function workloadFromOptions(o: WorkloadOptions): Workload {
  if (o.net !== undefined && o.baseline !== undefined) {
    throw new InputError('--baseline', o.baseline, 'allowed: either --net or --baseline, not both');
  }
  if (o.head !== undefined && (o.baseline !== undefined || (o.net ?? 'precoder') !== 'precoder')) {
    throw new InputError('--head', o.head, `allowed: only with --net precoder (${o.baseline !== undefined ? `--baseline ${o.baseline}` : `--net ${o.net}`} has no precoder head)`);
  }
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  const p = o.p === undefined ? undefined : positiveNumber('--p', o.p);
  const nt = positiveInt('--nt', o.nt ?? String(PRECODER_DEFAULTS.nt));
  const nu = positiveInt('--nu', o.nu ?? String(PRECODER_DEFAULTS.nu));
  if (o.baseline !== undefined) {
    const algorithm = oneOf('--baseline', o.baseline, PAPER_BASELINES);
    if (oneOf('--accounting', o.accounting ?? 'paper', ['paper', 'measured'] as const) === 'measured') {
      // Our implementation's counted operations on seeded Rayleigh channels (WMMSE: abs rule, 1e-5).
      const snrDb = finiteNumber('--snr-db', o.snrDb ?? '15');
      const channels = rayleighChannels({ nt, nu, snrDb, samples: positiveInt('--samples', o.samples ?? '20'), seed: 1 });
      return { graph: runBaseline(algorithm, channels, WMMSE_DEFAULTS, snrDb).measuredGraph, preset, p };
    }
    const iterations = o.iterations === undefined ? PAPER_WMMSE_ITERATIONS : positiveNumber('--iterations', o.iterations);
    return { graph: paperTraceGraph({ algorithm, nt, nu, iterations }), preset, p };
  }
  const net = oneOf('--net', o.net ?? 'precoder', NETS);
  if (net === 'slpdnet') {
    const graph = buildSlpDnet({
      m: positiveInt('--m', o.m ?? String(SLP_DEFAULTS.m)),
      k: positiveInt('--k', o.k ?? String(SLP_DEFAULTS.k)),
      variant: oneOf('--variant', o.variant ?? SLP_DEFAULTS.variant, SLP_VARIANTS),
      qr: o.qr === undefined ? SLP_DEFAULTS.qr : fraction('--qr', o.qr),
    });
    return { graph, preset, p, slp: true };
  }
  if (net !== 'precoder') {
    const full = buildCsiNet({
      net,
      cr: positiveInt('--cr', o.cr ?? '4'),
      variant: oneOf('--variant', o.variant ?? 'fp', CODEC_VARIANTS),
    });
    return { graph: sideOf(full, oneOf('--side', o.side ?? 'both', ['encoder', 'decoder', 'both'] as const)), preset, p, full };
  }
  const bits = positiveIntList('--bits', o.bits ?? PRECODER_DEFAULTS.bits.join(','), { length: 4, max: MAX_BITS });
  const graph = buildPrecoder({
    cout: positiveInt('--cout', o.cout ?? String(PRECODER_DEFAULTS.cout)),
    dfcl: positiveInt('--dfcl', o.dfcl ?? String(PRECODER_DEFAULTS.dfcl)),
    nt,
    nu,
    bits: bits as [number, number, number, number],
    activationBits: positiveInt('--activation-bits', o.activationBits ?? '16', MAX_BITS),
    head: oneOf('--head', o.head ?? 'direct', PRECODER_HEAD_NAMES),
  });
  return { graph, preset, p };
}
