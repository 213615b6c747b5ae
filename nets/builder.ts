/**
 * Builds a Graph op by op, inferring each output shape as it goes, so a wrong shape is
 * rejected at the op that causes it, with the op's name and the shapes involved.
 */
import { ShapeError } from '../core/errors.ts';
import { FULL_PRECISION, type Graph, type Op, type OpSpec, type Precision, type Shape } from './graph.ts';
import { ruleFor } from './ops.ts';

export const MAX_BITS = 32;

export interface GraphBuilder {
  /** Adds an op and returns its name, to be used as another op's input. */
  add(name: string, spec: OpSpec, inputs?: readonly string[], precision?: Precision): string;
  shapeOf(name: string): Shape;
  build(): Graph;
}

export function graphBuilder(graphName: string, defaultPrecision: Precision = FULL_PRECISION): GraphBuilder {
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

function checkSpec(name: string, spec: OpSpec): void {
  const positiveInts: [string, number][] = [];
  switch (spec.kind) {
    case 'input':
    case 'reshape':
      spec.shape.forEach((d, i) => positiveInts.push([`shape[${i}]`, d]));
      break;
    case 'conv2d':
      positiveInts.push(
        ['filters', spec.filters],
        ['kernel[0]', spec.kernel[0]],
        ['kernel[1]', spec.kernel[1]],
        ['stride[0]', spec.stride[0]],
        ['stride[1]', spec.stride[1]],
        ['groups', spec.groups],
      );
      if (typeof spec.padding !== 'string' && spec.padding.some((p) => !Number.isInteger(p) || p < 0)) {
        throw new ShapeError(name, `padding ${JSON.stringify(spec.padding)}; allowed: 'same', 'valid' or two integers ≥ 0`);
      }
      break;
    case 'dense':
      positiveInts.push(['units', spec.units]);
      if (spec.initScale !== undefined && !(spec.initScale > 0 && Number.isFinite(spec.initScale))) {
        throw new ShapeError(name, `initScale ${spec.initScale}; allowed: a finite number > 0`);
      }
      break;
    case 'avgpool':
      positiveInts.push(['pool[0]', spec.pool[0]], ['pool[1]', spec.pool[1]], ['stride[0]', spec.stride[0]], ['stride[1]', spec.stride[1]]);
      break;
    case 'dropout':
      if (!(spec.rate >= 0 && spec.rate < 1)) throw new ShapeError(name, `dropout rate ${spec.rate}; allowed: 0 ≤ rate < 1`);
      break;
    case 'powernorm':
      if (!(spec.power > 0 && Number.isFinite(spec.power))) throw new ShapeError(name, `power ${spec.power}; allowed: a finite number > 0`);
      break;
    case 'reginverse':
      if (!(spec.loading > 0 && Number.isFinite(spec.loading))) throw new ShapeError(name, `loading ${spec.loading}; allowed: a finite number > 0`);
      if (!(spec.scale > 0 && Number.isFinite(spec.scale))) throw new ShapeError(name, `scale ${spec.scale}; allowed: a finite number > 0`);
      break;
    case 'userpower':
      if (!(spec.scale > 0 && Number.isFinite(spec.scale))) throw new ShapeError(name, `scale ${spec.scale}; allowed: a finite number > 0`);
      break;
    case 'matmul':
      positiveInts.push(['M', spec.M], ['N', spec.N], ['K', spec.K], ['repeat', spec.repeat]);
      break;
    case 'trace':
      if (!(spec.macs >= 0 && Number.isFinite(spec.macs)) || !(spec.elementwise >= 0 && Number.isFinite(spec.elementwise))) {
        throw new ShapeError(name, `trace counts must be finite and ≥ 0, got macs ${spec.macs}, elementwise ${spec.elementwise}`);
      }
      break;
    default:
      break;
  }
  for (const [field, value] of positiveInts) {
    if (!Number.isInteger(value) || value < 1) throw new ShapeError(name, `${field} ${value}; allowed: a positive integer`);
  }
}
