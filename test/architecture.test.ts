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
  laws: ['core', 'linalg', 'nets', 'sim'],
  train: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws'],
  search: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train'],
  studies: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train', 'search'],
  cli: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train', 'search', 'studies'],
  // The CLI's own tests (cli/test/) run it in process; they may read the shared test data.
  'cli/test': ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train', 'search', 'studies', 'cli', 'test'],
  test: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train', 'search', 'studies'],
  bench: ['core', 'linalg', 'nets', 'scenarios', 'baselines', 'sim', 'laws', 'train', 'search', 'studies'],
};

/** Packages that only some folders may load (tests and benchmarks may load any). */
const PACKAGE_HOMES: readonly { readonly pattern: RegExp; readonly folders: readonly string[] }[] = [
  { pattern: /^@tensorflow\//, folders: ['train', 'test', 'cli/test', 'bench'] },
  { pattern: /^@duckdb\//, folders: ['search', 'test', 'cli/test', 'bench'] },
  { pattern: /^(vega|vega-lite|@resvg\/resvg-js)$/, folders: ['studies', 'test', 'cli/test', 'bench'] },
  { pattern: /^(commander|cli-progress)$/, folders: ['cli'] },
  { pattern: /^fast-check$/, folders: ['laws', 'studies', 'test', 'cli/test', 'bench'] },
  { pattern: /^protobufjs$/, folders: ['nets', 'test', 'cli/test', 'bench'] },
  { pattern: /^onnxruntime-web$/, folders: ['studies', 'test', 'cli/test', 'bench'] },
  { pattern: /^yaml$/, folders: ['sim', 'test', 'cli/test', 'bench'] },
  { pattern: /^(bullmq|ioredis)$/, folders: ['search', 'test', 'cli/test', 'bench'] },
  { pattern: /^@codesign\/blas$/, folders: ['train', 'test', 'bench'] },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // A folder with a row of its own (cli/test) is read as that row.
    if (statSync(path).isDirectory()) return name === 'node_modules' || relative(ROOT, path) in MAY_IMPORT ? [] : sources(path);
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

/** The row of the table a path belongs to: its longest folder prefix that has one. */
function rowOf(path: string): string {
  const parts = path.split('/');
  for (let n = parts.length - 1; n > 0; n--) {
    const prefix = parts.slice(0, n).join('/');
    if (prefix in MAY_IMPORT) return prefix;
  }
  return parts[0];
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
        return { file, folder, target: rowOf(relative(ROOT, resolve(dirname(path), specifier))), specifier };
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

  it('the CLI loads tfjs, DuckDB and vega only when a command that needs them runs', () => {
    // The static import closure of the executable: what `codesign energy` loads before its action.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      // Dynamic imports run with the command; `import type` is erased before anything runs.
      const text = readFileSync(path, 'utf8')
        .replace(/\bimport\(\s*['"][^'"]+['"]\s*\)/g, '')
        .replace(/^\s*(?:import|export)\s+type\s[^;]*;/gms, '');
      for (const specifier of importsOf(text)) {
        if (specifier.startsWith('.')) visit(resolve(dirname(path), specifier));
        else packages.add(specifier);
      }
    };
    visit(join(ROOT, 'cli/main.ts'));
    expect(seen.size).toBeGreaterThan(20);
    expect([...packages].filter((p) => /^(@tensorflow|@duckdb|vega|@resvg|piscina)/.test(p))).toEqual([]);
  });
});
