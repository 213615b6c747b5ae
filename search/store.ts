/**
 * The results store: an embedded DuckDB file holding every evaluated design point with its full
 * configuration and a content hash. Points are written as soon as they are evaluated (each
 * insert commits), so a search killed midway loses only the points in flight, and a rerun skips
 * what is stored. A file that is not a DuckDB database, or a DuckDB database not written by this
 * tool, is reported with its path and never modified.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../core/errors.ts';
import type { PrecoderHead } from '../nets/heads.ts';
import { replaceWith, temporaryBeside } from '../core/files.ts';

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

const POINT_COLUMNS = ['hash', 'experiment', 'head', 'cout', 'dfcl', 'bits', 'preset', 'energy_uJ', 'sum_rate', 'efficiency', 'quality', 'config'];

/** An error's first line, without the caret diagrams libraries add below it. */
const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).split('\n')[0];

/** The stores beside a path that does not exist, for the message. */
function nearbyStores(path: string): string {
  const dir = dirname(path);
  const found = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.endsWith('.duckdb')) : [];
  return found.length > 0 ? ` (in ${dir}: ${found.slice(0, 5).join(', ')})` : '';
}

export class ResultsStore {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  /**
   * Opens a store: `write` creates one at a new path (a search); `read` needs an existing store and
   * opens it read-only (an export never creates an empty store in place of a misspelt one).
   */
  static async open(path: string, mode: 'write' | 'read' = 'write'): Promise<ResultsStore> {
    const existed = existsSync(path);
    if (mode === 'read' && !existed) throw new InputError('db', path, `no results store there; allowed: an existing store${nearbyStores(path)}`);
    if (existed && statSync(path).isDirectory()) throw new InputError('db', path, 'allowed: a database file, not a directory');
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, mode === 'read' ? { access_mode: 'READ_ONLY' } : {});
    } catch (error) {
      throw new InputError('db', path, `allowed: a codesign results database or a new path; this file could not be opened as one (${firstLine(error)})`);
    }
    let db: DuckDBConnection;
    try {
      db = await instance.connect();
    } catch (error) {
      instance.closeSync();
      throw new InputError('db', path, `allowed: a codesign results database or a new path; this file could not be opened as one (${firstLine(error)})`);
    }
    const refuse = (why: string): never => {
      db.closeSync();
      instance.closeSync();
      throw new InputError('db', path, why);
    };
    try {
      const tables = (await db.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")).getRowObjects().map((r) => String(r.table_name));
      if (mode === 'read' && tables.length === 0) refuse('an empty database; allowed: a store written by codesign search');
      if (existed && tables.length > 0) {
        const meta = tables.includes('codesign_meta') ? (await db.runAndReadAll('SELECT format FROM codesign_meta')).getRowObjects()[0]?.format : undefined;
        const columns = tables.includes('points')
          ? (await db.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'points'")).getRowObjects().map((r) => String(r.column_name))
          : [];
        const missing = POINT_COLUMNS.filter((c) => !columns.includes(c) && !(c === 'head' && OLDER_FORMATS.includes(String(meta))));
        if ((meta === STORE_FORMAT || OLDER_FORMATS.includes(String(meta))) && missing.length > 0) {
          refuse(`its points table lacks ${missing.join(', ')}; allowed: a database written by codesign (format ${STORE_FORMAT})`);
        }
        if (OLDER_FORMATS.includes(String(meta))) {
          if (mode === 'read') refuse(`written by an older codesign (${String(meta)}); allowed: a store of format ${STORE_FORMAT} (run a search on it once to upgrade it in place)`);
          await db.run("ALTER TABLE points ADD COLUMN head VARCHAR DEFAULT 'direct'");
          await db.run(`UPDATE codesign_meta SET format = '${STORE_FORMAT}'`);
        } else if (meta !== STORE_FORMAT) {
          refuse(`allowed: a database written by codesign (format ${STORE_FORMAT}); this one holds other tables (${tables.join(', ')})`);
        }
      } else {
        await db.run('CREATE TABLE codesign_meta (format VARCHAR)');
        await db.run(`INSERT INTO codesign_meta VALUES ('${STORE_FORMAT}')`);
        await db.run(`CREATE TABLE points (
          hash VARCHAR PRIMARY KEY, experiment VARCHAR, cout INTEGER, dfcl INTEGER, bits VARCHAR, preset VARCHAR,
          energy_uJ DOUBLE, sum_rate DOUBLE, efficiency DOUBLE, quality VARCHAR, config VARCHAR, created TIMESTAMP DEFAULT current_timestamp, head VARCHAR DEFAULT 'direct')`);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      refuse(`allowed: a codesign results database; this file could not be read as one (${firstLine(error)})`);
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

  /** Writes every point to `file` through a temporary file beside it: an existing file is replaced only by a complete export. */
  async export(file: string, format: 'csv' | 'parquet'): Promise<number> {
    if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) throw new InputError('out', file, `allowed: a file in an existing directory (${dirname(file)} is not one)`);
    if (existsSync(file) && statSync(file).isDirectory()) throw new InputError('out', file, 'allowed: a file path, not a directory');
    const n = Number((await this.db.runAndReadAll('SELECT count(*) AS n FROM points')).getRowObjects()[0].n);
    const temporary = temporaryBeside(file);
    try {
      await this.db.run(`COPY (SELECT hash, experiment, head, cout, dfcl, bits, preset, energy_uJ, sum_rate, efficiency, quality, config FROM points ORDER BY head, cout, dfcl, bits) TO '${temporary.replace(/'/g, "''")}' (FORMAT ${format === 'csv' ? 'csv, HEADER' : 'parquet'})`);
      replaceWith(file, temporary);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new InputError('out', file, `allowed: a writable file path (${firstLine(error)})`);
    }
    return n;
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}
