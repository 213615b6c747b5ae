/**
 * A trainable tfjs model built from the Graph — the same ops, shapes and per-layer bits, no
 * second hand-written definition — so the energy of what is trained is the energy reported.
 *
 * Tensors are NHWC inside (the layout tfjs kernels want); flatten and reshape go through the
 * Graph's channel-first order, so a weight here means the same thing as in the Graph.
 * Conv and dense kernels are fake-quantized (LSQ for 2–16 bits, BWN at 1 bit, TWN on request,
 * none at 32); biases and BN parameters stay in float. A supernet keeps one LSQ step and one set
 * of BN statistics per layer and bit width.
 */
import { checkModelFits } from './memory.ts';
import { InputError } from '../core/errors.ts';
import { rng } from '../core/rng.ts';
import type { Graph, Op, OpKind } from '../nets/graph.ts';
import { lsqRange, lsqStepIsStale, lsqStepOfScale, meanAbs } from '../nets/quant.ts';
import { QUANTIZED_KINDS, quantizedLayers } from '../nets/layers.ts';
import { binarize, lsqQuantize, ternarize } from './quant.ts';
import { formatKey, isStatistic, paramKey, parseKey } from './variable-key.ts';
import { tf } from './backend.ts';
import { FORWARD, type Forward, type ForwardContext } from './forward.ts';

export type WeightQuantizer = 'lsq' | 'ternary' | 'binary';

export interface ModelOptions {
  readonly seed: number;
  /** Overrides the quantizer of every layer (e.g. 'binary' for a BCsiNet-style variant). */
  readonly quantizer?: WeightQuantizer;
  /** Also LSQ-quantize activations after ReLU at the ops' activation bits (< 16 only). */
  readonly quantizeActivations?: boolean;
  /** PReLU ops below 16 activation bits become seed 002's k-bit activation (eq. 22) at those bits. */
  readonly kbitActivations?: boolean;
  readonly bnMomentum?: number;
  /** BN ops whose scale γ starts at 0 instead of 1 (zero-init of residual branches, Goyal et al. 2017). */
  readonly zeroGamma?: readonly string[];
}

/** A change to one op's output in a forward pass (a codec's codeword channel, a captured tensor). */
export interface Perturb {
  readonly after: string;
  readonly apply: (t: tf.Tensor) => tf.Tensor;
}

/** Weight bits of each quantized op by name; missing ops use the Graph's precision. */
export type BitAssignment = ReadonlyMap<string, number>;

/**
 * Op outputs kept across forward passes that differ only in the bits of later layers (rating
 * all 256 configurations of a supernet recomputes CONV and FCL1 16 times instead of 256). Only
 * inference uses it; `tag` names the input batch.
 */
export interface ForwardMemo {
  readonly store: Map<string, tf.Tensor>;
  readonly tag: string;
}


let modelCount = 0;

export class GraphModel {
  readonly graph: Graph;
  readonly options: ModelOptions;
  /** Trainable variables by name (kernels, biases, BN scale/shift, PReLU slopes, LSQ steps). */
  readonly trainable = new Map<string, tf.Variable>();
  /** BN running statistics by name (not trained; saved in checkpoints). */
  readonly statistics = new Map<string, tf.Variable>();
  /** Replaces the BN running-statistics momentum while set (re-estimation sets 0, then (i−1)/i). */
  bnMomentumOverride: number | undefined;
  /** For each op, the quantized layer whose bits key its BN statistics. */
  private readonly layerOf = new Map<string, string>();
  /** For each op, the quantized layers (its own included) whose bits its output depends on. */
  private readonly upstream = new Map<string, readonly string[]>();
  /** Ops whose output feeds an op that depends on more layers: what a ForwardMemo keeps. */
  private readonly frontier = new Set<string>();
  /** tfjs variable names are global: each model prefixes its own. */
  private readonly prefix = `m${++modelCount}:`;

  constructor(graph: Graph, options: ModelOptions) {
    // Before a weight is made: a network the heap cannot hold is refused with what it needs.
    checkModelFits(graph, 'inference');
    this.graph = graph;
    this.options = options;
    const r = rng(options.seed).fork('init');
    for (const op of graph.ops) {
      if (op.kind === 'trace' || op.kind === 'matmul') throw new InputError('graph', graph.name, 'allowed: a network; trace ops have no trainable form');
      const producer = op.inputs[0];
      this.layerOf.set(op.name, QUANTIZED_KINDS.has(op.kind) ? op.name : producer !== undefined ? (this.layerOf.get(producer) ?? op.name) : op.name);
      const layers = new Set(op.inputs.flatMap((i) => this.upstream.get(i) ?? []));
      if (QUANTIZED_KINDS.has(op.kind)) layers.add(op.name);
      this.upstream.set(op.name, [...layers].sort());
      for (const i of op.inputs) if ((this.upstream.get(i) ?? []).length < layers.size) this.frontier.add(i);
      this.createParameters(op, r.fork(op.name));
    }
  }

  /** Whether an op's output depends on the bits of a quantized layer. */
  dependsOn(opName: string, layer: string): boolean {
    return this.upstream.get(opName)?.includes(layer) ?? false;
  }

  /** Quantized layers (conv2d, dense) in graph order. */
  get quantizedLayers(): readonly string[] {
    return quantizedLayers(this.graph);
  }

  private variable(map: Map<string, tf.Variable>, name: string, values: Float32Array, shape: number[], trainable: boolean): void {
    // The variable holds its own reference to the data; the initial tensor would otherwise outlive it.
    const initial = tf.tensor(values, shape);
    map.set(name, tf.variable(initial, trainable, this.prefix + name));
    initial.dispose();
  }

  private createParameters(op: Op, r: ReturnType<typeof rng>): void {
    const uniform = (n: number, limit: number) => Float32Array.from({ length: n }, () => (2 * r.next() - 1) * limit);
    if (op.kind === 'conv2d') {
      const cin = op.inputShapes[0][0] / op.groups;
      const fanIn = cin * op.kernel[0] * op.kernel[1];
      const cols = op.filters;
      // He-uniform for ReLU nets; kernels stored as the im2col matrix [k_h·k_w·C_in/groups, C_out].
      this.variable(this.trainable, paramKey(op.name, 'kernel'), uniform(fanIn * cols, Math.sqrt(6 / fanIn)), [fanIn, cols], true);
      if (op.bias) this.variable(this.trainable, paramKey(op.name, 'bias'), new Float32Array(cols), [cols], true);
    } else if (op.kind === 'dense') {
      const fanIn = op.inputShapes[0][0];
      this.variable(this.trainable, paramKey(op.name, 'kernel'), uniform(fanIn * op.units, (op.initScale ?? 1) * Math.sqrt(6 / fanIn)), [fanIn, op.units], true);
      if (op.bias) this.variable(this.trainable, paramKey(op.name, 'bias'), new Float32Array(op.units), [op.units], true);
    } else if (op.kind === 'batchnorm') {
      const c = op.outputShape[0];
      this.variable(this.trainable, paramKey(op.name, 'gamma'), new Float32Array(c).fill(this.options.zeroGamma?.includes(op.name) ? 0 : 1), [c], true);
      this.variable(this.trainable, paramKey(op.name, 'beta'), new Float32Array(c), [c], true);
    } else if (op.kind === 'prelu') {
      const c = op.outputShape[0];
      this.variable(this.trainable, paramKey(op.name, 'alpha'), new Float32Array(c).fill(0.25), [c], true);
    }
  }

  private bitsOf(op: Op, bits?: BitAssignment): number {
    return bits?.get(op.name) ?? op.precision.weightBits;
  }

  private step(name: string, w: tf.Tensor, bitsValue: number, signed: boolean): tf.Variable {
    const key = formatKey({ kind: 'weightStep', op: name, bits: bitsValue });
    let s = this.trainable.get(key);
    if (!s) {
      const scale = meanAbs(w.dataSync() as Float32Array);
      this.variable(this.trainable, key, Float32Array.of(lsqStepOfScale(scale, lsqRange(bitsValue, signed))), [], true);
      this.variable(this.statistics, formatKey({ kind: 'stepScale', op: name, bits: bitsValue }), Float32Array.of(scale), [], false);
      s = this.trainable.get(key)!;
    }
    return s;
  }

  /**
   * Sets afresh every LSQ weight step whose kernel's mean |w| has moved past LSQ_STEP_DRIFT since
   * the step was set (or left zero), from the kernel as it is now; returns the steps' names (their
   * optimiser moments no longer apply). A trainer calls it after each update. A step set before
   * its reference was recorded (an older checkpoint) takes the kernel's scale now as reference.
   */
  followKernels(): string[] {
    const steps = [...this.trainable.keys()].flatMap((name) => {
      const key = parseKey(name);
      return key.kind === 'weightStep' ? [{ name, key }] : [];
    });
    if (steps.length === 0) return [];
    const layers = [...new Set(steps.map((s) => s.key.op))];
    const scales = tf.tidy(() => tf.stack(layers.map((op) => tf.mean(tf.abs(this.trainable.get(paramKey(op, 'kernel'))!)))).dataSync());
    const reset: string[] = [];
    for (const { name, key } of steps) {
      const scale = scales[layers.indexOf(key.op)];
      const refKey = formatKey({ kind: 'stepScale', op: key.op, bits: key.bits });
      const ref = this.statistics.get(refKey);
      if (!ref) {
        this.variable(this.statistics, refKey, Float32Array.of(scale), [], false);
        continue;
      }
      if (!lsqStepIsStale(ref.dataSync()[0], scale)) continue;
      this.restore(name, Float32Array.of(lsqStepOfScale(scale, lsqRange(key.bits, true))), []);
      this.restore(refKey, Float32Array.of(scale), []);
      reset.push(name);
    }
    return reset;
  }

  /** Creates every LSQ step a bit assignment needs (before taking gradients over trainable vars). */
  prepare(bits?: BitAssignment): void {
    for (const op of this.graph.ops) {
      if (!QUANTIZED_KINDS.has(op.kind)) continue;
      const b = this.bitsOf(op, bits);
      if (this.quantizerFor(b) === 'lsq') this.step(op.name, this.trainable.get(paramKey(op.name, 'kernel'))!, b, true);
    }
    for (const op of this.graph.ops) {
      if (op.kind !== 'batchnorm') continue;
      this.bnStats(op, bits);
    }
  }

  private quantizerFor(bitsValue: number): WeightQuantizer | 'none' {
    // A float layer stays float under an override (the last layer of a binarised net).
    if (bitsValue >= 32) return 'none';
    if (this.options.quantizer && this.options.quantizer !== 'lsq') return this.options.quantizer;
    if (bitsValue === 1) return 'binary';
    return 'lsq';
  }

  /** The kernel as the forward pass uses it (fake-quantized at the op's bits). */
  kernel(op: Op, bits?: BitAssignment): tf.Tensor2D {
    const w = this.trainable.get(paramKey(op.name, 'kernel'))!;
    const b = this.bitsOf(op, bits);
    const q = this.quantizerFor(b);
    if (q === 'none') return w as tf.Tensor2D;
    const rows = this.statistics.get(formatKey({ kind: 'rowMask', op: op.name }));
    if (rows && (q === 'binary' || q === 'ternary')) {
      // A stochastic layer (seed 002 §IV-A): the masked rows quantized (one scale per row), the rest float.
      const quantized = q === 'binary' ? binarize(w, true) : ternarize(w, true);
      return tf.add(tf.mul(quantized, rows), tf.mul(w, tf.sub(1, rows))) as tf.Tensor2D;
    }
    if (q === 'binary') return binarize(w) as tf.Tensor2D;
    if (q === 'ternary') return ternarize(w) as tf.Tensor2D;
    return lsqQuantize(w, this.step(op.name, w, b, true), lsqRange(b, true)) as tf.Tensor2D;
  }

  /**
   * A parameter as inference uses it: the kernel fake-quantized at the op's bits, BN statistics
   * of those bits, the rest as trained (what an ONNX export writes).
   */
  inferenceParameter(op: Op, parameter: 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' | 'alpha', bits?: BitAssignment): Float32Array {
    const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
    if (parameter === 'kernel') return tf.tidy(() => read(this.kernel(op, bits)));
    if (parameter === 'mean' || parameter === 'variance') return read(this.bnStats(op, bits)[parameter]);
    const v = this.trainable.get(paramKey(op.name, parameter));
    if (!v) throw new InputError('parameter', `${op.name}.${parameter}`, 'allowed: a parameter the op has');
    return read(v);
  }

  private bnStats(op: Op, bits?: BitAssignment): { mean: tf.Variable; variance: tf.Variable } {
    const layer = this.graph.ops.find((o) => o.name === this.layerOf.get(op.name));
    const at = { kind: 'bnStats', op: op.name, bits: layer ? this.bitsOf(layer, bits) : 0 } as const;
    const mean = formatKey({ ...at, stat: 'mean' });
    const variance = formatKey({ ...at, stat: 'variance' });
    const c = op.outputShape[0];
    if (!this.statistics.has(mean)) {
      this.variable(this.statistics, mean, new Float32Array(c), [c], false);
      this.variable(this.statistics, variance, new Float32Array(c).fill(1), [c], false);
    }
    return { mean: this.statistics.get(mean)!, variance: this.statistics.get(variance)! };
  }

  /**
   * Runs the graph on a batch. `input` is [B, ...inputShape] channel-first, as datasets store
   * it. In training mode, BN uses batch statistics (and updates its running ones) and dropout
   * is active; `dropoutSeed` makes the masks reproducible.
   */
  forward(
    input: tf.Tensor,
    options: { training: boolean; bits?: BitAssignment; dropoutSeed?: number; perturb?: Perturb; memo?: ForwardMemo },
  ): tf.Tensor {
    const values = new Map<string, tf.Tensor>();
    const toNhwc = (t: tf.Tensor) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t);
    const toNchw = (t: tf.Tensor) => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t);
    const memo = options.training || options.perturb ? undefined : options.memo;
    const memoKey = (op: Op) => `${memo!.tag}|${op.name}|${this.upstream.get(op.name)!.map((l) => this.bitsOf(this.graph.ops.find((o) => o.name === l)!, options.bits)).join(',')}`;
    // An op every later op reads from the memo is not computed at all.
    const needed = memo ? this.neededOps(memo, memoKey) : undefined;
    let out: tf.Tensor = input;
    for (const [index, op] of this.graph.ops.entries()) {
      if (needed && !needed.has(op.name)) continue;
      const kept = memo && this.frontier.has(op.name) ? memo.store.get(memoKey(op)) : undefined;
      if (kept) out = kept;
      else {
        const x = op.inputs.map((n) => values.get(n)!);
        out = this.apply(op, index, x, input, options, toNhwc, toNchw);
        // An imperfect channel between the two halves of an autoencoder (codeword noise).
        if (options.perturb && op.name === options.perturb.after) out = options.perturb.apply(out);
        if (memo && this.frontier.has(op.name)) memo.store.set(memoKey(op), tf.keep(out));
      }
      values.set(op.name, out);
    }
    // Back to the Graph's channel-first layout.
    return toNchw(out);
  }

  /** One op's forward: its kind's entry of FORWARD (train/forward.ts), given this model's parameters. */
  private apply(
    op: Op,
    index: number,
    x: tf.Tensor[],
    input: tf.Tensor,
    options: { training: boolean; bits?: BitAssignment; dropoutSeed?: number },
    toNhwc: (t: tf.Tensor) => tf.Tensor,
    toNchw: (t: tf.Tensor) => tf.Tensor,
  ): tf.Tensor {
    const entry = FORWARD[op.kind];
    if ('notRun' in entry) throw new InputError('graph', op.name, `allowed: network ops (${entry.notRun})`);
    const context: ForwardContext = {
      x,
      input,
      index,
      training: options.training,
      dropoutSeed: options.dropoutSeed ?? 0,
      toNhwc,
      toNchw,
      param: (suffix) => this.trainable.get(paramKey(op.name, suffix))!,
      kernel: () => this.kernel(op, options.bits),
      bnStats: () => this.bnStats(op, options.bits),
      bnMomentum: this.bnMomentumOverride ?? this.options.bnMomentum ?? 0.99,
      quantizeActivations: this.options.quantizeActivations === true,
      kbitActivations: this.options.kbitActivations === true,
      activationStep: (key, initial) => this.activationStep(key, initial),
    };
    return (entry as Forward<OpKind>)(op as never, context);
  }

  /** A trainable activation step by key (an op's output, or a codec's codeword), made with `initial()` on first use. */
  activationStep(key: string, initial: () => number): tf.Variable {
    if (!this.trainable.has(key)) this.variable(this.trainable, key, Float32Array.of(initial()), [], true);
    return this.trainable.get(key)!;
  }

  /** The ops a memoised forward pass must run: those some non-memoised consumer needs. */
  private neededOps(memo: ForwardMemo, memoKey: (op: Op) => string): Set<string> {
    const needed = new Set<string>();
    const ops = this.graph.ops;
    needed.add(ops[ops.length - 1].name);
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i];
      if (!needed.has(op.name)) continue;
      if (this.frontier.has(op.name) && memo.store.has(memoKey(op))) continue;
      for (const input of op.inputs) needed.add(input);
    }
    return needed;
  }

  /** Which rows (output channels) of a layer are quantized: 1 quantized, 0 float. Saved in checkpoints. */
  setRowMask(layer: string, mask: Float32Array): void {
    this.restore(formatKey({ kind: 'rowMask', op: layer }), mask, [mask.length]);
  }

  /** Our name of a tfjs variable (without the model's prefix). */
  keyOf(variableName: string): string {
    return variableName.startsWith(this.prefix) ? variableName.slice(this.prefix.length) : variableName;
  }

  /** Sets a variable by our name, creating it when a checkpoint holds one not yet made. */
  restore(name: string, values: Float32Array, shape: readonly number[]): void {
    const existing = this.trainable.get(name) ?? this.statistics.get(name);
    if (existing) {
      const next = tf.tensor(values, existing.shape);
      existing.assign(next);
      next.dispose();
      return;
    }
    const map = isStatistic(parseKey(name)) ? this.statistics : this.trainable;
    this.variable(map, name, values, [...shape], map === this.trainable);
  }

  /**
   * Where a variable of the same network trained at other bits goes in this model (a warm
   * start across precisions): BN running statistics move to this model's bit width; LSQ steps
   * are dropped, so they are initialised afresh from the copied weights at the new bits (LSQ's
   * own initialisation, as quantization-aware fine-tuning from a float model does).
   */
  nameAtOwnBits(name: string): string | undefined {
    const key = parseKey(name);
    if (key.kind === 'weightStep' || key.kind === 'activationStep' || key.kind === 'stepScale') return undefined;
    if (key.kind !== 'bnStats') return name;
    const op = this.graph.ops.find((o) => o.name === key.op);
    if (!op) return undefined;
    const layer = this.graph.ops.find((o) => o.name === this.layerOf.get(op.name));
    return formatKey({ ...key, bits: layer ? this.bitsOf(layer) : 0 });
  }

  /** Every variable a checkpoint must hold, by name, in a stable order. */
  allVariables(): [string, tf.Variable][] {
    return [...this.trainable.entries(), ...this.statistics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
    for (const v of this.statistics.values()) v.dispose();
  }
}
