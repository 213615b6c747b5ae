/**
 * Precoder heads: what follows the seed-000 trunk (conv, FC1, FC2) and turns its features into
 * a precoder. One registry, so the energy model, the engine, the trainable model and the search
 * all see the same head, and a new head (e.g. a deep-unfolded WMMSE) is one more entry.
 */
import type { GraphBuilder } from './builder.ts';
import type { Precision } from './graph.ts';

export interface HeadContext {
  /** The trunk's output (FC2 after BN, ReLU, dropout). */
  readonly features: string;
  /** The channel input [2, N_T, N_U]. */
  readonly channel: string;
  readonly nt: number;
  readonly nu: number;
  /** Total transmit power P. */
  readonly power: number;
  /** Noise variance σ² the structured head's regularisation is scaled to (RZF's loading P/(N_U σ²)). */
  readonly noiseVar: number;
  /** The last layer's precision (FCL3's bits): FCL3 and the power normalisation follow it. */
  readonly precision: Precision;
  /** The unfolded head's WMMSE iterations K (the other heads have none). */
  readonly iterations: number;
}

export interface PrecoderHeadDef {
  readonly summary: string;
  build(b: GraphBuilder, c: HeadContext): void;
}

/**
 * The structured head's outputs are multiplied by this before softplus, so the untrained net
 * (outputs of order 1) starts near o = 0 — RZF directions at equal powers — and learns the
 * per-channel deviation from it (bench/precoder-structured.ts: 28.62 vs 27.95 bit/s/Hz at 1).
 */
export const STRUCTURED_HEAD_SCALE = 0.1;

/**
 * FCL3's initial weights are this fraction of He's: zero, so the untrained head (o = 0: d_k at
 * RZF's loading, equal powers) is equal-power RZF exactly, and training starts from the classical
 * answer it has to beat. FCL3's kernel gets a gradient at once (its input is the trunk's
 * features); the trunk gets one from the second step, as the kernel leaves zero.
 */
export const STRUCTURED_HEAD_INIT = 0;

/** The unfolded head's iterations: K = 1…8, 3 by default. */
export const UNFOLDED_ITERATIONS = { min: 1, max: 8, default: 3 } as const;

/**
 * The structured start from FCL3's outputs `out` (its first 2·N_U): Gram matrix, regularised
 * inverse, Hᴴ product, per-user power. Returns the beams [2, N_T, N_U] and the Gram matrix.
 */
function structuredStart(b: GraphBuilder, c: HeadContext, out: string): { readonly beams: string; readonly gram: string } {
  // The head multiplies data by data (the channel, FCL3's outputs): both operands at the
  // activations' precision, whatever FCL3's weight bits (nets/layers.ts DATA_PRECISION_KINDS).
  const data = dataPrecision(c);
  const gram = b.add('head.gram', { kind: 'gram' }, [c.channel], data);
  const loading = c.power / (c.nu * c.noiseVar);
  const inverse = b.add('head.inverse', { kind: 'reginverse', loading, scale: STRUCTURED_HEAD_SCALE }, [gram, out], data);
  const beams = b.add('head.beamform', { kind: 'beamform' }, [c.channel, inverse], data);
  return { beams: b.add('head.power', { kind: 'userpower', scale: STRUCTURED_HEAD_SCALE }, [beams, out], data), gram };
}

const dataPrecision = (c: HeadContext): Precision => ({ weightBits: c.precision.activationBits, activationBits: c.precision.activationBits });

export const PRECODER_HEADS = {
  direct: {
    summary: "the paper's FCL3 to 2·N_T·N_U outputs, the precoder itself, power-normalised (Fig. 1)",
    build(b, c) {
      const x = b.add('fc3', { kind: 'dense', units: 2 * c.nt * c.nu, bias: true }, [c.features], c.precision);
      b.add('powernorm', { kind: 'powernorm', power: c.power }, [x], c.precision);
    },
  },
  structured: {
    summary:
      'FCL3 to 2·N_U outputs (per-user λ_k, p_k), then the optimal MISO beamforming structure: Gram matrix, N_U×N_U regularised inverse, Hᴴ product, per-user power, power normalisation',
    build(b, c) {
      const out = b.add('fc3', { kind: 'dense', units: 2 * c.nu, bias: true, initScale: STRUCTURED_HEAD_INIT }, [c.features], c.precision);
      const flat = b.add('head.flatten', { kind: 'flatten' }, [structuredStart(b, c, out).beams], c.precision);
      b.add('powernorm', { kind: 'powernorm', power: c.power }, [flat], c.precision);
    },
  },
  unfolded: {
    summary:
      'deep-unfolded WMMSE: the structured start, then K WMMSE iterations (H·V, receivers, V update with a closed-form regulariser, Hᴴ product, power constraint) whose MSE weights and regulariser FCL3 modulates per user and iteration (2·N_U + K·(N_U + 1) outputs)',
    build(b, c) {
      const perIteration = c.nu + 1;
      const out = b.add('fc3', { kind: 'dense', units: 2 * c.nu + c.iterations * perIteration, bias: true, initScale: STRUCTURED_HEAD_INIT }, [c.features], c.precision);
      const data = dataPrecision(c);
      const start = structuredStart(b, c, out);
      // Each iteration's H·V scales V to the power constraint (so no separate op at FCL3's bits
      // does); the last V is scaled by the network's own power normalisation.
      let v = start.beams;
      for (let t = 1; t <= c.iterations; t++) {
        const gains = b.add(`head.it${t}.gains`, { kind: 'channelgains', power: c.power }, [c.channel, v], data);
        const spec = { kind: 'wmmseupdate', offset: 2 * c.nu + (t - 1) * perIteration, power: c.power, noiseVar: c.noiseVar, scale: STRUCTURED_HEAD_SCALE } as const;
        const x = b.add(`head.it${t}.update`, spec, [gains, start.gram, out], data);
        v = b.add(`head.it${t}.beamform`, { kind: 'beamform' }, [c.channel, x], data);
      }
      const flat = b.add('head.flatten', { kind: 'flatten' }, [v], c.precision);
      b.add('powernorm', { kind: 'powernorm', power: c.power }, [flat], c.precision);
    },
  },
} as const satisfies Record<string, PrecoderHeadDef>;

export type PrecoderHead = keyof typeof PRECODER_HEADS;
export const PRECODER_HEAD_NAMES = Object.keys(PRECODER_HEADS) as PrecoderHead[];

/** The head of a precoder Graph built by buildPrecoder (its name records any head but the paper's). */
export function precoderHeadOf(graph: { readonly name: string }): PrecoderHead {
  const named = /,head=(\w+)[,)]/.exec(graph.name)?.[1];
  return PRECODER_HEAD_NAMES.find((h) => h === named) ?? 'direct';
}
