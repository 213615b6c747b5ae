/**
 * A hardware description from a JSON file: the fields of a preset (`codesign presets --json`
 * prints the built-in ones), every problem listed at once. Values are checked for type and kind,
 * not sign: `codesign laws` is how a table's physics is checked, and it must be able to see a
 * negative energy to report it.
 */
import { readFileSync } from 'node:fs';
import { FileError, type FileIssue } from '../core/errors.ts';
import type { BitSource, HardwarePreset } from './presets.ts';

const BIT_SOURCES: readonly BitSource[] = ['weight', 'activation', 'max', 'geomean'];
const SCALINGS = ['mac', 'linear'] as const;
const RULES = ['proportional', 'iso-area', 'fixed'] as const;

export function validateHardware(raw: unknown, source: string): HardwarePreset {
  const issues: FileIssue[] = [];
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    issues.push({ path, value: v, allowed: 'an object' });
    return {};
  };
  const num = (o: Record<string, unknown>, key: string, path: string): number => {
    const v = o[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    issues.push({ path: `${path}.${key}`, value: v, allowed: 'a finite number' });
    return NaN;
  };
  const pick = <T extends string>(o: Record<string, unknown>, key: string, path: string, allowed: readonly T[]): T => {
    const v = o[key];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    issues.push({ path: `${path}.${key}`, value: v, allowed: allowed.join(', ') });
    return allowed[0];
  };
  const root = obj(raw, '(root)');
  const name = typeof root.name === 'string' && root.name.length > 0 ? root.name : (issues.push({ path: 'name', value: root.name, allowed: 'a non-empty string' }), '');
  const mac = obj(root.mac, 'mac');
  const main = obj(root.mainMemory, 'mainMemory');
  const local = obj(root.localBuffer, 'localBuffer');
  const off = obj(root.offChip, 'offChip');
  const par = obj(root.parallelism, 'parallelism');
  const pricing = obj(root.pricing, 'pricing');
  const promises = root.promises === undefined ? [] : Array.isArray(root.promises) && root.promises.every((p) => typeof p === 'string') ? (root.promises as string[]) : (issues.push({ path: 'promises', value: root.promises, allowed: 'a list of law names' }), []);
  const preset: HardwarePreset = {
    name,
    summary: typeof root.summary === 'string' ? root.summary : `hardware file ${source}`,
    mac: { alpha_pJ: num(mac, 'alpha_pJ', 'mac'), beta: num(mac, 'beta', 'mac'), referenceBits: num(mac, 'referenceBits', 'mac') },
    mainMemory: { relativeToMac: num(main, 'relativeToMac', 'mainMemory'), scaling: pick(main, 'scaling', 'mainMemory', SCALINGS) },
    localBuffer: { relativeToMac: num(local, 'relativeToMac', 'localBuffer'), scaling: pick(local, 'scaling', 'localBuffer', SCALINGS) },
    offChip: { relativeToMac: num(off, 'relativeToMac', 'offChip') },
    parallelism: { rule: pick(par, 'rule', 'parallelism', RULES), atReference: num(par, 'atReference', 'parallelism') },
    promises,
    pricing: {
      compute: pick(pricing, 'compute', 'pricing', BIT_SOURCES),
      weightMain: pick(pricing, 'weightMain', 'pricing', BIT_SOURCES),
      weightLocal: pick(pricing, 'weightLocal', 'pricing', BIT_SOURCES),
      activationMain: pick(pricing, 'activationMain', 'pricing', BIT_SOURCES),
      activationLocal: pick(pricing, 'activationLocal', 'pricing', BIT_SOURCES),
      parallelism: pick(pricing, 'parallelism', 'pricing', BIT_SOURCES),
    },
  };
  if (issues.length > 0) throw new FileError('hardware', source, issues);
  return preset;
}

export function loadHardware(file: string): HardwarePreset {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FileError('hardware', file, [{ path: '(file)', value: file, allowed: `a readable JSON hardware description (${(error as Error).message.split('\n')[0]})` }]);
  }
  return validateHardware(raw, file);
}
