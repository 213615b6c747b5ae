/**
 * Scenario files: JSON, validated like zod's safeParse — every problem is collected and
 * reported at once, each naming the field, the value and what is allowed.
 */
import { INPUT_LIMITS, parseDataFile, readInput } from '../core/files.ts';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FileError, InputError, type FileIssue } from '../core/errors.ts';
import { CDL_PROFILES, type CdlProfileName } from './cdl.ts';
import { COST2100_INDOOR, COST2100_OUTDOOR, type Cost2100Config } from './cost2100.ts';
import type { SiteConfig } from './site.ts';

export interface Split {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

interface Common {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly split: Split;
}

export interface MimoCommon extends Common {
  readonly nu: number;
  /** Mean per-antenna SNR P·E‖h_k‖²/(N_T σ²), in dB; P = 1. */
  readonly snrDb: number;
}

export type Scenario =
  | (MimoCommon & { readonly model: 'rayleigh'; readonly nt: number })
  | (MimoCommon & {
      readonly model: 'cdl';
      readonly profile: CdlProfileName;
      readonly array: readonly [number, number];
      readonly azimuthOffsetDeg: number;
      readonly zenithOffsetDeg: number;
    })
  | (MimoCommon & { readonly model: 'site'; readonly users: 'los' | 'nlos' | 'all'; readonly holdout: Holdout; readonly site: SiteConfig })
  | (Common & { readonly model: 'cost2100'; readonly cost2100: Cost2100Config });

export const MODELS = ['rayleigh', 'cdl', 'site', 'cost2100'] as const;

/**
 * What a site scenario's test users have in common with its training users. `positions`: each
 * split draws its users from positions of its own (POSITION_SHARES of the eligible ones), so a
 * test rate is a rate at places training never saw. `groups`: every split draws new groups of
 * the same positions (a test then measures fit to seen channels; kept for comparison).
 */
export const HOLDOUTS = ['positions', 'groups'] as const;
export type Holdout = (typeof HOLDOUTS)[number];
/** Shares of a site's eligible positions held by train, validation and test under `positions`. */
export const POSITION_SHARES = { train: 0.6, validation: 0.2, test: 0.2 } as const;

export type ScenarioIssue = FileIssue;

/** A scenario file's problems, all of them. */
export class ScenarioError extends FileError {
  override readonly name = 'ScenarioError';
  constructor(source: string, issues: readonly ScenarioIssue[]) {
    super('scenario', source, issues);
  }
}

type Json = Record<string, unknown>;

class Checker {
  readonly issues: ScenarioIssue[] = [];
  number(obj: Json, key: string, path: string, o: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
    const v = obj[key];
    const where = path ? `${path}.${key}` : key;
    const bounds = [
      o.min !== undefined ? `${o.exclusiveMin ? '>' : '≥'} ${o.min}` : '',
      o.max !== undefined ? `≤ ${o.max}` : '',
    ].filter(Boolean).join(' and ');
    const allowed = `${o.integer ? 'an integer' : 'a finite number'}${bounds ? ' ' + bounds : ''}`;
    if (typeof v !== 'number' || !Number.isFinite(v) || (o.integer && !Number.isInteger(v)) ||
      (o.min !== undefined && (o.exclusiveMin ? v <= o.min : v < o.min)) || (o.max !== undefined && v > o.max)) {
      this.issues.push({ path: where, value: v, allowed });
      return NaN;
    }
    return v;
  }
  oneOf<T extends string>(obj: Json, key: string, path: string, allowed: readonly T[]): T {
    const v = obj[key];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.issues.push({ path: path ? `${path}.${key}` : key, value: v, allowed: allowed.join(', ') });
      return allowed[0];
    }
    return v as T;
  }
  /** A name that becomes part of a file name: letters, digits, '.', '_', '-', not starting with '.'. */
  identifier(obj: Json, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || !IDENTIFIER.test(v)) {
      this.issues.push({ path: path ? `${path}.${key}` : key, value: v, allowed: `a name matching ${IDENTIFIER} (it names cache files, so no '/', no '..', at most 64 characters)` });
      return '';
    }
    return v;
  }
  string(obj: Json, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || v.length === 0) {
      this.issues.push({ path: path ? `${path}.${key}` : key, value: v, allowed: 'a non-empty string' });
      return '';
    }
    return v;
  }
  object(obj: Json, key: string, path: string): Json {
    const v = obj[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.issues.push({ path: path ? `${path}.${key}` : key, value: v, allowed: 'an object' });
      return {};
    }
    return v as Json;
  }
  pair(obj: Json, key: string, path: string): [number, number] {
    const v = obj[key];
    if (!Array.isArray(v) || v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 1 || x > 64)) {
      this.issues.push({ path: path ? `${path}.${key}` : key, value: v, allowed: 'two integers [N_y, N_z] from 1 to 64' });
      return [1, 1];
    }
    return [v[0], v[1]];
  }
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Samples per split, and bytes of all three splits together: checked before anything is generated. */
export const MAX_SPLIT_SAMPLES = 1_000_000;
export const MAX_DATASET_BYTES = 4 * 2 ** 30;
/** Candidate user positions of a site (rings × angles): each is ray-traced. */
export const MAX_SITE_POSITIONS = 200_000;

/** Transmit antennas and users of a MIMO scenario (a CSI scenario has none: an error naming it). */
export function mimoSize(s: Scenario): { readonly nt: number; readonly nu: number } {
  if (s.model === 'cost2100') throw new InputError('scenario', s.name, 'allowed: a MIMO scenario (rayleigh, cdl or site); this one holds CSI for the codecs');
  return { nt: s.model === 'rayleigh' ? s.nt : s.model === 'cdl' ? s.array[0] * s.array[1] : s.site.array[0] * s.site.array[1], nu: s.nu };
}

/** Bytes one sample takes in memory (float32 planes, plus the LOS flags of a MIMO sample). */
export function sampleBytes(s: Scenario): number {
  if (s.model === 'cost2100') return 2 * s.cost2100.delayRows * s.cost2100.antennas * 4;
  const { nt, nu } = mimoSize(s);
  return 2 * nt * nu * 4 + nu;
}

/** Resource limits of a valid scenario: the sizes that drive memory and time. */
function checkLimits(s: Scenario, issues: ScenarioIssue[]): void {
  const total = s.split.train + s.split.validation + s.split.test;
  for (const split of ['train', 'validation', 'test'] as const) {
    if (s.split[split] > MAX_SPLIT_SAMPLES) issues.push({ path: `split.${split}`, value: s.split[split], allowed: `at most ${MAX_SPLIT_SAMPLES.toLocaleString('en-US')} samples` });
  }
  const bytes = total * sampleBytes(s);
  if (bytes > MAX_DATASET_BYTES) {
    issues.push({ path: 'split', value: total, allowed: `splits that fit in ${MAX_DATASET_BYTES / 2 ** 30} GB; these ${total.toLocaleString('en-US')} samples of ${sampleBytes(s).toLocaleString('en-US')} bytes would need ${(bytes / 2 ** 30).toFixed(1)} GB` });
  }
  if (s.model === 'site') {
    const { min_m, max_m, step_m } = s.site.rings;
    const positions = (Math.floor((max_m - min_m) / step_m) + 1) * Math.ceil(360 / s.site.angleStep_deg);
    if (positions > MAX_SITE_POSITIONS) issues.push({ path: 'site.rings.step_m', value: step_m, allowed: `a step giving at most ${MAX_SITE_POSITIONS.toLocaleString('en-US')} candidate positions with angleStep_deg ${s.site.angleStep_deg} (this one gives ${positions.toExponential(2)})` });
  }
}

export function validateScenario(raw: unknown, source: string): Scenario {
  const c = new Checker();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError(source, [{ path: '(root)', value: raw, allowed: 'a JSON object' }]);
  const o = raw as Json;
  const model = c.oneOf(o, 'model', '', MODELS);
  const splitObj = c.object(o, 'split', '');
  const common = {
    name: c.identifier(o, 'name', ''),
    description: typeof o.description === 'string' ? o.description : '',
    seed: c.number(o, 'seed', '', { integer: true, min: 0, max: 0xffffffff }),
    split: {
      train: c.number(splitObj, 'train', 'split', { integer: true, min: 0 }),
      validation: c.number(splitObj, 'validation', 'split', { integer: true, min: 0 }),
      test: c.number(splitObj, 'test', 'split', { integer: true, min: 1 }),
    },
  };
  let scenario: Scenario;
  if (model === 'cost2100') {
    const env = c.oneOf(o, 'environment', '', ['indoor', 'outdoor'] as const);
    const defaults = env === 'indoor' ? COST2100_INDOOR : COST2100_OUTDOOR;
    const overrides = (o.cost2100 ?? {}) as Json;
    const merged = { ...defaults, ...overrides } as Json;
    const k = 'cost2100';
    const cost: Cost2100Config = {
      environment: env,
      carrierHz: c.number(merged, 'carrierHz', k, { min: 0, exclusiveMin: true }),
      bandwidthHz: c.number(merged, 'bandwidthHz', k, { min: 0, exclusiveMin: true }),
      antennas: c.number(merged, 'antennas', k, { integer: true, min: 1, max: 1024 }),
      subcarriers: c.number(merged, 'subcarriers', k, { integer: true, min: 1, max: 4096 }),
      delayRows: c.number(merged, 'delayRows', k, { integer: true, min: 1, max: 1024 }),
      clusters: {
        min: c.number(c.object(merged, 'clusters', k), 'min', `${k}.clusters`, { integer: true, min: 1, max: 1000 }),
        max: c.number(c.object(merged, 'clusters', k), 'max', `${k}.clusters`, { integer: true, min: 1, max: 1000 }),
      },
      clusterDelayMean_s: c.number(merged, 'clusterDelayMean_s', k, { min: 0 }),
      intraClusterDelay_s: c.number(merged, 'intraClusterDelay_s', k, { min: 0 }),
      powerDecay_s: c.number(merged, 'powerDecay_s', k, { min: 0, exclusiveMin: true }),
      angleRangeDeg: c.number(merged, 'angleRangeDeg', k, { min: 0, max: 90 }),
      angularSpreadDeg: c.number(merged, 'angularSpreadDeg', k, { min: 0 }),
      shadowingDb: c.number(merged, 'shadowingDb', k, { min: 0 }),
    };
    if (cost.delayRows > cost.subcarriers) c.issues.push({ path: 'cost2100.delayRows', value: cost.delayRows, allowed: `at most subcarriers (${cost.subcarriers})` });
    if (cost.clusters.min > cost.clusters.max) c.issues.push({ path: 'cost2100.clusters.min', value: cost.clusters.min, allowed: `at most clusters.max (${cost.clusters.max})` });
    scenario = { ...common, model, cost2100: cost };
  } else {
    const mimo = {
      ...common,
      nu: c.number(o, 'nu', '', { integer: true, min: 1, max: 64 }),
      snrDb: c.number(o, 'snrDb', '', { min: -50, max: 80 }),
    };
    if (model === 'rayleigh') {
      scenario = { ...mimo, model, nt: c.number(o, 'nt', '', { integer: true, min: 1, max: 4096 }) };
    } else if (model === 'cdl') {
      scenario = {
        ...mimo,
        model,
        profile: c.oneOf(o, 'profile', '', CDL_PROFILES),
        array: c.pair(o, 'array', ''),
        azimuthOffsetDeg: c.number(o, 'azimuthOffsetDeg', '', { min: 0, max: 180 }),
        zenithOffsetDeg: c.number(o, 'zenithOffsetDeg', '', { min: 0, max: 90 }),
      };
    } else {
      const s = c.object(o, 'site', '');
      const b = c.object(s, 'buildings', 'site');
      const rings = c.object(s, 'rings', 'site');
      const site: SiteConfig = {
        seed: c.number(s, 'seed', 'site', { integer: true, min: 0 }),
        extent_m: c.number(s, 'extent_m', 'site', { min: 0, exclusiveMin: true }),
        buildings: {
          count: c.number(b, 'count', 'site.buildings', { integer: true, min: 0, max: 2000 }),
          minSide_m: c.number(b, 'minSide_m', 'site.buildings', { min: 0, exclusiveMin: true }),
          maxSide_m: c.number(b, 'maxSide_m', 'site.buildings', { min: 0, exclusiveMin: true }),
          minHeight_m: c.number(b, 'minHeight_m', 'site.buildings', { min: 0, exclusiveMin: true }),
          maxHeight_m: c.number(b, 'maxHeight_m', 'site.buildings', { min: 0, exclusiveMin: true }),
          clearRadius_m: c.number(b, 'clearRadius_m', 'site.buildings', { min: 0 }),
        },
        carrierHz: c.number(s, 'carrierHz', 'site', { min: 0, exclusiveMin: true }),
        bsHeight_m: c.number(s, 'bsHeight_m', 'site', { min: 0, exclusiveMin: true }),
        userHeight_m: c.number(s, 'userHeight_m', 'site', { min: 0, exclusiveMin: true }),
        array: c.pair(s, 'array', 'site'),
        rings: {
          min_m: c.number(rings, 'min_m', 'site.rings', { min: 0, exclusiveMin: true }),
          max_m: c.number(rings, 'max_m', 'site.rings', { min: 0, exclusiveMin: true }),
          step_m: c.number(rings, 'step_m', 'site.rings', { min: 0, exclusiveMin: true }),
        },
        angleStep_deg: c.number(s, 'angleStep_deg', 'site', { min: 0, exclusiveMin: true, max: 360 }),
        reflectionLoss_dB: c.number(s, 'reflectionLoss_dB', 'site', { min: 0 }),
        maxReflectionOrder: c.number(s, 'maxReflectionOrder', 'site', { integer: true, min: 1, max: 2 }) as 1 | 2,
        scatterersPerWall: c.number(s, 'scatterersPerWall', 'site', { integer: true, min: 0, max: 100 }),
        scatteringLoss_dB: c.number(s, 'scatteringLoss_dB', 'site', { min: 0 }),
        txPower_W: c.number(s, 'txPower_W', 'site', { min: 0, exclusiveMin: true }),
        systemLoss_dB: c.number(s, 'systemLoss_dB', 'site', { min: 0 }),
        bandwidthHz: c.number(s, 'bandwidthHz', 'site', { min: 0, exclusiveMin: true }),
        noiseFigure_dB: c.number(s, 'noiseFigure_dB', 'site', { min: 0 }),
      };
      if (site.buildings.minSide_m > site.buildings.maxSide_m) c.issues.push({ path: 'site.buildings.minSide_m', value: site.buildings.minSide_m, allowed: `at most maxSide_m (${site.buildings.maxSide_m})` });
      if (site.rings.min_m > site.rings.max_m) c.issues.push({ path: 'site.rings.min_m', value: site.rings.min_m, allowed: `at most max_m (${site.rings.max_m})` });
      const holdout = o.holdout === undefined ? 'positions' : c.oneOf(o, 'holdout', '', HOLDOUTS);
      scenario = { ...mimo, model, users: c.oneOf(o, 'users', '', ['los', 'nlos', 'all'] as const), holdout, site };
    }
  }
  if (c.issues.length === 0) checkLimits(scenario, c.issues);
  if (c.issues.length > 0) throw new ScenarioError(source, c.issues);
  return scenario;
}

export const NAMED_DIR = fileURLToPath(new URL('./named/', import.meta.url));

export function namedScenarios(): string[] {
  return readdirSync(NAMED_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A named scenario (scenarios/named/NAME.json) or a path to a scenario file. */
export function loadScenario(nameOrFile: string): Scenario {
  const named = namedScenarios();
  const isNamed = named.includes(nameOrFile);
  const file = isNamed ? `${NAMED_DIR}${nameOrFile}.json` : nameOrFile;
  const what = `a named scenario (${named.join(', ')}) or a readable JSON file`;
  let text: string;
  try {
    text = readInput(file, 'scenario', INPUT_LIMITS.scenario, what).toString('utf8');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new ScenarioError(nameOrFile, [{ path: '(file)', value: nameOrFile, allowed: error.allowed.replace(/^allowed: /, '') }]);
  }
  let raw: unknown;
  try {
    raw = parseDataFile(text, file, 'scenario', 'valid JSON', JSON.parse);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new ScenarioError(nameOrFile, [{ path: '(json)', value: nameOrFile, allowed: error.allowed.replace(/^allowed: /, '') }]);
  }
  return validateScenario(raw, nameOrFile);
}
