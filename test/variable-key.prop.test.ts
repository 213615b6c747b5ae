import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatKey, parseKey, type VariableKey } from '../train/variable-key.ts';

const opName = fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}(\/[a-z][a-z0-9_.]{0,8})?$/).filter((s) => !/(rowmask|_step@|stats@|#adam)/.test(s));
const bits = fc.integer({ min: 0, max: 32 });
const key: fc.Arbitrary<VariableKey> = fc.oneof(
  fc.record({ kind: fc.constant('param' as const), op: opName, param: fc.constantFrom('kernel', 'bias', 'gamma', 'beta', 'alpha') }),
  fc.record({ kind: fc.constant('weightStep' as const), op: opName, bits }),
  fc.record({ kind: fc.constant('activationStep' as const), op: opName, bits }),
  fc.record({ kind: fc.constant('bnStats' as const), op: opName, bits, stat: fc.constantFrom('mean' as const, 'variance' as const) }),
  fc.record({ kind: fc.constant('rowMask' as const), op: opName }),
);

describe('training variable keys (train/variable-key.ts)', () => {
  test.prop([key])('every key parses back from its name', (k) => {
    expect(parseKey(formatKey(k))).toEqual(k);
  });

  test.prop([key, fc.constantFrom('m' as const, 'v' as const)])('Adam moments wrap any other name', (k, moment) => {
    const adam = { kind: 'adam', moment, of: formatKey(k) } as const;
    expect(parseKey(formatKey(adam))).toEqual(adam);
  });

  it('writes the names stored checkpoints hold', () => {
    expect(formatKey({ kind: 'weightStep', op: 'fc1', bits: 8 })).toBe('fc1/lsq_step@8');
    expect(formatKey({ kind: 'bnStats', op: 'conv.bn', bits: 16, stat: 'mean' })).toBe('conv.bn/stats@16/mean');
    expect(formatKey({ kind: 'adam', moment: 'v', of: 'fc3/kernel' })).toBe('fc3/kernel#adam_v');
  });
});
