/**
 * Headless figures: a vega-lite spec → SVG (vega's string renderer) → PNG (resvg), spec saved
 * beside; and the scripts a page needs to draw the same specs interactively, copied from the
 * installed packages (no CDN: the page works offline).
 */
import { makeFolders } from '../core/files.ts';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface Figure {
  readonly name: string;
  readonly title: string;
  readonly png: string;
  readonly svg: string;
  readonly spec: string;
  /** The vega-lite spec itself (the page embeds it with vega-embed). */
  readonly vegaLite: Record<string, unknown>;
}

export async function renderFigure(dir: string, name: string, title: string, spec: Record<string, unknown>): Promise<Figure> {
  // A faceted chart sizes its cells in its inner spec.
  const size = 'facet' in spec ? {} : { width: 520, height: 320 };
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, ...size, ...spec };
  const view = new vega.View(vega.parse(vl.compile(full as vl.TopLevelSpec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'width', value: 1100 } }).render().asPng();
  const files = { spec: `${name}.vl.json`, svg: `${name}.svg`, png: `${name}.png` };
  writeFileSync(join(dir, files.spec), JSON.stringify(full, null, 2));
  writeFileSync(join(dir, files.svg), svg);
  writeFileSync(join(dir, files.png), png);
  return { name, title, ...files, vegaLite: full };
}

/** The browser builds of vega, vega-lite and vega-embed, in load order, as the page names them. */
export const EMBED_SCRIPTS = ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'] as const;

/** Copies the three scripts into `dir`/lib (returns their paths relative to `dir`). */
export function copyEmbedScripts(dir: string): string[] {
  const lib = join(dir, 'lib');
  makeFolders(lib);
  const from = { 'vega.min.js': 'vega/build/vega.min.js', 'vega-lite.min.js': 'vega-lite/build/vega-lite.min.js', 'vega-embed.min.js': 'vega-embed/build/vega-embed.min.js' } as const;
  return EMBED_SCRIPTS.map((name) => {
    copyFileSync(installed(from[name]), join(lib, name));
    return `lib/${name}`;
  });
}

/** A file of an installed package, found the way Node finds packages (their export maps do not list the browser builds). */
function installed(path: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`node_modules/${path} not found: run npm ci`);
  }
}
