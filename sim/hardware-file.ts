/**
 * A hardware description from a JSON or YAML file: an energy table, in the paper's relative form
 * (the fields `codesign presets --json` prints for kasalaee2025) or in absolute pJ per action
 * (`form: absolute`), and optionally the machine (`architecture`: array, buffers, bandwidth,
 * clock, word width) the engine simulates. Every problem is listed at once, naming the field,
 * the value and what is allowed; nothing is used from a file with a problem.
 *
 * Energies are checked for type and kind, not sign: `codesign laws` is how a table's physics is
 * checked, and it must be able to see a negative energy to report it. Sizes, bandwidths, clock
 * and word width are checked for sign here: a machine with a 0-bit word cannot be simulated.
 */
import { existsSync } from 'node:fs';
import { INPUT_LIMITS, parseDataFile, readInput } from '../core/files.ts';
import { extname } from 'node:path';
import { createRequire } from 'node:module';
import { FileError, InputError, type FileIssue } from '../core/errors.ts';
import { datapathOf, type Datapath } from './datapath.ts';
import type { AbsoluteEnergy, Architecture, BitSource, EnergyPoint, HardwarePreset, PerBit } from './hardware.ts';
import { DATAFLOWS, PACKINGS } from './engine/config.ts';

const BIT_SOURCES: readonly BitSource[] = ['weight', 'activation', 'max', 'geomean'];
const SCALINGS = ['mac', 'linear'] as const;
const RULES = ['proportional', 'iso-area', 'fixed'] as const;
const FORMS = ['relative', 'absolute'] as const;
const COMMON_FIELDS = ['name', 'summary', 'sources', 'form', 'parallelism', 'promises', 'pricing', 'architecture'];
const RELATIVE_FIELDS = ['mac', 'mainMemory', 'localBuffer', 'offChip'];
const PRICING_FIELDS = ['compute', 'weightMain', 'weightLocal', 'activationMain', 'activationLocal', 'parallelism'] as const;

/**
 * What a file may say, generous bounds far beyond any real machine, so that every product the
 * tool forms (energy × accesses × bits, cycles × clock) stays a finite number.
 */
export const HARDWARE_BOUNDS = {
  /** pJ per action or per bit (a 64-bit DRAM access is ~2,000 pJ). */
  pJ: 1e6,
  /** relativeToMac factors. */
  relative: 1e6,
  /** β and the absolute form's exponent: energy ∝ bits^exponent. */
  exponent: 8,
  /** Bits of the reference width and of a MAC table's points. */
  bits: 64,
  /** Processing elements at the reference width (= rows × cols with an architecture). */
  pes: 1 << 20,
  /** Rows or columns of the array. */
  edge: 4096,
  /** KB of a buffer or of main memory (1 TB). */
  kb: 2 ** 30,
  /** Words a cycle of bandwidth. */
  bandwidth: 1e6,
  /** Clock in MHz (1 THz). */
  clockMHz: 1e6,
} as const;
const B = HARDWARE_BOUNDS;

type Obj = Record<string, unknown>;

/** The reader's tools: each records a problem and returns a placeholder so reading goes on. */
function reader(issues: FileIssue[]) {
  const obj = (v: unknown, path: string): Obj => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    issues.push({ path, value: v, allowed: 'an object' });
    return {};
  };
  const known = (o: Obj, path: string, fields: readonly string[]) => {
    for (const key of Object.keys(o)) if (!fields.includes(key)) issues.push({ path: path === '' ? key : `${path}.${key}`, value: o[key], allowed: `one of the fields ${fields.join(', ')}` });
  };
  /** A finite number within ±`bound`: a table's products (energy × accesses) must stay finite. */
  const num = (o: Obj, key: string, path: string, bound: number, unit = ''): number => {
    const v = o[key];
    if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= bound) return v;
    issues.push({ path: `${path}.${key}`, value: v, allowed: `a number from −${bound.toLocaleString('en-US')} to ${bound.toLocaleString('en-US')}${unit}` });
    return NaN;
  };
  const positive = (o: Obj, key: string, path: string, max: number, integer = false): number => {
    const v = o[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max && (!integer || Number.isInteger(v))) return v;
    issues.push({ path: `${path}.${key}`, value: v, allowed: `${integer ? 'an integer from 1' : 'a number > 0 and'} to ${max.toLocaleString('en-US')}` });
    return NaN;
  };
  const pick = <T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T => {
    const v = o[key];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    issues.push({ path: `${path}.${key}`, value: v, allowed: allowed.join(', ') });
    return allowed[0];
  };
  const strings = (v: unknown, path: string, what: string): string[] => {
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    issues.push({ path, value: v, allowed: what });
    return [];
  };
  const problem = (path: string, value: unknown, allowed: string) => issues.push({ path, value, allowed });
  return { obj, known, num, positive, pick, strings, problem };
}

export function validateHardware(raw: unknown, source: string): HardwarePreset {
  const issues: FileIssue[] = [];
  const { obj, known, num, positive, pick, strings } = reader(issues);
  const root = obj(raw, '(root)');
  const form = root.form === undefined ? 'relative' : pick(root, 'form', '(root)', FORMS);
  known(root, '', [...COMMON_FIELDS, ...(form === 'relative' ? RELATIVE_FIELDS : ['absolute'])]);
  const name = typeof root.name === 'string' && root.name.length > 0 ? root.name : (issues.push({ path: 'name', value: root.name, allowed: 'a non-empty string' }), '');
  if (root.summary !== undefined && typeof root.summary !== 'string') issues.push({ path: 'summary', value: root.summary, allowed: 'a string' });
  const par = obj(root.parallelism, 'parallelism');
  known(par, 'parallelism', ['rule', 'atReference']);
  const pricingRaw = obj(root.pricing, 'pricing');
  known(pricingRaw, 'pricing', PRICING_FIELDS);
  const pricing = Object.fromEntries(PRICING_FIELDS.map((k) => [k, pick(pricingRaw, k, 'pricing', BIT_SOURCES)])) as unknown as HardwarePreset['pricing'];
  const base = {
    name,
    summary: typeof root.summary === 'string' ? root.summary : `hardware file ${source}`,
    parallelism: { rule: pick(par, 'rule', 'parallelism', RULES), atReference: positive(par, 'atReference', 'parallelism', B.pes, true) },
    promises: strings(root.promises, 'promises', 'a list of law names'),
    pricing,
    sources: strings(root.sources, 'sources', 'a list of strings (where each number comes from)'),
    ...(root.architecture !== undefined ? { architecture: architectureOf(obj(root.architecture, 'architecture'), reader(issues)) } : {}),
  };
  let preset: HardwarePreset;
  if (form === 'absolute') {
    preset = { ...base, form: 'absolute', absolute: absoluteOf(obj(root.absolute, 'absolute'), reader(issues)) };
  } else {
    const mac = obj(root.mac, 'mac');
    const main = obj(root.mainMemory, 'mainMemory');
    const local = obj(root.localBuffer, 'localBuffer');
    const off = obj(root.offChip, 'offChip');
    known(mac, 'mac', ['alpha_pJ', 'beta', 'referenceBits']);
    known(main, 'mainMemory', ['relativeToMac', 'scaling']);
    known(local, 'localBuffer', ['relativeToMac', 'scaling']);
    known(off, 'offChip', ['relativeToMac']);
    preset = {
      ...base,
      mac: { alpha_pJ: num(mac, 'alpha_pJ', 'mac', B.pJ, ' pJ'), beta: num(mac, 'beta', 'mac', B.exponent), referenceBits: positive(mac, 'referenceBits', 'mac', B.bits, true) },
      mainMemory: { relativeToMac: num(main, 'relativeToMac', 'mainMemory', B.relative), scaling: pick(main, 'scaling', 'mainMemory', SCALINGS) },
      localBuffer: { relativeToMac: num(local, 'relativeToMac', 'localBuffer', B.relative), scaling: pick(local, 'scaling', 'localBuffer', SCALINGS) },
      offChip: { relativeToMac: num(off, 'relativeToMac', 'offChip', B.relative) },
    };
  }
  const a = preset.architecture;
  if (a && Number.isFinite(preset.parallelism.atReference) && Number.isFinite(a.rows * a.cols) && preset.parallelism.atReference !== a.rows * a.cols) {
    issues.push({ path: 'parallelism.atReference', value: preset.parallelism.atReference, allowed: `the architecture's p = rows × cols = ${a.rows * a.cols}` });
  }
  if (issues.length > 0) throw new FileError('hardware', source, issues);
  return preset;
}

function absoluteOf(t: Obj, r: ReturnType<typeof reader>): AbsoluteEnergy {
  r.known(t, 'absolute', ['mac', 'multiply', 'add', 'exponent', 'localBuffer', 'mainMemory', 'offChip', 'referenceBits']);
  const points = (key: string): EnergyPoint[] | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0) {
      r.problem(`absolute.${key}`, v, 'a non-empty list of { bits, pJ } points');
      return [];
    }
    const table = v.map((p, i) => {
      const o = r.obj(p, `absolute.${key}[${i}]`);
      r.known(o, `absolute.${key}[${i}]`, ['bits', 'pJ']);
      return { bits: r.positive(o, 'bits', `absolute.${key}[${i}]`, B.bits, true), pJ: r.num(o, 'pJ', `absolute.${key}[${i}]`, B.pJ, ' pJ') };
    });
    // Two energies for one width: which one a MAC costs would depend on the table's order.
    table.forEach((p, i) => {
      if (Number.isFinite(p.bits) && table.findIndex((q) => q.bits === p.bits) < i) r.problem(`absolute.${key}[${i}].bits`, p.bits, `a width not already in the table (each width once)`);
    });
    return table;
  };
  const perBit = (key: string): PerBit => {
    const o = r.obj(t[key], `absolute.${key}`);
    r.known(o, `absolute.${key}`, ['readPJPerBit', 'writePJPerBit']);
    return { readPJPerBit: r.num(o, 'readPJPerBit', `absolute.${key}`, B.pJ, ' pJ'), writePJPerBit: r.num(o, 'writePJPerBit', `absolute.${key}`, B.pJ, ' pJ') };
  };
  const mac = points('mac');
  const multiply = points('multiply');
  const add = points('add');
  const whole = mac !== undefined && multiply === undefined && add === undefined;
  const parts = mac === undefined && multiply !== undefined && add !== undefined;
  if (!whole && !parts) r.problem('absolute.mac', t.mac, 'either a mac table, or both multiply and add tables (a MAC = one multiply + one add)');
  return {
    ...(mac ? { mac } : {}),
    ...(multiply ? { multiply } : {}),
    ...(add ? { add } : {}),
    exponent: r.num(t, 'exponent', 'absolute', B.exponent),
    localBuffer: perBit('localBuffer'),
    mainMemory: perBit('mainMemory'),
    offChip: perBit('offChip'),
    referenceBits: r.positive(t, 'referenceBits', 'absolute', B.bits, true),
  };
}

function architectureOf(a: Obj, r: ReturnType<typeof reader>): Architecture {
  const at = 'architecture';
  r.known(a, at, ['rows', 'cols', 'dataflow', 'localBuffersKB', 'mainMemoryKB', 'bandwidthWordsPerCycle', 'clockMHz', 'wordBits', 'packing', 'datapath']);
  let datapath: Datapath | undefined;
  if (a.datapath !== undefined) {
    try {
      datapath = datapathOf(a.datapath, `${at}.datapath`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      r.problem(error.field, error.value, error.allowed);
    }
  }
  const buffers = r.obj(a.localBuffersKB, `${at}.localBuffersKB`);
  r.known(buffers, `${at}.localBuffersKB`, ['ifmap', 'filter', 'output']);
  const rows = r.positive(a, 'rows', at, B.edge, true);
  const cols = r.positive(a, 'cols', at, B.edge, true);
  const wordBits = r.positive(a, 'wordBits', at, B.bits, true);
  const bandwidth = a.bandwidthWordsPerCycle === 'unlimited' ? Infinity : r.positive(a, 'bandwidthWordsPerCycle', at, B.bandwidth);
  const kb = (operand: 'ifmap' | 'filter' | 'output'): number => {
    const size = r.positive(buffers, operand, `${at}.localBuffersKB`, B.kb);
    const words = (size * 1024 * 8) / wordBits;
    // Each half (active, prefetch) must hold one array edge of a fold (told only when the edges are known).
    const least = 2 * Math.max(rows, cols);
    if (Number.isFinite(words) && Number.isFinite(least) && !(Number.isInteger(words) && words >= least)) {
      r.problem(`${at}.localBuffersKB.${operand}`, size, `a size of whole ${wordBits}-bit words, at least ${least} of them (2 × max(rows, cols): an active and a prefetch half, each one array edge of a fold); this is ${words} words`);
    }
    return size;
  };
  return {
    rows,
    cols,
    dataflow: r.pick(a, 'dataflow', at, DATAFLOWS),
    localBuffersKB: { ifmap: kb('ifmap'), filter: kb('filter'), output: kb('output') },
    mainMemoryKB: r.positive(a, 'mainMemoryKB', at, B.kb),
    bandwidthWordsPerCycle: bandwidth,
    clockMHz: r.positive(a, 'clockMHz', at, B.clockMHz),
    wordBits,
    packing: r.pick(a, 'packing', at, PACKINGS),
    ...(datapath ? { datapath } : {}),
  };
}

/**
 * The energies a table prices with must be ≥ 0 (and energy must not fall with width: β and the
 * exponent ≥ 0). A file is read without this (`codesign laws` must see a negative energy to say
 * which law it breaks); the commands that print energies refuse such a table with this list.
 */
export function requirePriceable(preset: HardwarePreset, source: string): HardwarePreset {
  const issues = unpriceable(preset, source);
  if (issues.length > 0) throw new FileError('hardware', source, issues);
  return preset;
}

/** The entries of a table that make it unpriceable (negative energies, exponents, factors); empty when none. */
export function unpriceable(preset: HardwarePreset, source: string): FileIssue[] {
  const issues: FileIssue[] = [];
  const nonNegative = (path: string, v: number, what: string) => {
    if (v < 0) issues.push({ path, value: v, allowed: `${what} ≥ 0 (a negative energy cannot be priced; \`codesign laws --hardware ${source}\` says which laws it breaks)` });
  };
  if (preset.form === 'absolute') {
    const t = preset.absolute;
    for (const key of ['mac', 'multiply', 'add'] as const) t[key]?.forEach((p, i) => nonNegative(`absolute.${key}[${i}].pJ`, p.pJ, 'an energy'));
    nonNegative('absolute.exponent', t.exponent, 'an exponent');
    for (const key of ['localBuffer', 'mainMemory', 'offChip'] as const) {
      nonNegative(`absolute.${key}.readPJPerBit`, t[key].readPJPerBit, 'an energy');
      nonNegative(`absolute.${key}.writePJPerBit`, t[key].writePJPerBit, 'an energy');
    }
  } else {
    nonNegative('mac.alpha_pJ', preset.mac.alpha_pJ, 'an energy');
    nonNegative('mac.beta', preset.mac.beta, 'an exponent');
    nonNegative('mainMemory.relativeToMac', preset.mainMemory.relativeToMac, 'a factor');
    nonNegative('localBuffer.relativeToMac', preset.localBuffer.relativeToMac, 'a factor');
    nonNegative('offChip.relativeToMac', preset.offChip.relativeToMac, 'a factor');
  }
  return issues;
}

/** Parses a hardware file: YAML when it is named .yaml or .yml, JSON otherwise. */
export function loadHardware(file: string): HardwarePreset {
  const yaml = /^\.ya?ml$/i.test(extname(file));
  const what = `a readable ${yaml ? 'YAML' : 'JSON'} hardware description`;
  const text = readInput(file, 'hardware', INPUT_LIMITS.hardware, what).toString('utf8');
  // yaml is loaded for a YAML file only (30 ms of every start otherwise).
  const parse = yaml ? (t: string) => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(t, { maxAliasCount: 1000 }) : JSON.parse;
  const raw = parseDataFile(text, file, 'hardware', what, parse);
  return validateHardware(raw, file);
}

/** A shipped table by name (hardware/NAME.json), else a file path. */
export function hardwareByNameOrFile(nameOrFile: string, shipped: readonly HardwarePreset[]): HardwarePreset {
  const named = shipped.find((p) => p.name === nameOrFile);
  if (named) return named;
  if (!existsSync(nameOrFile)) {
    throw new FileError('hardware', nameOrFile, [{ path: '(file)', value: nameOrFile, allowed: `a shipped table (${shipped.map((p) => p.name).join(', ')}) or a JSON/YAML hardware file` }]);
  }
  return loadHardware(nameOrFile);
}
