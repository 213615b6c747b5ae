/**
 * The results store: an embedded DuckDB file holding every evaluated design point with its full
 * configuration and a content hash. Points are written as soon as they are evaluated (each
 * insert commits), so a search killed midway loses only the points in flight, and a rerun skips
 * what is stored. A file that is not a DuckDB database, or a DuckDB database not written by this
 * tool, is reported with its path and never modified.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../core/errors.ts';
import type { PrecoderHead } from '../nets/heads.ts';

export const STORE_FORMAT = 'codesign-results-2';
/** Stores of format 1 predate the head axis: they are upgraded in place (every point is the direct head's). */
const OLDER_FORMATS = ['codesign-results-1'];

export interface StoredPoint {
  readonly hash: string;
  readonly experiment: string;
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly number[];
  readonly preset: string;
  readonly energy_uJ: number;
  readonly sumRate: number;
  readonly quality: string;
  readonly config: unknown;
}

/** The content hash of a point's full configuration (canonical JSON). */
export function pointHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 32);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class ResultsStore {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<ResultsStore> {
    const existed = existsSync(path);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      throw new InputError('db', path, `allowed: a codesign results database or a new path (${(error as Error).message})`);
    }
    const db = await instance.connect();
    const tables = (await db.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")).getRowObjects().map((r) => String(r.table_name));
    if (existed && tables.length > 0) {
      const meta = tables.includes('codesign_meta') ? (await db.runAndReadAll('SELECT format FROM codesign_meta')).getRowObjects()[0]?.format : undefined;
      if (OLDER_FORMATS.includes(String(meta))) {
        await db.run("ALTER TABLE points ADD COLUMN head VARCHAR DEFAULT 'direct'");
        await db.run(`UPDATE codesign_meta SET format = '${STORE_FORMAT}'`);
      } else if (meta !== STORE_FORMAT) {
        db.closeSync();
        instance.closeSync();
        throw new InputError('db', path, `allowed: a database written by codesign (format ${STORE_FORMAT}); this one holds other tables (${tables.join(', ')})`);
      }
    } else {
      await db.run('CREATE TABLE codesign_meta (format VARCHAR)');
      await db.run(`INSERT INTO codesign_meta VALUES ('${STORE_FORMAT}')`);
      await db.run(`CREATE TABLE points (
        hash VARCHAR PRIMARY KEY, experiment VARCHAR, cout INTEGER, dfcl INTEGER, bits VARCHAR, preset VARCHAR,
        energy_uJ DOUBLE, sum_rate DOUBLE, efficiency DOUBLE, quality VARCHAR, config VARCHAR, created TIMESTAMP DEFAULT current_timestamp, head VARCHAR DEFAULT 'direct')`);
    }
    return new ResultsStore(path, instance, db);
  }

  async hashes(): Promise<Set<string>> {
    return new Set((await this.db.runAndReadAll('SELECT hash FROM points')).getRowObjects().map((r) => String(r.hash)));
  }

  async put(p: StoredPoint): Promise<void> {
    await this.putMany([p]);
  }

  /** Stores points in one statement: all of them or none (a table's rates arrive faster than single commits). */
  async putMany(points: readonly StoredPoint[]): Promise<void> {
    if (points.length === 0) return;
    const columns = 12;
    const rows = points.map((_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`);
    const prepared = await this.db.prepare(`INSERT OR REPLACE INTO points (hash, experiment, head, cout, dfcl, bits, preset, energy_uJ, sum_rate, efficiency, quality, config) VALUES ${rows.join(', ')}`);
    prepared.bind(points.flatMap((p) => [p.hash, p.experiment, p.head, p.cout, p.dfcl, p.bits.join(','), p.preset, p.energy_uJ, p.sumRate, p.sumRate / p.energy_uJ, p.quality, canonicalJson(p.config)]));
    await prepared.run();
  }

  async all(experiment?: string): Promise<StoredPoint[]> {
    const rows = (await this.db.runAndReadAll(`SELECT * FROM points ${experiment ? 'WHERE experiment = $1' : ''} ORDER BY head, cout, dfcl, bits`, experiment ? [experiment] : [])).getRowObjects();
    return rows.map((r) => ({
      hash: String(r.hash),
      experiment: String(r.experiment),
      head: String(r.head) as PrecoderHead,
      cout: Number(r.cout),
      dfcl: Number(r.dfcl),
      bits: String(r.bits).split(',').map(Number),
      preset: String(r.preset),
      energy_uJ: Number(r.energy_uJ),
      sumRate: Number(r.sum_rate),
      quality: String(r.quality),
      config: JSON.parse(String(r.config)),
    }));
  }

  async export(file: string, format: 'csv' | 'parquet'): Promise<number> {
    const n = Number((await this.db.runAndReadAll('SELECT count(*) AS n FROM points')).getRowObjects()[0].n);
    const target = file.replace(/'/g, "''");
    await this.db.run(`COPY (SELECT hash, experiment, head, cout, dfcl, bits, preset, energy_uJ, sum_rate, efficiency, quality, config FROM points ORDER BY head, cout, dfcl, bits) TO '${target}' (FORMAT ${format === 'csv' ? 'csv, HEADER' : 'parquet'})`);
    return n;
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}
