/**
 * A map of layer (or op) name → bits, as a bits file or an ONNX file's `codesign.precision`
 * metadata writes it: bits (a number, the weight width) or `{ weightBits, activationBits }`
 * (either may be left out). One reader for both doors, so a width is checked the same way
 * wherever a user's file sets it.
 */
import type { FileIssue } from '../core/errors.ts';
import { MAX_BITS } from './builder.ts';
import type { Precision } from './graph.ts';

const bitsOk = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_BITS;

/**
 * Reads `raw` into name → partial precision; every problem goes to `issues` (path, value, what is
 * allowed) and its entry is left out. `names`, when given, are the only names allowed.
 */
export function precisionMapOf(raw: unknown, issues: FileIssue[], names?: readonly string[]): Record<string, Partial<Precision>> {
  const out: Record<string, Partial<Precision>> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: '(root)', value: raw, allowed: 'an object of layer name → bits' });
    return out;
  }
  for (const [layer, v] of Object.entries(raw)) {
    if (names && !names.includes(layer)) {
      issues.push({ path: layer, value: v, allowed: `a name of the model's ops (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})` });
      continue;
    }
    if (typeof v === 'number') {
      if (bitsOk(v)) out[layer] = { weightBits: v };
      else issues.push({ path: layer, value: v, allowed: `an integer from 1 to ${MAX_BITS}` });
      continue;
    }
    const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
    const keys = Object.keys(o);
    if (o !== v || keys.length === 0 || keys.some((k) => k !== 'weightBits' && k !== 'activationBits')) {
      issues.push({ path: layer, value: v, allowed: `bits (a number) or { "weightBits": 1–${MAX_BITS}, "activationBits": 1–${MAX_BITS} }` });
      continue;
    }
    let ok = true;
    for (const k of keys) {
      if (!bitsOk(o[k])) {
        issues.push({ path: `${layer}.${k}`, value: o[k], allowed: `an integer from 1 to ${MAX_BITS}` });
        ok = false;
      }
    }
    if (ok) out[layer] = { ...(o.weightBits !== undefined ? { weightBits: o.weightBits as number } : {}), ...(o.activationBits !== undefined ? { activationBits: o.activationBits as number } : {}) };
  }
  return out;
}
