/**
 * The Graph IR: the single description of the work. The energy model, the engine and the
 * trainable model are all derived from it, so counting and training cannot drift apart.
 *
 * Tensors are per-sample (no batch axis); image-like tensors are channel-first [C, H, W].
 */
export type Shape = readonly number[];

/** Bit widths an op is run at: its weights and the activations it reads and writes. */
export interface Precision {
  readonly weightBits: number;
  readonly activationBits: number;
}

export type Padding = 'same' | 'valid' | readonly [number, number];

export type OpSpec =
  | { readonly kind: 'input'; readonly shape: Shape }
  | {
      readonly kind: 'conv2d';
      readonly filters: number;
      readonly kernel: readonly [number, number];
      readonly stride: readonly [number, number];
      readonly padding: Padding;
      readonly groups: number;
      readonly bias: boolean;
      /** Kernel dilation (ONNX `dilations`); 1 × 1 when absent. MACs per output do not change. */
      readonly dilation?: readonly [number, number];
    }
  | {
      readonly kind: 'dense';
      readonly units: number;
      readonly bias: boolean;
      /** Multiplies the kernel's He-uniform initialisation (a head that starts near a known point). */
      readonly initScale?: number;
    }
  | { readonly kind: 'batchnorm' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'leakyrelu'; readonly alpha: number }
  | { readonly kind: 'prelu' }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'softplus' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'add' }
  | { readonly kind: 'concat' }
  | { readonly kind: 'reshape'; readonly shape: Shape }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'avgpool'; readonly pool: readonly [number, number]; readonly stride: readonly [number, number]; readonly padding?: readonly [number, number]; readonly ceilMode?: boolean }
  /** `ceilMode`: a last, partial window when the stride does not divide the input (ONNX ceil_mode). */
  | { readonly kind: 'maxpool'; readonly pool: readonly [number, number]; readonly stride: readonly [number, number]; readonly padding?: readonly [number, number]; readonly ceilMode?: boolean }
  /** Clamps to [min, max] (ONNX Clip: ReLU6 and friends). */
  | { readonly kind: 'clip'; readonly min: number; readonly max: number }
  /** Softmax over the channel axis (ONNX Softmax, axis 1). */
  | { readonly kind: 'softmax' }
  | { readonly kind: 'dropout'; readonly rate: number }
  /** Multiplies every element by a constant (ONNX Mul or Div by a scalar). */
  | { readonly kind: 'scale'; readonly factor: number }
  /** Permutes the per-sample axes (ONNX Transpose keeping the batch first): a view, nothing moves in the count. */
  | { readonly kind: 'transpose'; readonly perm: readonly number[] }
  /** Scales the whole output so that its squared norm equals `power` (total-power constraint). */
  | { readonly kind: 'powernorm'; readonly power: number }
  // The model-driven precoder head (nets/heads.ts): the optimal MISO downlink beamforming
  // structure built from the channel [2, N_T, N_U] (x[n,k] = H[k,n]) and per-user numbers a
  // dense layer outputs. Each is one step of the structure, counted as linalg/complex.ts counts
  // the same step of the classical precoders.
  /** G = H·Hᴴ [2, N_U, N_U] from the channel. */
  | { readonly kind: 'gram' }
  /**
   * From G and the head's outputs o [2·N_U] (first half): d_k = loading·softplus(scale·o_k)/ln 2
   * (= λ_k/σ²; o = 0 gives RZF's loading P/(N_U σ²)), and X = D^-½ (I + D^½ G D^½)⁻¹ [2, N_U, N_U].
   */
  | { readonly kind: 'reginverse'; readonly loading: number; readonly scale: number }
  /** Hᴴ·X [2, N_T, N_U]: the directions of the users' beams. */
  | { readonly kind: 'beamform' }
  /** Each column to unit norm, times √p_k, p_k = softplus(scale·o_{N_U+k}) from the head's second half. */
  | { readonly kind: 'userpower'; readonly scale: number }
  // The deep-unfolded WMMSE head (nets/heads.ts): K WMMSE iterations after the structured start,
  // each H·V at the power constraint (channelgains), the receivers and the V update's
  // coefficients (wmmseupdate) and Hᴴ·X (beamform).
  /** H·V [2, N_U, N_U] from the channel [2, N_T, N_U] and a precoder V [2, N_T, N_U] scaled to ‖V‖_F² = power. */
  | { readonly kind: 'channelgains'; readonly power: number }
  /**
   * One WMMSE V update's coefficients X [2, N_U, N_U] (V = Hᴴ·X) from H·V, G and the head's
   * outputs o: the receivers u_k and MSE weights w_k of the textbook iteration, the weights
   * modulated by the learned e^{scale·o[offset+k]} (k < N_U), and the regulariser μ =
   * e^{scale·o[offset+N_U]} · σ²·Σd_k/P in place of the bisection on μ (the power constraint
   * is met by the normalisation that follows): X = (DG + μI)⁻¹B, D = diag(|u_k|²w̃_k), B = diag(u_k w̃_k).
   */
  | { readonly kind: 'wmmseupdate'; readonly offset: number; readonly power: number; readonly noiseVar: number; readonly scale: number }
  /**
   * An algorithm's operation count with no tensor semantics (a classical precoder's op trace):
   * `macs` real multiplications, priced like the paper's eq. (14).
   */
  | { readonly kind: 'trace'; readonly macs: number; readonly elementwise: number; readonly note: string }
  /**
   * A product of two data matrices in an algorithm's trace ([M×K]·[K×N], complex or real,
   * `repeat` times): shaped, so the engine folds it onto the array like any GEMM.
   */
  | {
      readonly kind: 'matmul';
      readonly M: number;
      readonly N: number;
      readonly K: number;
      readonly complex: boolean;
      readonly repeat: number;
      readonly note: string;
    };

export type OpKind = OpSpec['kind'];

/** A node of the graph: an op spec with its wiring, precision and inferred shapes. */
export type Op = OpSpec & {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly precision: Precision;
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
};

export interface Graph {
  readonly name: string;
  /** Topologically ordered: every op's inputs come before it. */
  readonly ops: readonly Op[];
}

export type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;

/**
 * 16-bit weights and activations: what an op runs at unless its builder says otherwise (seed
 * 000's unquantized baseline is 16-bit fixed point). Not "float": a layer trains unquantized
 * only at 32 bits (train/model.ts).
 */
export const DEFAULT_PRECISION: Precision = { weightBits: 16, activationBits: 16 };

export function elementCount(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
