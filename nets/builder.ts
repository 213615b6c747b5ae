/**
 * Builds a Graph op by op, inferring each output shape as it goes, so a wrong shape is
 * rejected at the op that causes it, with the op's name and the shapes involved.
 */
import { ShapeError } from '../core/errors.ts';
import { DEFAULT_PRECISION, type Graph, type Op, type OpKind, type OpSpec, type Precision, type Shape } from './graph.ts';
import { ruleFor } from './ops.ts';

export const MAX_BITS = 32;

export interface GraphBuilder {
  /** Adds an op and returns its name, to be used as another op's input. */
  add(name: string, spec: OpSpec, inputs?: readonly string[], precision?: Precision): string;
  shapeOf(name: string): Shape;
  build(): Graph;
}

export function graphBuilder(graphName: string, defaultPrecision: Precision = DEFAULT_PRECISION): GraphBuilder {
  const ops: Op[] = [];
  const byName = new Map<string, Op>();

  return {
    add(name, spec, inputs = [], precision = defaultPrecision) {
      if (byName.has(name)) throw new ShapeError(name, 'an op of that name already exists in the graph');
      checkPrecision(name, precision);
      checkSpec(name, spec);
      const rule = ruleFor(spec.kind);
      if (rule.arity === 'none' && inputs.length > 0) throw new ShapeError(name, `${spec.kind} takes no inputs`);
      if (rule.arity === 'one' && inputs.length !== 1) {
        throw new ShapeError(name, `${spec.kind} takes exactly 1 input, got ${inputs.length}`);
      }
      const inputShapes = inputs.map((input) => {
        const producer = byName.get(input);
        if (!producer) throw new ShapeError(name, `input '${input}' is not an earlier op of the graph`);
        return producer.outputShape;
      });
      const outputShape = (rule.infer as (s: OpSpec, i: readonly Shape[], n: string) => Shape)(spec, inputShapes, name);
      const op = { ...spec, name, inputs: [...inputs], precision, inputShapes, outputShape } as Op;
      ops.push(op);
      byName.set(name, op);
      return name;
    },
    shapeOf(name) {
      const op = byName.get(name);
      if (!op) throw new ShapeError(name, 'no op of that name in the graph');
      return op.outputShape;
    },
    build: () => ({ name: graphName, ops: [...ops] }),
  };
}

function checkPrecision(name: string, precision: Precision): void {
  for (const [field, bits] of [
    ['weightBits', precision.weightBits],
    ['activationBits', precision.activationBits],
  ] as const) {
    if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) {
      throw new ShapeError(name, `${field} ${bits} is not allowed; allowed: an integer from 1 to ${MAX_BITS}`);
    }
  }
}

type SpecOf<K extends OpKind> = Extract<OpSpec, { kind: K }>;

/** A spec's parameters that must be positive integers, or a problem with another parameter. */
type SpecCheck<K extends OpKind> = (spec: SpecOf<K>) => { readonly positiveInts?: readonly (readonly [string, number])[]; readonly problem?: string };

const NOTHING_TO_CHECK = () => ({});
const positive = (field: string, value: number) => (value > 0 && Number.isFinite(value) ? undefined : `${field} ${value}; allowed: a finite number > 0`);
const nonNegative = (field: string, value: number) => (value >= 0 && Number.isFinite(value) ? undefined : `${field} ${value}; allowed: a finite number ≥ 0`);

function poolCheck(spec: SpecOf<'avgpool'> | SpecOf<'maxpool'>) {
  const pads = spec.padding ?? [0, 0];
  return {
    positiveInts: [['pool[0]', spec.pool[0]], ['pool[1]', spec.pool[1]], ['stride[0]', spec.stride[0]], ['stride[1]', spec.stride[1]]] as const,
    problem: pads.every((p) => Number.isInteger(p) && p >= 0) ? undefined : `padding ${JSON.stringify(pads)}; allowed: two integers ≥ 0`,
  };
}

/** What each kind's parameters must satisfy: one entry per kind, checked by the compiler. */
const SPEC_CHECKS: { readonly [K in OpKind]: SpecCheck<K> } = {
  input: (spec) => ({ positiveInts: spec.shape.map((d, i) => [`shape[${i}]`, d] as const) }),
  reshape: (spec) => ({ positiveInts: spec.shape.map((d, i) => [`shape[${i}]`, d] as const) }),
  conv2d: (spec) => ({
    positiveInts: [
      ['filters', spec.filters],
      ['kernel[0]', spec.kernel[0]],
      ['kernel[1]', spec.kernel[1]],
      ['stride[0]', spec.stride[0]],
      ['stride[1]', spec.stride[1]],
      ['groups', spec.groups],
      ...(spec.dilation ? ([['dilation[0]', spec.dilation[0]], ['dilation[1]', spec.dilation[1]]] as const) : []),
    ],
    problem: typeof spec.padding !== 'string' && spec.padding.some((p) => !Number.isInteger(p) || p < 0) ? `padding ${JSON.stringify(spec.padding)}; allowed: 'same', 'valid' or two integers ≥ 0` : undefined,
  }),
  dense: (spec) => ({ positiveInts: [['units', spec.units]], problem: spec.initScale === undefined ? undefined : nonNegative('initScale', spec.initScale) }),
  avgpool: (spec) => poolCheck(spec),
  maxpool: (spec) => poolCheck(spec),
  clip: (spec) => ({ problem: spec.min <= spec.max ? undefined : `min ${spec.min} > max ${spec.max}; allowed: min ≤ max` }),
  softmax: NOTHING_TO_CHECK,
  scale: (spec) => ({ problem: Number.isFinite(spec.factor) ? undefined : `factor ${spec.factor}; allowed: a finite number` }),
  transpose: NOTHING_TO_CHECK,
  dropout: (spec) => ({ problem: spec.rate >= 0 && spec.rate < 1 ? undefined : `dropout rate ${spec.rate}; allowed: 0 ≤ rate < 1` }),
  powernorm: (spec) => ({ problem: positive('power', spec.power) }),
  reginverse: (spec) => ({ problem: positive('loading', spec.loading) ?? positive('scale', spec.scale) }),
  userpower: (spec) => ({ problem: positive('scale', spec.scale) }),
  channelgains: (spec) => ({ problem: positive('power', spec.power) }),
  wmmseupdate: (spec) => ({
    problem: Number.isInteger(spec.offset) && spec.offset >= 0 ? (positive('power', spec.power) ?? positive('noiseVar', spec.noiseVar) ?? positive('scale', spec.scale)) : `offset ${spec.offset}; allowed: an integer ≥ 0`,
  }),
  leakyrelu: (spec) => ({ problem: Number.isFinite(spec.alpha) ? undefined : `alpha ${spec.alpha}; allowed: a finite number` }),
  matmul: (spec) => ({ positiveInts: [['M', spec.M], ['N', spec.N], ['K', spec.K], ['repeat', spec.repeat]] }),
  trace: (spec) => ({
    problem:
      spec.macs >= 0 && Number.isFinite(spec.macs) && spec.elementwise >= 0 && Number.isFinite(spec.elementwise)
        ? undefined
        : `trace counts must be finite and ≥ 0, got macs ${spec.macs}, elementwise ${spec.elementwise}`,
  }),
  batchnorm: NOTHING_TO_CHECK,
  relu: NOTHING_TO_CHECK,
  prelu: NOTHING_TO_CHECK,
  sigmoid: NOTHING_TO_CHECK,
  softplus: NOTHING_TO_CHECK,
  tanh: NOTHING_TO_CHECK,
  add: NOTHING_TO_CHECK,
  concat: NOTHING_TO_CHECK,
  flatten: NOTHING_TO_CHECK,
  gram: NOTHING_TO_CHECK,
  beamform: NOTHING_TO_CHECK,
};

function checkSpec(name: string, spec: OpSpec): void {
  const { positiveInts = [], problem } = (SPEC_CHECKS[spec.kind] as SpecCheck<OpKind>)(spec);
  if (problem) throw new ShapeError(name, problem);
  for (const [field, value] of positiveInts) {
    if (!Number.isInteger(value) || value < 1) throw new ShapeError(name, `${field} ${value}; allowed: a positive integer`);
  }
}
