/**
 * Per-kind rules: shape inference and op counts. One table keyed by kind (as tfjs registers
 * kernels per op), so adding an op kind is adding one entry, and the compiler checks it is there.
 *
 * Counting conventions (docs/energy-model.md):
 * - macs (N_c): multiply-accumulates of the linear part only.
 * - weights (N_w): every stored parameter, biases and BN scale/shift (2 per channel) included.
 * - activations (N_a): elements the op writes to activation memory. Pointwise ops (BN,
 *   activation functions, dropout) transform their producer's output on its way out of the
 *   array, so they add no new activations; views (reshape, flatten, concat) move nothing.
 * - elementwise: bias adds, normalizations, activation functions (the paper's 3·N_a term).
 */
import { ShapeError, showShape } from '../core/errors.ts';
import { asMacs, gramCounts, inverseCounts, matmulCounts, receiverCounts, sumCounts, type OpCounter } from '../linalg/complex.ts';
import { elementCount, type OpKind, type OpSpec, type Shape } from './graph.ts';

export interface OpCounts {
  readonly macs: number;
  readonly weights: number;
  readonly activations: number;
  readonly elementwise: number;
  /** Output elements, whether or not they are stored (for peak-memory accounting). */
  readonly outputs: number;
}

type SpecOf<K extends OpKind> = Extract<OpSpec, { kind: K }>;

interface OpRule<K extends OpKind> {
  readonly arity: 'none' | 'one' | 'many';
  infer(spec: SpecOf<K>, inputs: readonly Shape[], name: string): Shape;
  counts(spec: SpecOf<K>, inputs: readonly Shape[], output: Shape): OpCounts;
}

const ZERO: OpCounts = { macs: 0, weights: 0, activations: 0, elementwise: 0, outputs: 0 };

function needRank(name: string, kind: string, shape: Shape, rank: number): void {
  if (shape.length !== rank) {
    throw new ShapeError(name, `${kind} needs a ${rank}-D input, got ${showShape(shape)}`);
  }
}

/** Output length of one spatial axis, TensorFlow's 'same'/'valid' conventions. */
function convAxis(name: string, size: number, kernel: number, stride: number, pad: 'same' | 'valid' | number): number {
  if (pad === 'same') return Math.ceil(size / stride);
  const padded = pad === 'valid' ? size : size + 2 * pad;
  const out = Math.floor((padded - kernel) / stride) + 1;
  if (out < 1) throw new ShapeError(name, `kernel ${kernel} does not fit an input axis of ${size} (padding ${pad})`);
  return out;
}

/**
 * A pooled axis: as a convolution's, or with ceil_mode one more window when the stride leaves a
 * remainder — unless that window would start in the right padding (ONNX's and PyTorch's rule).
 */
function poolAxis(name: string, size: number, kernel: number, stride: number, pad: number, ceil = false): number {
  const floor = convAxis(name, size, kernel, stride, pad);
  if (!ceil) return floor;
  const out = Math.ceil((size + 2 * pad - kernel) / stride) + 1;
  return (out - 1) * stride >= size + pad ? out - 1 : out;
}

/** A pooling rule: the output axes as poolAxis gives them, pool + `perWindow` operations per output. */
function pooling<K extends 'avgpool' | 'maxpool'>(kind: K, perWindow: number): OpRule<K> {
  // The two pooling specs have the same fields.
  const rule: OpRule<'avgpool'> = {
    arity: 'one',
    infer: (spec, [x], name) => {
      needRank(name, kind, x, 3);
      const [ph, pw] = spec.padding ?? [0, 0];
      return [x[0], poolAxis(name, x[1], spec.pool[0], spec.stride[0], ph, spec.ceilMode), poolAxis(name, x[2], spec.pool[1], spec.stride[1], pw, spec.ceilMode)];
    },
    counts: (spec, _inputs, out) => {
      const n = elementCount(out);
      return { macs: 0, weights: 0, activations: n, elementwise: n * (spec.pool[0] * spec.pool[1] + perWindow), outputs: n };
    },
  };
  return rule as unknown as OpRule<K>;
}

function pointwise<K extends OpKind>(perElementOps: number, paramsPerChannel = 0): OpRule<K> {
  return {
    arity: 'one',
    infer: (_spec, [x]) => x,
    counts: (_spec, [x], out) => {
      const n = elementCount(out);
      return { macs: 0, weights: paramsPerChannel * (x[0] ?? 1), activations: 0, elementwise: perElementOps * n, outputs: n };
    },
  };
}

const view = <K extends OpKind>(infer: OpRule<K>['infer']): OpRule<K> => ({
  arity: 'one',
  infer,
  counts: (_spec, _inputs, out) => ({ ...ZERO, outputs: elementCount(out) }),
});

/** A complex tensor [2, rows, cols] (real and imaginary planes), as the precoder head passes them. */
function complexMatrix(name: string, kind: string, shape: Shape | undefined, what: string): [number, number] {
  if (!shape || shape.length !== 3 || shape[0] !== 2) {
    throw new ShapeError(name, `${kind} needs ${what} as a complex [2, rows, cols] tensor, got ${shape ? showShape(shape) : 'nothing'}`);
  }
  return [shape[1], shape[2]];
}

/** The head's outputs o: a vector holding at least `needed` numbers (the unfolded head's hold more than the start's 2·N_U). */
function headOutputs(name: string, kind: string, shape: Shape | undefined, needed: number, what = `[2·N_U] = [${needed}]`): void {
  if (!shape || shape.length !== 1 || shape[0] < needed) {
    throw new ShapeError(name, `${kind} needs the head's outputs ${what}, got ${shape ? showShape(shape) : 'nothing'}`);
  }
}

/** Counted operations as an op's counts: nothing stored but its `outputs`, all written once. */
function countedWork(c: OpCounter, outputs: number): OpCounts {
  const { macs, elementwise } = asMacs(c);
  return { macs, weights: 0, activations: outputs, elementwise, outputs };
}

export const OP_RULES: { readonly [K in OpKind]: OpRule<K> } = {
  input: {
    arity: 'none',
    infer: (spec) => spec.shape,
    counts: (_spec, _inputs, out) => ({ ...ZERO, outputs: elementCount(out) }),
  },
  conv2d: {
    arity: 'one',
    infer: (spec, [x], name) => {
      needRank(name, 'conv2d', x, 3);
      const [c, h, w] = x;
      if (c % spec.groups !== 0 || spec.filters % spec.groups !== 0) {
        throw new ShapeError(name, `groups ${spec.groups} must divide input channels ${c} and filters ${spec.filters}`);
      }
      const [ph, pw]: ['same' | 'valid' | number, 'same' | 'valid' | number] =
        typeof spec.padding === 'string' ? [spec.padding, spec.padding] : [spec.padding[0], spec.padding[1]];
      // A dilated kernel spans d·(k − 1) + 1 inputs (MACs per output stay k_h·k_w·C_in/groups).
      const [dh, dw] = spec.dilation ?? [1, 1];
      return [
        spec.filters,
        convAxis(name, h, dh * (spec.kernel[0] - 1) + 1, spec.stride[0], ph),
        convAxis(name, w, dw * (spec.kernel[1] - 1) + 1, spec.stride[1], pw),
      ];
    },
    counts: (spec, [x], out) => {
      const n = elementCount(out);
      const perOutput = (x[0] / spec.groups) * spec.kernel[0] * spec.kernel[1];
      const kernelWeights = spec.filters * perOutput;
      return {
        macs: n * perOutput,
        weights: kernelWeights + (spec.bias ? spec.filters : 0),
        activations: n,
        elementwise: spec.bias ? n : 0,
        outputs: n,
      };
    },
  },
  dense: {
    arity: 'one',
    infer: (spec, [x], name) => {
      if (x.length !== 1) throw new ShapeError(name, `dense needs a 1-D input (flatten first), got ${showShape(x)}`);
      return [spec.units];
    },
    counts: (spec, [x]) => ({
      macs: x[0] * spec.units,
      weights: x[0] * spec.units + (spec.bias ? spec.units : 0),
      activations: spec.units,
      elementwise: spec.bias ? spec.units : 0,
      outputs: spec.units,
    }),
  },
  batchnorm: pointwise(1, 2),
  relu: pointwise(1),
  leakyrelu: pointwise(1),
  prelu: pointwise(1, 1),
  sigmoid: pointwise(1),
  softplus: pointwise(1),
  tanh: pointwise(1),
  dropout: pointwise(0),
  scale: pointwise(1),
  clip: pointwise(1),
  // exp, the sum over channels, one division per element.
  softmax: pointwise(3),
  transpose: view((spec, [x], name) => {
    const sorted = [...spec.perm].sort((a, b) => a - b);
    if (spec.perm.length !== x.length || sorted.some((d, i) => d !== i)) {
      throw new ShapeError(name, `transpose needs a permutation of the ${x.length} axes of ${showShape(x)}, got [${spec.perm.join(', ')}]`);
    }
    return spec.perm.map((d) => x[d]);
  }),
  add: {
    arity: 'many',
    infer: (_spec, inputs, name) => {
      if (inputs.length < 2) throw new ShapeError(name, `add needs at least 2 inputs, got ${inputs.length}`);
      const first = inputs[0];
      for (const other of inputs.slice(1)) {
        if (other.length !== first.length || other.some((d, i) => d !== first[i])) {
          throw new ShapeError(name, `add needs equal shapes, got ${showShape(first)} and ${showShape(other)}`);
        }
      }
      return first;
    },
    counts: (_spec, inputs, out) => {
      const n = elementCount(out);
      return { macs: 0, weights: 0, activations: n, elementwise: (inputs.length - 1) * n, outputs: n };
    },
  },
  concat: {
    arity: 'many',
    infer: (_spec, inputs, name) => {
      if (inputs.length < 2) throw new ShapeError(name, `concat needs at least 2 inputs, got ${inputs.length}`);
      const first = inputs[0];
      for (const other of inputs.slice(1)) {
        if (other.length !== first.length || other.some((d, i) => i > 0 && d !== first[i])) {
          throw new ShapeError(
            name,
            `concat (along channels) needs equal shapes but for the first axis, got ${showShape(first)} and ${showShape(other)}`,
          );
        }
      }
      return [inputs.reduce((sum, s) => sum + s[0], 0), ...first.slice(1)];
    },
    counts: (_spec, _inputs, out) => ({ ...ZERO, outputs: elementCount(out) }),
  },
  reshape: view((spec, [x], name) => {
    if (elementCount(spec.shape) !== elementCount(x) || spec.shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(name, `reshape cannot turn ${showShape(x)} into ${showShape(spec.shape)}`);
    }
    return spec.shape;
  }),
  flatten: view((_spec, [x]) => [elementCount(x)]),
  // Average: the window sum (pool − 1 adds) and one scale per output; maximum: pool − 1 comparisons.
  avgpool: pooling('avgpool', 0),
  maxpool: pooling('maxpool', -1),
  powernorm: {
    arity: 'one',
    infer: (_spec, [x]) => x,
    counts: (_spec, _inputs, out) => {
      const n = elementCount(out);
      // Σx² is a MAC reduction; then one reciprocal square root and one scale per element.
      return { macs: n, weights: 0, activations: n, elementwise: n + 1, outputs: n };
    },
  },
  gram: {
    arity: 'one',
    infer: (_spec, [h], name) => {
      const [, users] = complexMatrix(name, 'gram', h, 'the channel');
      return [2, users, users];
    },
    // linalg's gram(): H is N_U × N_T, the upper triangle computed.
    counts: (_spec, [h], out) => countedWork(gramCounts(h[2], h[1]), elementCount(out)),
  },
  reginverse: {
    arity: 'many',
    infer: (_spec, [g, o], name) => {
      const [rows, cols] = complexMatrix(name, 'reginverse', g, 'the Gram matrix');
      if (rows !== cols) throw new ShapeError(name, `reginverse needs a square Gram matrix, got ${showShape(g)}`);
      headOutputs(name, 'reginverse', o, rows);
      return [2, rows, rows];
    },
    counts: (_spec, [g], out) => {
      const n = g[1];
      const steps = sumCounts(
        { mults: n, adds: 0, special: 2 * n }, // d_k: softplus, scale; √d_k
        { mults: 3 * n * n, adds: n, special: 0 }, // √d_i√d_j, times complex G; + I
        inverseCounts(n), // linalg's inverse(): LU and a solve against I
        { mults: 2 * n * n, adds: 0, special: 0 }, // D^½ rows (√d_k from the first step)
      );
      return countedWork(steps, elementCount(out));
    },
  },
  beamform: {
    arity: 'many',
    infer: (_spec, [h, x], name) => {
      const [antennas, users] = complexMatrix(name, 'beamform', h, 'the channel');
      const [rows, cols] = complexMatrix(name, 'beamform', x, 'the coefficients');
      if (rows !== users || cols !== users) throw new ShapeError(name, `beamform needs [2, ${users}, ${users}] coefficients for ${users} users, got ${showShape(x)}`);
      return [2, antennas, users];
    },
    counts: (_spec, [h], out) => countedWork(matmulCounts(h[1], h[2], h[2]), elementCount(out)),
  },
  userpower: {
    arity: 'many',
    infer: (_spec, [w, o], name) => {
      const [, users] = complexMatrix(name, 'userpower', w, 'the beams');
      headOutputs(name, 'userpower', o, users);
      return w;
    },
    counts: (_spec, [w], out) => {
      const [, antennas, users] = w;
      const entries = antennas * users;
      const steps = sumCounts(
        { mults: 2 * entries, adds: entries + users * (antennas - 1), special: 0 }, // ‖u_k‖²
        { mults: users, adds: 0, special: 2 * users }, // p_k = softplus(·); √(p_k/‖u_k‖²)
        { mults: 2 * entries, adds: 0, special: 0 }, // scale each column
      );
      return countedWork(steps, elementCount(out));
    },
  },
  channelgains: {
    arity: 'many',
    infer: (_spec, [h, v], name) => {
      const [antennas, users] = complexMatrix(name, 'channelgains', h, 'the channel');
      if (!v || v.length !== 3 || v[0] !== 2 || v[1] !== antennas || v[2] !== users) throw new ShapeError(name, `channelgains needs a precoder [2, ${antennas}, ${users}] for the channel ${showShape(h)}, got ${v ? showShape(v) : 'nothing'}`);
      return [2, users, users];
    },
    // H (N_U × N_T) times V (N_T × N_U), as WMMSE's receivers compute it; V's power (a MAC per
    // real entry), one factor √(P/‖V‖²), and H·V scaled by it.
    counts: (_spec, [h], out) => {
      const [, antennas, users] = h;
      const steps = sumCounts(matmulCounts(users, users, antennas), { mults: 2 * antennas * users + 2 * users * users, adds: 2 * antennas * users - 1, special: 2 });
      return countedWork(steps, elementCount(out));
    },
  },
  wmmseupdate: {
    arity: 'many',
    infer: (spec, [hv, g, o], name) => {
      const [users, cols] = complexMatrix(name, 'wmmseupdate', hv, 'H·V');
      if (users !== cols) throw new ShapeError(name, `wmmseupdate needs a square H·V, got ${showShape(hv)}`);
      const [gr, gc] = complexMatrix(name, 'wmmseupdate', g, 'the Gram matrix');
      if (gr !== users || gc !== users) throw new ShapeError(name, `wmmseupdate needs a Gram matrix [2, ${users}, ${users}], got ${showShape(g)}`);
      headOutputs(name, 'wmmseupdate', o, spec.offset + users + 1, `with N_U + 1 = ${users + 1} numbers from index ${spec.offset}`);
      return [2, users, users];
    },
    counts: (_spec, [hv], out) => {
      const n = hv[1];
      const steps = sumCounts(
        receiverCounts(n), // u_k, w_k from H·V (WMMSE's receivers)
        { mults: n + 1, adds: 0, special: n + 1 }, // w̃_k = w_k·e^{s·o_k}; the regulariser's factor
        { mults: 3 * n + 3, adds: n, special: 3 * n }, // d_k = |u_k|²w̃_k, √d_k; β_k = u_k√w̃_k/|u_k|; μ = f·σ²Σd_k/P
        { mults: 3 * n * n, adds: n, special: 0 }, // S = √d_i√d_j·G + μI
        inverseCounts(n), // linalg's inverse(): LU and a solve against I
        { mults: 2 * n * n + 4 * n * n, adds: 2 * n * n, special: 0 }, // X = D^½ S⁻¹ diag(β): real rows, complex columns
      );
      return countedWork(steps, elementCount(out));
    },
  },
  matmul: {
    arity: 'none',
    infer: (spec) => [spec.repeat, spec.M, spec.N],
    counts: (spec) => {
      // A complex product is four real products accumulated into two real outputs.
      const outputs = spec.repeat * spec.M * spec.N * (spec.complex ? 2 : 1);
      return { macs: spec.repeat * (spec.complex ? 4 : 1) * spec.M * spec.N * spec.K, weights: 0, activations: outputs, elementwise: 0, outputs };
    },
  },
  trace: {
    arity: 'none',
    infer: () => [],
    counts: (spec) => ({ macs: spec.macs, weights: 0, activations: 0, elementwise: spec.elementwise, outputs: 0 }),
  },
};

export function ruleFor<K extends OpKind>(kind: K): OpRule<K> {
  return OP_RULES[kind] as OpRule<K>;
}
