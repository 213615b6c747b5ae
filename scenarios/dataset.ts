/**
 * Datasets of a scenario, per split, seeded: the same scenario and split give the same bytes.
 * MIMO samples hold N_U users' channels as [sample][re|im][N_T][N_U] (the precoder's input
 * layout); CSI samples hold [sample][re|im][rows][cols] in [0, 1].
 *
 * Cached on disk under a key that hashes the validated scenario content and the generator
 * version, so a rerun loads instead of regenerating and an edited scenario never reuses a stale
 * file. A file is written atomically (temp + rename) and ends in a SHA-256 of its contents; a
 * truncated or corrupted file is reported and regenerated, never used.
 */
import { InputError } from '../core/errors.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng, type Rng } from '../core/rng.ts';
import { cmat, type CMatrix } from '../linalg/complex.ts';
import type { Channel } from './channel.ts';
import { cdlTable, cdlUserRow } from './cdl.ts';
import { angularDelaySample, toUnitInterval } from './cost2100.ts';
import { POSITION_SHARES, type Scenario } from './schema.ts';
import { buildSite, type SiteModel } from './site.ts';
import { makeFolders, writeWhole } from '../core/files.ts';

export const GENERATOR_VERSION = 1;
export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface MimoDataset {
  readonly kind: 'mimo';
  readonly scenario: string;
  readonly split: SplitName;
  readonly count: number;
  readonly nt: number;
  readonly nu: number;
  readonly power: number;
  readonly noiseVar: number;
  /** [sample][re|im][N_T][N_U]: x[s,0,n,k] = Re H[k,n] (row k of H is h_kᴴ). */
  readonly data: Float32Array;
  /** Per sample and user: 1 when the user has a line-of-sight path. */
  readonly los: Uint8Array;
}

export interface CsiDataset {
  readonly kind: 'csi';
  readonly scenario: string;
  readonly split: SplitName;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** [sample][re|im][rows][cols], centred at 0.5. */
  readonly data: Float32Array;
}

export type Dataset = MimoDataset | CsiDataset;

/** A split that must hold MIMO channels (what precoders run on); a CSI scenario is refused by name. */
export function asMimo(ds: Dataset): MimoDataset {
  if (ds.kind !== 'mimo') throw new InputError('scenario', ds.scenario, 'allowed: a MIMO scenario (rayleigh, cdl or site); this one holds CSI for the codecs');
  return ds;
}

/** A split that must hold CSI images (what the codecs compress); a MIMO scenario is refused by name. */
export function asCsi(ds: Dataset): CsiDataset {
  if (ds.kind !== 'csi') throw new InputError('scenario', ds.scenario, 'allowed: a CSI scenario (cost2100-indoor, cost2100-outdoor) for a codec');
  return ds;
}

/** The channel of sample i, in float64. */
export function channelOf(ds: MimoDataset, i: number): Channel {
  const { nt, nu } = ds;
  const H = cmat(nu, nt);
  const base = i * 2 * nt * nu;
  for (let n = 0; n < nt; n++) {
    for (let k = 0; k < nu; k++) {
      H.re[k * nt + n] = ds.data[base + n * nu + k];
      H.im[k * nt + n] = ds.data[base + nt * nu + n * nu + k];
    }
  }
  return { H, power: ds.power, noiseVar: ds.noiseVar };
}

/** A dataset holding `channels` (one N_U × N_T matrix per sample) in `template`'s layout, power and noise: channelOf's inverse. */
export function datasetOfChannels(template: MimoDataset, channels: readonly CMatrix[]): MimoDataset {
  const { nt, nu } = template;
  const data = new Float32Array(channels.length * 2 * nt * nu);
  channels.forEach((H, i) => {
    if (H.rows !== nu || H.cols !== nt) throw new InputError('channels', `${H.rows}×${H.cols}`, `allowed: ${nu}×${nt} matrices, as ${template.scenario} holds`);
    const base = i * 2 * nt * nu;
    for (let n = 0; n < nt; n++) {
      for (let k = 0; k < nu; k++) {
        data[base + n * nu + k] = H.re[k * nt + n];
        data[base + nt * nu + n * nu + k] = H.im[k * nt + n];
      }
    }
  });
  return { ...template, count: channels.length, data, los: template.los.subarray(0, channels.length * nu) };
}

const sites = new Map<string, SiteModel>();

/** The site of a scenario, ray-traced once per process per site configuration. */
export function siteOf(s: Extract<Scenario, { model: 'site' }>): SiteModel {
  const key = JSON.stringify(s.site);
  let site = sites.get(key);
  if (!site) {
    site = buildSite(s.site);
    sites.set(key, site);
  }
  return site;
}

/** Positions a site scenario draws users from, and the scale that makes their mean per-antenna gain 1. */
export function eligiblePositions(s: Extract<Scenario, { model: 'site' }>): { indices: Int32Array; scale: number; site: SiteModel } {
  const site = siteOf(s);
  const nt = site.upa.ny * site.upa.nz;
  const keep: number[] = [];
  for (let k = 0; k < site.positions.length; k++) {
    if (site.pathCounts[k] === 0) continue;
    if (s.users === 'los' && site.los[k] !== 1) continue;
    if (s.users === 'nlos' && site.los[k] !== 0) continue;
    keep.push(k);
  }
  let mean = 0;
  for (const k of keep) {
    let g = 0;
    for (let n = 0; n < nt; n++) g += site.re[k * nt + n] ** 2 + site.im[k * nt + n] ** 2;
    mean += g / nt;
  }
  mean /= Math.max(1, keep.length);
  return { indices: Int32Array.from(keep), scale: keep.length > 0 ? 1 / Math.sqrt(mean) : 0, site };
}

/**
 * The eligible positions a split draws its users from: all of them under `holdout: groups`;
 * under `positions`, a seeded partition (POSITION_SHARES), so no test or validation user stands
 * where a training user stood.
 */
export function splitPositions(s: Extract<Scenario, { model: 'site' }>, split: SplitName): Int32Array {
  const { indices } = eligiblePositions(s);
  if (s.holdout === 'groups') return indices;
  const order = Int32Array.from(indices);
  const r = rng(s.seed).fork('positions');
  for (let i = order.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const train = Math.round(order.length * POSITION_SHARES.train);
  const validation = Math.round(order.length * POSITION_SHARES.validation);
  const [from, to] = split === 'train' ? [0, train] : split === 'validation' ? [train, train + validation] : [train + validation, order.length];
  return order.slice(from, to).sort();
}

function splitSeed(s: Scenario, split: SplitName): Rng {
  return rng(s.seed).fork(split);
}

/**
 * A split's samples. `epoch` draws a fresh training set instead (seeded per epoch, from a stream
 * of its own: the same epoch gives the same bytes, and no epoch reuses the fixed splits' draws).
 */
export function generateSplit(s: Scenario, split: SplitName, options: { readonly epoch?: number } = {}): Dataset {
  const count = s.split[split];
  const root = options.epoch === undefined ? splitSeed(s, split) : rng(s.seed).fork(`${split}-epoch-${options.epoch}`);
  if (s.model === 'cost2100') {
    const c = s.cost2100;
    const size = c.delayRows * c.antennas;
    const data = new Float32Array(count * 2 * size);
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    for (let i = 0; i < count; i++) {
      angularDelaySample(c, root.fork(i), re, im);
      toUnitInterval(re, im, data, i * 2 * size);
    }
    return { kind: 'csi', scenario: s.name, split, count, rows: c.delayRows, cols: c.antennas, data };
  }
  const nu = s.nu;
  const noiseVar = 10 ** (-s.snrDb / 10);
  const rows = (nt: number) => ({ re: new Float64Array(nu * nt), im: new Float64Array(nu * nt) });
  let nt: number;
  let fill: (r: Rng, re: Float64Array, im: Float64Array, los: Uint8Array, at: number) => void;
  if (s.model === 'rayleigh') {
    nt = s.nt;
    fill = (r, re, im) => {
      for (let i = 0; i < nu * nt; i++) {
        re[i] = Math.SQRT1_2 * r.normal();
        im[i] = Math.SQRT1_2 * r.normal();
      }
    };
  } else if (s.model === 'cdl') {
    const upa = { ny: s.array[0], nz: s.array[1], spacing: 0.5 };
    nt = upa.ny * upa.nz;
    const table = cdlTable(s.profile);
    fill = (r, re, im, los, at) => {
      re.fill(0);
      im.fill(0);
      for (let k = 0; k < nu; k++) {
        cdlUserRow(table, upa, s, r, re, im, k * nt);
        los[at + k] = table.los ? 1 : 0;
      }
    };
  } else {
    const { scale, site } = eligiblePositions(s);
    const indices = splitPositions(s, split);
    nt = site.upa.ny * site.upa.nz;
    if (indices.length < nu) {
      const where = s.holdout === 'positions' ? ` held by its ${split} split (holdout: positions gives it ${Math.round(POSITION_SHARES[split] * 100)}% of them; holdout: groups shares all)` : '';
      throw new InputError('nu', nu, `allowed: at most ${indices.length}, the eligible ${s.users} positions of scenario ${s.name}${where}`);
    }
    fill = (r, re, im, los, at) => {
      const chosen: number[] = [];
      while (chosen.length < nu) {
        const k = indices[r.int(indices.length)];
        if (!chosen.includes(k)) chosen.push(k);
      }
      chosen.forEach((k, u) => {
        for (let n = 0; n < nt; n++) {
          re[u * nt + n] = site.re[k * nt + n] * scale;
          im[u * nt + n] = site.im[k * nt + n] * scale;
        }
        los[at + u] = site.los[k];
      });
    };
  }
  const data = new Float32Array(count * 2 * nt * nu);
  const los = new Uint8Array(count * nu);
  const buf = rows(nt);
  for (let i = 0; i < count; i++) {
    fill(root.fork(i), buf.re, buf.im, los, i * nu);
    const base = i * 2 * nt * nu;
    for (let k = 0; k < nu; k++) {
      for (let n = 0; n < nt; n++) {
        data[base + n * nu + k] = buf.re[k * nt + n];
        data[base + nt * nu + n * nu + k] = buf.im[k * nt + n];
      }
    }
  }
  return { kind: 'mimo', scenario: s.name, split, count, nt, nu, power: 1, noiseVar, data, los };
}

// ---- cache -----------------------------------------------------------------------------

const MAGIC = Buffer.from('CODESIGN-DATASET-1\n');
export const DEFAULT_CACHE_DIR = process.env.CODESIGN_CACHE_DIR ?? fileURLToPath(new URL('../.cache/datasets/', import.meta.url));

export function cacheKey(s: Scenario, split: SplitName): string {
  return createHash('sha256').update(JSON.stringify({ generator: GENERATOR_VERSION, scenario: s, split })).digest('hex').slice(0, 24);
}

export function cachePath(s: Scenario, split: SplitName, dir = DEFAULT_CACHE_DIR): string {
  const path = resolve(dir, `${s.name}-${split}-${cacheKey(s, split)}.bin`);
  // A scenario's name is checked as an identifier; this keeps every cache file in its folder whatever calls it.
  if (dirname(path) !== resolve(dir)) throw new InputError('name', s.name, `allowed: a name that keeps the cache file inside ${resolve(dir)}`);
  return path;
}

function encode(ds: Dataset, key: string): Buffer {
  const { data, ...meta } = ds;
  const losBytes = ds.kind === 'mimo' ? ds.los : new Uint8Array(0);
  const header = Buffer.from(JSON.stringify({ ...meta, los: undefined, key, littleEndian: true, dataBytes: data.byteLength, losBytes: losBytes.byteLength }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const body = Buffer.concat([MAGIC, len, header, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.from(losBytes.buffer, losBytes.byteOffset, losBytes.byteLength)]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Decodes a cache file, or says why it cannot be used. */
export function decode(bytes: Buffer, key: string): Dataset | { problem: string } {
  if (bytes.length < MAGIC.length + 4 + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { problem: 'not a codesign dataset file' };
  const body = bytes.subarray(0, bytes.length - 32);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32))) return { problem: 'checksum mismatch (truncated or corrupted)' };
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8'));
  } catch {
    return { problem: 'unreadable header' };
  }
  if (header.key !== key) return { problem: 'written for another scenario or generator version' };
  const dataStart = start + headerLength;
  const dataBytes = header.dataBytes as number;
  const losBytes = header.losBytes as number;
  if (dataStart + dataBytes + losBytes !== body.length) return { problem: 'size does not match its header' };
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + dataStart + dataBytes));
  const { key: _k, littleEndian: _l, dataBytes: _d, losBytes: _b, ...meta } = header;
  if (meta.kind === 'mimo') {
    const los = new Uint8Array(bytes.buffer.slice(bytes.byteOffset + dataStart + dataBytes, bytes.byteOffset + dataStart + dataBytes + losBytes));
    return { ...(meta as Omit<MimoDataset, 'data' | 'los'>), data, los };
  }
  return { ...(meta as Omit<CsiDataset, 'data'>), data };
}

export interface LoadOptions {
  readonly cacheDir?: string;
  /** Told about cache hits, misses and regenerations (the CLI prints these on stderr). */
  readonly log?: (message: string) => void;
}

export function loadDataset(s: Scenario, split: SplitName, options: LoadOptions = {}): Dataset {
  const dir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const file = cachePath(s, split, dir);
  const key = cacheKey(s, split);
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError('cache', file, 'allowed: a cache file path; a directory is in its place (remove it, or set CODESIGN_CACHE_DIR)');
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError('cache', dir, 'allowed: a cache directory; a file is in its place (remove it, or set CODESIGN_CACHE_DIR)');
  if (existsSync(file)) {
    const decoded = decode(readFileSync(file), key);
    if (!('problem' in decoded)) {
      options.log?.(`loaded ${s.name}/${split} from cache ${file}`);
      return decoded;
    }
    options.log?.(`cache file ${file} is unusable: ${decoded.problem}; regenerating`);
  }
  const ds = generateSplit(s, split);
  makeFolders(dir);
  writeWhole(file, encode(ds, key));
  options.log?.(`generated ${s.name}/${split} (${ds.count} samples) into ${file}`);
  return ds;
}
