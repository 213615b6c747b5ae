/**
 * The layering of ARCHITECTURE.md, enforced: every import line of every source file is read and
 * an edge the table forbids fails the test, naming the file and the import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bottom to top: a folder may import itself and the folders it lists. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  linalg: ['core'],
  nets: ['core', 'linalg'],
  scenarios: ['core', 'linalg', 'nets'],
  baselines: ['core', 'linalg', 'nets', 'scenarios'],
  sim: ['core', 'linalg', 'nets'],
  train: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim'],
  search: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'train'],
  studies: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'train', 'search'],
  cli: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'train', 'search', 'studies'],
  test: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'train', 'search', 'studies'],
  bench: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'train', 'search', 'studies'],
};

/** Packages that only some folders may load (tests and benchmarks may load any). */
const PACKAGE_HOMES: readonly { readonly pattern: RegExp; readonly folders: readonly string[] }[] = [
  { pattern: /^@tensorflow\//, folders: ['train', 'test', 'bench'] },
  { pattern: /^@duckdb\//, folders: ['search', 'test', 'bench'] },
  { pattern: /^(vega|vega-lite|@resvg\/resvg-js)$/, folders: ['studies', 'test', 'bench'] },
  { pattern: /^(commander|cli-progress)$/, folders: ['cli'] },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** Static and dynamic import specifiers of one file. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gms)) found.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  return found;
}

interface Edge {
  readonly file: string;
  readonly folder: string;
  readonly target: string;
  readonly specifier: string;
}

function edges(): Edge[] {
  return Object.keys(MAY_IMPORT).flatMap((folder) =>
    sources(join(ROOT, folder)).flatMap((path) =>
      importsOf(readFileSync(path, 'utf8')).map((specifier) => {
        const file = relative(ROOT, path);
        if (!specifier.startsWith('.')) return { file, folder, target: `package:${specifier}`, specifier };
        const target = relative(ROOT, resolve(dirname(path), specifier)).split('/')[0];
        return { file, folder, target, specifier };
      }),
    ),
  );
}

describe('the layering of ARCHITECTURE.md', () => {
  const all = edges();

  it('reads the import lines of every folder', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(importsOf("import { a } from '../x.ts';\nconst m = await import('./y.ts');\nexport { b } from './z.ts';")).toEqual(['../x.ts', './z.ts', './y.ts']);
  });

  it('no folder imports one above it (cli/ is imported by nothing outside it)', () => {
    const forbidden = all
      .filter((e) => !e.target.startsWith('package:') && e.target !== e.folder && !MAY_IMPORT[e.folder].includes(e.target))
      .map((e) => `${e.file} imports ${e.specifier} (${e.folder}/ may import ${MAY_IMPORT[e.folder].join(', ') || 'nothing of ours'})`);
    expect(forbidden).toEqual([]);
  });

  it('tfjs, DuckDB, vega and commander load only in their layers', () => {
    const misplaced = all.flatMap((e) => {
      if (!e.target.startsWith('package:')) return [];
      const home = PACKAGE_HOMES.find((h) => h.pattern.test(e.specifier.replace(/^(@[^/]+\/[^/]+|[^@/][^/]*).*$/, '$1')));
      return home && !home.folders.includes(e.folder) ? [`${e.file} imports ${e.specifier} (allowed in ${home.folders.join(', ')})`] : [];
    });
    expect(misplaced).toEqual([]);
  });
});
