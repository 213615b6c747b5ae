/** What `energy` and `simulate` price: a network of the registry, or a classical precoder's op trace. */
import { WMMSE_DEFAULTS } from '../baselines/wmmse.ts';
import { rayleighChannels, runBaseline } from '../baselines/run.ts';
import { paperTraceGraph } from '../baselines/paper-traces.ts';
import { buildNetwork, type BuiltNetwork, type NetworkSpec } from '../nets/networks.ts';
import { withBits, type BitsRequest } from '../nets/layers.ts';
import { sideOf } from '../nets/csi.ts';

export const PAPER_BASELINES = ['zf', 'wmmse'] as const;
export type PaperBaseline = (typeof PAPER_BASELINES)[number];

export type BaselineCount =
  /** Seed 000 eq. 12–13 at this many iterations (may be a mean). */
  | { readonly kind: 'paper'; readonly iterations: number }
  /** Our implementation's counted operations on seeded Rayleigh channels (WMMSE: abs rule, 1e-5). */
  | { readonly kind: 'measured'; readonly snrDb: number; readonly samples: number };

export type WorkloadSpec =
  /** A network, optionally at other bits than it is built with (per layer, by name, or all). */
  | (NetworkSpec & { readonly bits?: BitsRequest })
  | { readonly kind: 'baseline'; readonly algorithm: PaperBaseline; readonly nt: number; readonly nu: number; readonly count: BaselineCount };

export function buildWorkload(spec: WorkloadSpec): BuiltNetwork {
  if (spec.kind !== 'baseline') {
    const built = buildNetwork(spec);
    if (!spec.bits) return built;
    const bits = spec.bits;
    // A codec's bits name the layers of the whole autoencoder; the side priced follows them.
    if (built.full && spec.kind === 'codec') {
      const full = withBits(built.full, bits);
      return { ...built, full, graph: sideOf(full, spec.side) };
    }
    return { ...built, graph: withBits(built.graph, bits) };
  }
  const { algorithm, nt, nu, count } = spec;
  if (count.kind === 'paper') return { graph: paperTraceGraph({ algorithm, nt, nu, iterations: count.iterations }) };
  const channels = rayleighChannels({ nt, nu, snrDb: count.snrDb, samples: count.samples, seed: 1 });
  return { graph: runBaseline(algorithm, channels, WMMSE_DEFAULTS, count.snrDb).measuredGraph };
}
