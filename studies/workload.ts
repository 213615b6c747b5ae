/** What `energy` and `simulate` price: a network of the registry, an ONNX model, or a classical precoder's op trace. */
import { WMMSE_DEFAULTS } from '../baselines/wmmse.ts';
import { rayleighChannels, runBaseline } from '../baselines/run.ts';
import { paperTraceGraph } from '../baselines/paper-traces.ts';
import { buildNetwork, type BuiltNetwork, type NetworkSpec } from '../nets/networks.ts';
import { withBits, type BitsRequest } from '../nets/layers.ts';
import { sideOf } from '../nets/csi.ts';
import { INPUT_LIMITS, readInput } from '../core/files.ts';
import { InputError } from '../core/errors.ts';
import { importOnnx } from '../nets/onnx/import.ts';

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
  | { readonly kind: 'baseline'; readonly algorithm: PaperBaseline; readonly nt: number; readonly nu: number; readonly count: BaselineCount }
  /** An ONNX model from a file, at the bits it declares or the asked ones. */
  | { readonly kind: 'model'; readonly file: string; readonly bits?: BitsRequest };

/** An ONNX file's Graph; bits asked of a model that declares its own are refused, not mixed. */
export function modelGraph(file: string, bits?: BitsRequest) {
  const imported = importOnnx(readInput(file, 'model', INPUT_LIMITS.model, 'a readable ONNX file'), file);
  if (!bits) return imported;
  if (imported.declaresBits) {
    throw new InputError('bits', [bits.weights?.join(','), bits.activations, bits.perLayer && 'a bits file'].filter((x) => x !== undefined).join(' '), `allowed: no bits with ${file}: it declares its own (QDQ or QLinear nodes, or codesign's export metadata)`);
  }
  return { ...imported, graph: withBits(imported.graph, bits) };
}

export function buildWorkload(spec: WorkloadSpec): BuiltNetwork {
  if (spec.kind === 'model') return { graph: modelGraph(spec.file, spec.bits).graph };
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
