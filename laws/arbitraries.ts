/** Random graphs and presets for property tests; shared by the energy model and the engine. */
import fc from 'fast-check';
import { graphBuilder } from '../nets/builder.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import type { Graph, Precision } from '../nets/graph.ts';
import { PRESETS, type BitSource, type HardwarePreset } from '../sim/presets.ts';

export const precisionArb: fc.Arbitrary<Precision> = fc.record({
  weightBits: fc.integer({ min: 1, max: 16 }),
  activationBits: fc.integer({ min: 1, max: 16 }),
});

const stageArb = fc.oneof(
  fc.record({
    kind: fc.constant('conv2d' as const),
    filters: fc.integer({ min: 1, max: 12 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom<'same' | 'valid' | 'explicit'>('same', 'valid', 'explicit'),
    grouped: fc.boolean(),
    bias: fc.boolean(),
  }),
  fc.record({ kind: fc.constantFrom('batchnorm' as const, 'relu' as const, 'prelu' as const, 'sigmoid' as const, 'tanh' as const, 'softplus' as const, 'dropout' as const) }),
  fc.record({ kind: fc.constant('leakyrelu' as const), alpha: fc.double({ min: 0.01, max: 0.3, noNaN: true }) }),
  fc.record({ kind: fc.constant('residual' as const) }),
  fc.record({ kind: fc.constant('branchconcat' as const) }),
  fc.record({ kind: fc.constant('avgpool' as const), pool: fc.integer({ min: 1, max: 2 }) }),
);

export interface GraphRecipe {
  readonly input: readonly [number, number, number];
  readonly stages: readonly unknown[];
  readonly dense: readonly { units: number; bias: boolean }[];
  readonly powernorm: boolean;
  readonly precisions: readonly Precision[];
}

/** A valid graph from a recipe: stages that would not fit the current shape are adapted. */
export function graphFromRecipe(r: GraphRecipe): Graph {
  let k = 0;
  const prec = () => r.precisions[k++ % r.precisions.length];
  const b = graphBuilder('random');
  let x = b.add('in', { kind: 'input', shape: r.input });
  r.stages.forEach((s: any, i: number) => {
    const [c, h, w] = b.shapeOf(x);
    const name = `s${i}`;
    switch (s.kind) {
      case 'conv2d': {
        const groups = s.grouped && c % 2 === 0 ? 2 : 1;
        const filters = groups === 2 ? 2 * Math.max(1, Math.floor(s.filters / 2)) : s.filters;
        const fits = s.kh <= h && s.kw <= w;
        const padding = s.padding === 'explicit' ? ([1, 1] as const) : s.padding === 'valid' && fits ? 'valid' : 'same';
        x = b.add(name, { kind: 'conv2d', filters, kernel: [s.kh, s.kw], stride: [s.stride, s.stride], padding, groups, bias: s.bias }, [x], prec());
        break;
      }
      case 'leakyrelu':
        x = b.add(name, { kind: 'leakyrelu', alpha: s.alpha }, [x], prec());
        break;
      case 'dropout':
        x = b.add(name, { kind: 'dropout', rate: 0.05 }, [x], prec());
        break;
      case 'residual': {
        const branch = b.add(`${name}.branch`, { kind: 'relu' }, [x], prec());
        x = b.add(name, { kind: 'add' }, [x, branch], prec());
        break;
      }
      case 'branchconcat': {
        const branch = b.add(`${name}.branch`, { kind: 'tanh' }, [x], prec());
        x = b.add(name, { kind: 'concat' }, [x, branch], prec());
        break;
      }
      case 'avgpool':
        if (s.pool <= h && s.pool <= w) x = b.add(name, { kind: 'avgpool', pool: [s.pool, s.pool], stride: [s.pool, s.pool] }, [x], prec());
        break;
      default:
        x = b.add(name, { kind: s.kind }, [x], prec());
    }
  });
  x = b.add('flatten', { kind: 'flatten' }, [x], prec());
  r.dense.forEach((d, i) => {
    x = b.add(`fc${i}`, { kind: 'dense', units: d.units, bias: d.bias }, [x], prec());
  });
  if (r.powernorm) b.add('powernorm', { kind: 'powernorm', power: 1 }, [x], prec());
  return b.build();
}

/** The seed-000 precoder at small sizes, with either head and any bits (the head's ops are Graph ops too). */
export const precoderGraphArb: fc.Arbitrary<Graph> = fc
  .record({
    cout: fc.integer({ min: 1, max: 6 }),
    dfcl: fc.integer({ min: 1, max: 24 }),
    nu: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: 0, max: 8 }),
    bits: fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 1, max: 16 }))) as fc.Arbitrary<[number, number, number, number]>,
    activationBits: fc.integer({ min: 1, max: 16 }),
    head: fc.constantFrom(...PRECODER_HEAD_NAMES),
    noiseVar: fc.double({ min: 1e-3, max: 10, noNaN: true }),
  })
  .map(({ cout, dfcl, nu, extra, bits, activationBits, head, noiseVar }) => buildPrecoder({ cout, dfcl, nt: nu + extra, nu, bits, activationBits, head, noiseVar }));

const randomGraphArb: fc.Arbitrary<Graph> = fc
  .record({
    input: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 })),
    stages: fc.array(stageArb, { maxLength: 6 }),
    dense: fc.array(fc.record({ units: fc.integer({ min: 1, max: 48 }), bias: fc.boolean() }), { maxLength: 3 }),
    powernorm: fc.boolean(),
    precisions: fc.array(precisionArb, { minLength: 1, maxLength: 5 }),
  })
  .map(graphFromRecipe);

/** Any graph the laws quantify over: random stacks of ops, and precoders with either head. */
export const graphArb: fc.Arbitrary<Graph> = fc.oneof({ arbitrary: randomGraphArb, weight: 3 }, { arbitrary: precoderGraphArb, weight: 1 });

const bitSourceArb = fc.constantFrom<BitSource>('weight', 'activation', 'max', 'geomean');

/** Any preset: the named ones and random constants and conventions. */
export const presetArb: fc.Arbitrary<HardwarePreset> = fc.oneof(
  fc.constantFrom(...PRESETS),
  fc.record({
    name: fc.constant('random'),
    summary: fc.constant('random preset'),
    mac: fc.record({ alpha_pJ: fc.double({ min: 0.05, max: 5, noNaN: true }), beta: fc.double({ min: 0.5, max: 2.5, noNaN: true }), referenceBits: fc.constantFrom(8, 16) }),
    mainMemory: fc.record({ relativeToMac: fc.double({ min: 0.5, max: 200, noNaN: true }), scaling: fc.constantFrom('mac' as const, 'linear' as const) }),
    localBuffer: fc.record({ relativeToMac: fc.double({ min: 0.1, max: 10, noNaN: true }), scaling: fc.constantFrom('mac' as const, 'linear' as const) }),
    offChip: fc.record({ relativeToMac: fc.double({ min: 1, max: 500, noNaN: true }) }),
    parallelism: fc.record({ rule: fc.constantFrom('proportional' as const, 'iso-area' as const, 'fixed' as const), atReference: fc.integer({ min: 1, max: 1024 }) }),
    pricing: fc.record({
      compute: bitSourceArb,
      weightMain: bitSourceArb,
      weightLocal: bitSourceArb,
      activationMain: bitSourceArb,
      activationLocal: bitSourceArb,
      parallelism: bitSourceArb,
    }),
  }),
);

/** p values a user may pass with --p. */
export const pArb = fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 4096 }));
