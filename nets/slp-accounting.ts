/**
 * Seed 002's accounting of an SLP-DNet graph, beside ours.
 *
 * Memory (§V-B, after its ref. [42]): 32 bits per floating-point parameter and 1 bit per binary
 * one, W_b/32 + W_f in float words; a ternary weight takes 2 bits. Biases, BN and PReLU
 * parameters are floats whatever the layer's bits (our general `inferenceMemory` charges a
 * bias at its layer's bits, the seed-000 convention, and adds peak activations).
 *
 * Operations (eq. 29): a quantized layer's products count 1/32 of a float operation when binary;
 * we charge ternary products 2/32 (two binary planes). Table I's closed forms are evaluated
 * beside them; docs/slp.md explains the gap term by term.
 */
import type { Graph, Op } from './graph.ts';
import { opCounts } from './counts.ts';

const FLOAT_BITS = 32;

/** Kernel weights of a conv/dense op (its parameters without the bias). */
function kernelWeights(op: Op): number {
  const w = opCounts(op).weights;
  if (op.kind === 'conv2d') return w - (op.bias ? op.filters : 0);
  if (op.kind === 'dense') return w - (op.bias ? op.units : 0);
  return 0;
}

export interface SlpAccounting {
  /** Stored parameters: quantized kernel weights and float ones (biases, BN, PReLU, float kernels). */
  readonly quantizedWeights: number;
  readonly floatWeights: number;
  readonly memoryBits: number;
  /** MB = 10⁶ bytes (Table V's unit). */
  readonly inferenceMemory_MB: number;
  /** Products: in layers below 32 bits, and in float (incl. the log-barrier trace). */
  readonly quantizedMacs: number;
  readonly floatMacs: number;
  /** Eq. 29: float products + quantized products × bits/32. */
  readonly equivalentOps: number;
}

export function slpAccounting(graph: Graph): SlpAccounting {
  let quantizedWeights = 0;
  let floatWeights = 0;
  let memoryBits = 0;
  let quantizedMacs = 0;
  let floatMacs = 0;
  let equivalentOps = 0;
  for (const op of graph.ops) {
    const counts = opCounts(op);
    const bits = op.precision.weightBits;
    const kernel = kernelWeights(op);
    const quantized = bits < FLOAT_BITS && kernel > 0;
    if (quantized) {
      quantizedWeights += kernel;
      memoryBits += kernel * bits;
      floatWeights += counts.weights - kernel;
      memoryBits += (counts.weights - kernel) * FLOAT_BITS;
      quantizedMacs += counts.macs;
      equivalentOps += (counts.macs * bits) / FLOAT_BITS;
    } else {
      floatWeights += counts.weights;
      memoryBits += counts.weights * FLOAT_BITS;
      floatMacs += counts.macs;
      equivalentOps += counts.macs;
    }
  }
  return { quantizedWeights, floatWeights, memoryBits, inferenceMemory_MB: memoryBits / 8 / 1e6, quantizedMacs, floatMacs, equivalentOps };
}

/** Seed 002 Table I / eq. (31)–(32): arithmetic operations of SLP-DNet and its quantized forms. */
export function tableIOps(variant: 'dnet' | 'dbnet' | 'dtnet' | 'dsqbnet' | 'dsqtnet', m: number, k: number, qr = 0.5): number {
  const base = 2704 * k * k * m + 4 * m * m * k + 430 * k * m - k;
  const binary = 2577 * k * k * m + 423 * k * m + 7 / 8;
  const ternary = 2433 * k * k * m + (783 / 2) * k * m + 7 / 8;
  switch (variant) {
    case 'dnet':
      return base;
    case 'dbnet':
      return base - binary;
    case 'dtnet':
      return base - ternary;
    case 'dsqbnet':
      return base - binary * qr;
    case 'dsqtnet':
      return base - ternary * qr;
  }
}

/**
 * The quantization ratio a printed memory saving implies for a stochastic variant of this graph:
 * solve F·32 + Q·(r·b + (1 − r)·32) = (F + Q)·32 / saving for r, with F float and Q quantizable
 * weights (from the fully quantized variant's accounting).
 */
export function impliedQr(quantized: SlpAccounting, bits: number, saving: number): number {
  const q = quantized.quantizedWeights;
  const total = (quantized.floatWeights + q) * FLOAT_BITS;
  return (total - total / saving) / (q * (FLOAT_BITS - bits));
}
