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

/** Static and dynamic import specifiers of one file, and what it loads through `createRequire`. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gms)) found.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  for (const m of text.matchAll(/\bcreateRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  return found;
}

/** Checkouts that have stood beside the repository, and the roots of machines' home folders. */
const SIBLING_CHECKOUTS = ['shared'];
const MACHINE_ROOTS = ['work', 'home', 'Users', 'root', 'mnt'];
/** A quoted string that climbs into a sibling checkout, or starts at a machine's home folder. */
const OUTSIDE_PATH = new RegExp(`['"\`]((?:\\.\\./)+(?:${SIBLING_CHECKOUTS.join('|')})\\b[^'"\`]*|/(?:${MACHINE_ROOTS.join('|')})/[^'"\`]*)['"\`]`, 'g');

/**
 * Rules one file breaks on its own, whatever its folder: an import by absolute path or file URL
 * (it names one machine), a relative import or a `new URL(…, import.meta.url)` that climbs out of
 * the repository, and a string naming a path outside it (a sibling checkout beside the repository, or
 * a machine's home). `path` is the file's path from the repository's root.
 */
export function outsideRepository(path: string, text: string): string[] {
  const out: string[] = [];
  const from = dirname(join(ROOT, path));
  const leaves = (target: string) => relative(ROOT, target).startsWith('..');
  for (const specifier of importsOf(text)) {
    if (/^(\/|file:)/.test(specifier)) out.push(`${path} imports ${specifier} by absolute path`);
    else if (specifier.startsWith('.') && leaves(resolve(from, specifier))) out.push(`${path} imports ${specifier}, outside the repository`);
  }
  for (const m of text.matchAll(/new URL\(\s*['"`]([^'"`$]+)[^'"`]*['"`]\s*,\s*import\.meta\.url\s*\)/g)) {
    if (leaves(resolve(from, m[1]))) out.push(`${path} reads ${m[1]}, outside the repository`);
  }
  for (const m of text.matchAll(OUTSIDE_PATH)) out.push(`${path} names ${m[1]}, a path outside the repository`);
  return out;
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

function layerViolations(edges: readonly Edge[]): string[] {
  return edges
    .filter((e) => !e.target.startsWith('package:') && e.target !== e.folder && e.folder in MAY_IMPORT && !MAY_IMPORT[e.folder].includes(e.target))
    .map((e) => `${e.file} imports ${e.specifier} (${e.folder}/ may import ${MAY_IMPORT[e.folder].join(', ') || 'nothing of ours'})`);
}

function homeViolations(edges: readonly Edge[]): string[] {
  return edges.flatMap((e) => {
    if (!e.target.startsWith('package:')) return [];
    const home = PACKAGE_HOMES.find((h) => h.pattern.test(e.specifier.replace(/^(@[^/]+\/[^/]+|[^@/][^/]*).*$/, '$1')));
    return home && !home.folders.includes(e.folder) ? [`${e.file} imports ${e.specifier} (allowed in ${home.folders.join(', ')})`] : [];
  });
}

describe('the layering of ARCHITECTURE.md', () => {
  const all = edges();

  it('no file reads or imports anything outside the repository', () => {
    const found = Object.keys(MAY_IMPORT).flatMap((folder) => sources(join(ROOT, folder)).flatMap((path) => outsideRepository(relative(ROOT, path), readFileSync(path, 'utf8'))));
    expect(found).toEqual([]);
  });

  it('each rule fails when broken on purpose', () => {
    // Every rule above, fed a line that breaks it (so a rule that can no longer fail is noticed).
    // The offending paths are assembled here, so this file itself names none.
    const absolute = ['', MACHINE_ROOTS[0], 'main', 'core', 'a.ts'].join('/');
    const sibling = ['..', '..', SIBLING_CHECKOUTS[0], 'reference'].join('/');
    const home = ['', MACHINE_ROOTS[1], 'me', 'data.csv'].join('/');
    expect(outsideRepository('sim/x.ts', `import { a } from '${absolute}';`)).toEqual([`sim/x.ts imports ${absolute} by absolute path`, `sim/x.ts names ${absolute}, a path outside the repository`]);
    const fileUrl = ['file:', '', '', 'tmp', 'm.js'].join('/');
    expect(outsideRepository('sim/x.ts', `const m = await import('${fileUrl}');`)).toEqual([`sim/x.ts imports ${fileUrl} by absolute path`]);
    expect(outsideRepository('sim/x.ts', `import { t } from '${sibling}/t.ts';`)).toEqual([`sim/x.ts imports ${sibling}/t.ts, outside the repository`, `sim/x.ts names ${sibling}/t.ts, a path outside the repository`]);
    expect(outsideRepository('scenarios/cdl.ts', `cdlTable('A', new URL('${sibling}/cdl/', import.meta.url));`)).toHaveLength(2);
    expect(outsideRepository('bench/x.ts', `readFileSync('${home}')`)).toEqual([`bench/x.ts names ${home}, a path outside the repository`]);
    expect(outsideRepository('scenarios/cdl.ts', "new URL('../reference/cdl/', import.meta.url)")).toEqual([]);
    expect(importsOf("const y = createRequire(import.meta.url)('@duckdb/node-api');")).toEqual(['@duckdb/node-api']);
    const misplaced = homeViolations([{ file: 'nets/x.ts', folder: 'nets', target: 'package:@duckdb/node-api', specifier: '@duckdb/node-api' }]);
    expect(misplaced).toEqual(['nets/x.ts imports @duckdb/node-api (allowed in search, test, cli/test, bench)']);
    expect(layerViolations([{ file: 'core/x.ts', folder: 'core', target: 'cli', specifier: '../cli/program.ts' }])).toEqual(['core/x.ts imports ../cli/program.ts (core/ may import nothing of ours)']);
  });

  it('reads the import lines of every folder', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(importsOf("import { a } from '../x.ts';\nconst m = await import('./y.ts');\nexport { b } from './z.ts';")).toEqual(['../x.ts', './z.ts', './y.ts']);
  });

  it('no folder imports one above it (cli/ is imported by nothing outside it)', () => {
    expect(layerViolations(all)).toEqual([]);
  });

  it('tfjs, DuckDB, vega and commander load only in their layers (by import or createRequire)', () => {
    expect(homeViolations(all)).toEqual([]);
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
