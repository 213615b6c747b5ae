/**
 * CSI-feedback autoencoders on 2×S×S CSI maps (S = 32: COST2100's angular-delay maps, as
 * published; S = 8: a site's 8×8 UPA, issue #31): CsiNet (Wen et al. 2018), CRNet (Lu et al.
 * 2020) and CLLWCsiNet (seed 003), as Graphs with the map's side as a parameter. Encoder ops (run at the UE) are named
 * `enc.*`, decoder ops (at the BS) `dec.*`, so each side can be priced and simulated on its own.
 * Counting convention of the published figures: conv/dense biases and 2 BN parameters per
 * channel are parameters; MACs are conv and dense products only.
 */
import { InputError } from '../core/errors.ts';
import { graphBuilder, type GraphBuilder } from './builder.ts';
import { DEFAULT_PRECISION, type Graph, type Op, type Precision } from './graph.ts';

export const CSI_NETS = ['csinet', 'crnet', 'cllwcsinet'] as const;
export type CsiNetName = (typeof CSI_NETS)[number];
export const COMPRESSION_RATIOS = [4, 8, 16, 32, 64] as const;

/** 'fp': as published; 'bfc': dense layers binarised (BCsiNet-style); 'q8': 8-bit weights and activations everywhere. */
export const CODEC_VARIANTS = ['fp', 'bfc', 'q8'] as const;
export type CodecVariant = (typeof CODEC_VARIANTS)[number];

export interface CsiNetConfig {
  readonly net: CsiNetName;
  readonly cr: number;
  readonly variant?: CodecVariant;
  /** The map's side S (2×S×S input); 32, as published, by default. */
  readonly side?: number;
}

/** The published maps' side, and the sides a codec may be built for. */
export const CSI_SIDE = 32;
export const CSI_SIDES = { min: 4, max: 64 } as const;
const LEAKY = 0.3;

type Ctx = { b: GraphBuilder; p: (name: string) => Precision };

function conv(c: Ctx, name: string, x: string, filters: number, kernel: [number, number], bias: boolean): string {
  return c.b.add(name, { kind: 'conv2d', filters, kernel, stride: [1, 1], padding: 'same', groups: 1, bias }, [x], c.p(name));
}

/** conv → BN (→ LeakyReLU) — the ConvBN unit of CsiNet and CRNet. */
function convBn(c: Ctx, name: string, x: string, filters: number, kernel: [number, number], options: { bias?: boolean; act?: boolean } = {}): string {
  let y = conv(c, name, x, filters, kernel, options.bias ?? false);
  y = c.b.add(`${name}.bn`, { kind: 'batchnorm' }, [y], c.p(name));
  if (options.act ?? true) y = c.b.add(`${name}.lrelu`, { kind: 'leakyrelu', alpha: LEAKY }, [y], c.p(name));
  return y;
}

function dense(c: Ctx, name: string, x: string, units: number): string {
  return c.b.add(name, { kind: 'dense', units, bias: true }, [x], c.p(name));
}

function checkShape(net: CsiNetName, cr: number, side: number): void {
  if (!Number.isInteger(side) || side < CSI_SIDES.min || side > CSI_SIDES.max) throw new InputError('side', side, `allowed: an integer ${CSI_SIDES.min}…${CSI_SIDES.max} (the 2×S×S map's side)`);
  // CLLWCsiNet halves its 2S latent channels down to 2S/CR: CR may not exceed 2S.
  const allowed = COMPRESSION_RATIOS.filter((r) => (2 * side * side) % r === 0 && (net !== 'cllwcsinet' || r <= 2 * side));
  if (!allowed.includes(cr as (typeof COMPRESSION_RATIOS)[number])) throw new InputError('cr', cr, `allowed for ${net} on a 2×${side}×${side} map: ${allowed.join(', ')}`);
}

/** The graph's name: the published side is left out, so names (and checkpoints keyed on them) stay. */
const codecName = (net: CsiNetName, cr: number, variant: CsiNetConfig['variant'], side: number) =>
  `${net}(cr=${cr}${variant && variant !== 'fp' ? `,${variant}` : ''}${side === CSI_SIDE ? '' : `,side=${side}`})`;

function context(name: string, variant: CsiNetConfig['variant']): Ctx {
  const b = graphBuilder(name, variant === 'q8' ? { weightBits: 8, activationBits: 8 } : DEFAULT_PRECISION);
  const p = (op: string): Precision => {
    if (variant === 'q8') return { weightBits: 8, activationBits: 8 };
    if (variant === 'bfc' && /\.fc$/.test(op)) return { weightBits: 1, activationBits: 16 };
    return DEFAULT_PRECISION;
  };
  return { b, p };
}

/** CsiNet: conv 3×3 2→2 + BN + LeakyReLU, dense 2048→2048/CR | dense back, 2 RefineNets, conv + sigmoid. */
function csinet(cr: number, variant: CsiNetConfig['variant'], side: number): Graph {
  const c = context(codecName('csinet', cr, variant, side), variant);
  const n = 2 * side * side;
  let x = c.b.add('enc.input', { kind: 'input', shape: [2, side, side] });
  x = convBn(c, 'enc.conv', x, 2, [3, 3], { bias: true });
  x = c.b.add('enc.flatten', { kind: 'flatten' }, [x]);
  x = dense(c, 'enc.fc', x, n / cr);
  x = dense(c, 'dec.fc', x, n);
  x = c.b.add('dec.reshape', { kind: 'reshape', shape: [2, side, side] }, [x]);
  for (const r of [1, 2]) {
    const block = `dec.refine${r}`;
    let y = convBn(c, `${block}.conv1`, x, 8, [3, 3], { bias: true });
    y = convBn(c, `${block}.conv2`, y, 16, [3, 3], { bias: true });
    y = convBn(c, `${block}.conv3`, y, 2, [3, 3], { bias: true, act: false });
    y = c.b.add(`${block}.add`, { kind: 'add' }, [x, y]);
    x = c.b.add(`${block}.lrelu`, { kind: 'leakyrelu', alpha: LEAKY }, [y]);
  }
  x = conv(c, 'dec.out', x, 2, [3, 3], true);
  c.b.add('dec.sigmoid', { kind: 'sigmoid' }, [x]);
  return c.b.build();
}

/** CRNet: [3×3, 1×9, 9×1] beside 3×3, concat, 1×1, dense | dense, 5×5, 2 CRBlocks, sigmoid. Bias-free convs with BN. */
function crnet(cr: number, variant: CsiNetConfig['variant'], side: number): Graph {
  const c = context(codecName('crnet', cr, variant, side), variant);
  const n = 2 * side * side;
  const input = c.b.add('enc.input', { kind: 'input', shape: [2, side, side] });
  let a = convBn(c, 'enc.path1.conv3x3', input, 2, [3, 3]);
  a = convBn(c, 'enc.path1.conv1x9', a, 2, [1, 9]);
  a = convBn(c, 'enc.path1.conv9x1', a, 2, [9, 1], { act: false });
  const b = convBn(c, 'enc.path2.conv3x3', input, 2, [3, 3], { act: false });
  let x = c.b.add('enc.concat', { kind: 'concat' }, [a, b]);
  x = c.b.add('enc.concat.lrelu', { kind: 'leakyrelu', alpha: LEAKY }, [x]);
  x = convBn(c, 'enc.conv1x1', x, 2, [1, 1]);
  x = c.b.add('enc.flatten', { kind: 'flatten' }, [x]);
  x = dense(c, 'enc.fc', x, n / cr);
  x = dense(c, 'dec.fc', x, n);
  x = c.b.add('dec.reshape', { kind: 'reshape', shape: [2, side, side] }, [x]);
  x = convBn(c, 'dec.conv5x5', x, 2, [5, 5]);
  for (const r of [1, 2]) {
    const block = `dec.crblock${r}`;
    let p1 = convBn(c, `${block}.path1.conv3x3`, x, 7, [3, 3]);
    p1 = convBn(c, `${block}.path1.conv1x9`, p1, 7, [1, 9]);
    p1 = convBn(c, `${block}.path1.conv9x1`, p1, 7, [9, 1], { act: false });
    let p2 = convBn(c, `${block}.path2.conv1x5`, x, 7, [1, 5]);
    p2 = convBn(c, `${block}.path2.conv5x1`, p2, 7, [5, 1], { act: false });
    let y = c.b.add(`${block}.concat`, { kind: 'concat' }, [p1, p2]);
    y = c.b.add(`${block}.concat.lrelu`, { kind: 'leakyrelu', alpha: LEAKY }, [y]);
    y = convBn(c, `${block}.conv1x1`, y, 2, [1, 1], { act: false });
    y = c.b.add(`${block}.add`, { kind: 'add' }, [x, y]);
    x = c.b.add(`${block}.lrelu`, { kind: 'leakyrelu', alpha: LEAKY }, [y]);
  }
  c.b.add('dec.sigmoid', { kind: 'sigmoid' }, [x]);
  return c.b.build();
}

/** Three factorised paths (1×a then a×1, a = 7, 5, 3) of `width` channels, concat, 1×1 to `out`. */
function multiResolution(c: Ctx, name: string, x: string, width: number, out: number): string {
  const paths = [7, 5, 3].map((a) => {
    const y = convBn(c, `${name}.k${a}.1x${a}`, x, width, [1, a]);
    return convBn(c, `${name}.k${a}.${a}x1`, y, width, [a, 1]);
  });
  const y = c.b.add(`${name}.concat`, { kind: 'concat' }, paths);
  return convBn(c, `${name}.conv1x1`, y, out, [1, 1], { act: false });
}

/**
 * CLLWCsiNet as seed 003 describes it (§III-B, Table II, Figs. 4–6). Where the text leaves a
 * width open we take the smallest consistent choice (docs/codecs.md lists each): 8-channel
 * multi-resolution paths; the 2×32×32 map viewed as 64×1×32; (1,7) compression convs
 * 64→32→16 (CR 4), …→8 (CR 8), …→4 (CR 16) — codeword 64/CR × 1 × 32; a residual denoiser on
 * the (noisy) codeword; the mirror-image expansion; two multi-resolution RefineNet blocks.
 */
function cllwcsinet(cr: number, variant: CsiNetConfig['variant'], side: number): Graph {
  const c = context(codecName('cllwcsinet', cr, variant, side), variant);
  // The 2×S×S map viewed as 2S×1×S; the latent convs halve 2S twice, then go to 2S/CR.
  const latent = 2 * side;
  const codeChannels = latent / cr;
  const widths = [latent / 2, latent / 4, ...(cr > 4 ? [codeChannels] : [])];
  let x = c.b.add('enc.input', { kind: 'input', shape: [2, side, side] });
  const m = multiResolution(c, 'enc.multires', x, 8, 2);
  x = c.b.add('enc.multires.add', { kind: 'add' }, [x, m]);
  x = c.b.add('enc.multires.lrelu', { kind: 'leakyrelu', alpha: LEAKY }, [x]);
  x = c.b.add('enc.latent.reshape', { kind: 'reshape', shape: [latent, 1, side] }, [x]);
  widths.forEach((w, i) => {
    x = convBn(c, `enc.latent.conv${i + 1}`, x, w, [1, 7], { act: i < widths.length - 1 });
  });
  // The codeword (64/CR × 1 × 32); AWGN is added here in training (imperfect feedback channel).
  let d = convBn(c, 'dec.denoise.conv1', x, codeChannels, [1, 3]);
  d = conv(c, 'dec.denoise.conv2', d, codeChannels, [1, 3], true);
  x = c.b.add('dec.denoise.add', { kind: 'add' }, [x, d]);
  [...widths.slice(0, -1).reverse(), latent].forEach((w, i) => {
    x = convBn(c, `dec.latent.conv${i + 1}`, x, w, [1, 7]);
  });
  x = c.b.add('dec.reshape', { kind: 'reshape', shape: [2, side, side] }, [x]);
  for (const r of [1, 2]) {
    const y = multiResolution(c, `dec.refine${r}`, x, 8, 2);
    x = c.b.add(`dec.refine${r}.add`, { kind: 'add' }, [x, y]);
    x = c.b.add(`dec.refine${r}.lrelu`, { kind: 'leakyrelu', alpha: LEAKY }, [x]);
  }
  x = conv(c, 'dec.out', x, 2, [3, 3], true);
  c.b.add('dec.sigmoid', { kind: 'sigmoid' }, [x]);
  return c.b.build();
}

export function buildCsiNet(config: CsiNetConfig): Graph {
  const side = config.side ?? CSI_SIDE;
  checkShape(config.net, config.cr, side);
  const variant = config.variant ?? 'fp';
  if (config.net === 'csinet') return csinet(config.cr, variant, side);
  if (config.net === 'crnet') return crnet(config.cr, variant, side);
  return cllwcsinet(config.cr, variant, side);
}

export type Side = 'encoder' | 'decoder' | 'both';

/** The ops of one side (UE encoder or BS decoder); shapes and counts are unchanged. */
export function sideOf(graph: Graph, side: Side): Graph {
  if (side === 'both') return graph;
  const prefix = side === 'encoder' ? 'enc.' : 'dec.';
  return { name: `${graph.name}:${side}`, ops: graph.ops.filter((op) => op.name.startsWith(prefix)) };
}

/** A codec (its encoder's ops are named `enc.`), not a precoder. */
export function isCodecGraph(graph: Graph): boolean {
  return graph.ops.some((op) => op.name.startsWith('enc.'));
}

/** The encoder's last op: the one whose output is the codeword. */
export function codewordOpOf(graph: Graph): Op {
  const enc = sideOf(graph, 'encoder').ops;
  return enc[enc.length - 1];
}

/** The codeword length (encoder output elements). */
export function codewordLength(graph: Graph): number {
  return codewordOpOf(graph).outputShape.reduce((a, b) => a * b, 1);
}
