/** Headless figures: a vega-lite spec → SVG (vega's string renderer) → PNG (resvg), spec saved beside. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface Figure {
  readonly name: string;
  readonly title: string;
  readonly png: string;
  readonly svg: string;
  readonly spec: string;
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
  return { name, title, ...files };
}
