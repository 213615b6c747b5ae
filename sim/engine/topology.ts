/**
 * SCALE-Sim topology CSV files, so SCALE-Sim users can bring theirs. Two formats:
 *   conv: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
 *   GEMM: Layer Name, M, N, K,
 * Convolutions use SCALE-Sim's no-padding convention: E = ⌈(H − R + S)/S⌉ per side. A conv layer
 * keeps its geometry, so the finite-bandwidth engine addresses its input as SCALE-Sim does
 * (overlapping windows share addresses).
 */
import { InputError } from '../../core/errors.ts';
import { DEFAULT_PRECISION, type Precision } from '../../nets/graph.ts';
import { gemmOp, type ConvWindow, type EngineOp } from './lower.ts';

/** A topology field's largest value (2³¹ − 1): sizes beyond it are not layers. */
export const MAX_TOPOLOGY_VALUE = 2 ** 31 - 1;

export interface TopologyLayer {
  readonly name: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly conv?: ConvWindow;
}

export function parseTopology(text: string, file = 'topology'): TopologyLayer[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length < 2) throw new InputError(file, `${lines.length} lines`, 'allowed: a header line and at least one layer');
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0);
  const isGemm = header.length >= 4 && header[1] === 'm' && header[2] === 'n' && header[3] === 'k';
  const isConv = header.length >= 8 && header[1].startsWith('ifmap height');
  if (!isGemm && !isConv) {
    throw new InputError(`${file}: header`, lines[0], 'allowed: SCALE-Sim conv ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,") or GEMM ("Layer Name, M, N, K,")');
  }
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim()).filter((c, j, all) => c.length > 0 || j < all.length - 1);
    const need = isGemm ? 4 : 8;
    const where = `${file}: line ${i + 2}`;
    if (cells.length < need) throw new InputError(where, line, `allowed: ${need} comma-separated fields`);
    const nums = cells.slice(1, need).map((v, j) => {
      // Decimal digits only: '0xE0' and '2.24e2' are not what a topology file means by a size.
      const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
      if (!(n >= 1 && n <= MAX_TOPOLOGY_VALUE)) throw new InputError(`${where}, field ${header[j + 1] ?? j + 2}`, v, `allowed: a positive decimal integer ≤ ${MAX_TOPOLOGY_VALUE}`);
      return n;
    });
    if (isGemm) return { name: cells[0], M: nums[0], N: nums[1], K: nums[2] };
    const [h, w, fh, fw, ch, filters, stride] = nums;
    if (fh > h || fw > w) throw new InputError(`${where}, Filter Height/Width`, `${fh}×${fw}`, `allowed: at most the IFMAP size ${h}×${w} (no padding)`);
    // SCALE-Sim v2's output size (topology_utils.py): ⌈(H − R + S)/S⌉, one more than
    // ⌊(H − R)/S⌋ + 1 when the stride does not divide H − R (a last, partial window counted).
    const eh = Math.ceil((h - fh + stride) / stride);
    const ew = Math.ceil((w - fw + stride) / stride);
    return { name: cells[0], M: eh * ew, N: filters, K: fh * fw * ch, conv: { height: h, width: w, filterHeight: fh, filterWidth: fw, channels: ch, stride } };
  });
}

export function topologyOps(layers: readonly TopologyLayer[], batch: number, precision: Precision = DEFAULT_PRECISION): EngineOp[] {
  // SCALE-Sim addresses one image; a batch is a GEMM with batch × M rows of distinct inputs.
  // A convolution's working set is its input feature map and its output, not the im2col view.
  return layers.map((l) => ({
    ...gemmOp(l.name, batch * l.M, l.N, l.K, precision),
    ...(l.conv ? { workingSet: batch * (l.conv.height * l.conv.width * l.conv.channels + l.M * l.N) } : {}),
    ...(l.conv && batch === 1 ? { conv: l.conv } : {}),
  }));
}
