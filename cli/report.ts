/**
 * `codesign report` (and `npm start`'s quick report): the co-design figures and headline
 * numbers for a scenario, written to an HTML page with a Markdown summary beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { channelOf, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { DEFAULT_PRESET, presetByName } from '../sim/presets.ts';
import { efficiencyFront, runSearch, syntheticQualityFn, describeQuality, type Experiment } from '../search/run.ts';
import { engineVsClosed, frontsByArchitecture, gainAtEqualRate, layerSplit, nasArrows, pSweep, wmmseCurve, zfPoint } from '../search/report.ts';
import { ResultsStore, type StoredPoint } from '../search/store.ts';
import { renderFigure, type Figure } from './charts.ts';
import { checkpointQuality, supernetArchitectures } from '../search/checkpoint-quality.ts';

export interface ReportOptions {
  readonly scenario: string;
  readonly out: string;
  readonly quick: boolean;
  readonly preset?: string;
  readonly seed?: number;
  /** A directory of per-architecture supernet checkpoints (`<C_out>x<D_FCL>/`): trained DNN rates in place of the synthetic stand-in. */
  readonly supernets?: string;
  readonly log?: (m: string) => void;
}

/** Test samples each configuration is rated on when the rates come from supernets. */
const SUPERNET_SAMPLES = { quick: 200, full: 1000 } as const;

export async function runReport(o: ReportOptions) {
  const log = o.log ?? (() => {});
  const preset = o.preset ? presetByName(o.preset) : DEFAULT_PRESET;
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const scenario = loadScenario(o.scenario);
  if (scenario.model === 'cost2100') throw new Error(`scenario ${scenario.name} holds CSI data; the report needs a MIMO scenario`);

  const sources = o.supernets === undefined ? undefined : supernetArchitectures(o.supernets);
  const samples = Math.min(scenario.split.test, o.quick ? SUPERNET_SAMPLES.quick : SUPERNET_SAMPLES.full);
  const experiments: Experiment[] = sources
    ? sources.map((a) => ({ name: `report-${scenario.name}`, archs: [{ cout: a.cout, dfcl: a.dfcl }], bitChoices: [2, 4, 8, 16], preset: preset.name, quality: { source: 'checkpoint', dir: a.dir, scenario: o.scenario, samples } }))
    : [{ name: `report-${scenario.name}`, archs: [8, 16, 32, 64].flatMap((cout) => [512, 1024].map((dfcl) => ({ cout, dfcl }))), bitChoices: [2, 4, 8, 16], preset: preset.name, quality: { source: 'synthetic', seed: o.seed ?? 1 } }];
  const qualityLabel = o.supernets === undefined ? describeQuality(experiments[0].quality) : `supernets(${o.supernets}: ${sources!.map((a) => `${a.cout}x${a.dfcl}`).join(', ')}; ${samples} test samples)`;
  log(`search: ${experiments.reduce((n, e) => n + e.archs.length * 4 ** 4, 0)} seed-000 points into the results store (${qualityLabel})`);
  const store = await ResultsStore.open(join(out, 'results.duckdb'));
  const points: StoredPoint[] = [];
  try {
    for (const exp of experiments) {
      const q = exp.quality.source === 'checkpoint' ? await checkpointQuality(exp.quality.dir, exp.quality.scenario, exp.quality.samples) : { fn: syntheticQualityFn(o.seed ?? 1), close: async () => {} };
      try {
        points.push(...(await runSearch(exp, store, q.fn)).points);
      } finally {
        await q.close();
      }
    }
  } finally {
    store.close();
  }

  log('baselines: WMMSE traced by its stopping tolerance, and ZF, on the test split');
  const test = loadDataset(scenario, 'test', { log }) as MimoDataset;
  const n = Math.min(test.count, o.quick ? 40 : 200);
  const channels = Array.from({ length: n }, (_, i) => channelOf(test, i));
  const tolerances = o.quick ? [1e-1, 1e-2, 1e-3, 1e-4, 1e-5] : [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6];
  const wmmse = wmmseCurve(channels, tolerances, preset, scenario.snrDb);
  const zf = zfPoint(channels, preset, scenario.snrDb);

  const front = efficiencyFront(points).map((f) => f.item);
  const fronts = frontsByArchitecture(points);
  const gains = { paper: gainAtEqualRate(front, wmmse, 'paper'), measured: gainAtEqualRate(front, wmmse, 'measured') };
  const arrows = nasArrows(fronts);
  log('engine: energy and cycles vs p, and the engine next to the closed form');
  const sweep = pSweep(preset, [4, 16, 64, 256, 1024]);
  const versus = engineVsClosed(preset);
  const layers = [...layerSplit(preset, [16, 16, 16, 16]), ...layerSplit(preset, [2, 2, 2, 2])];

  log('figures');
  const figures: Figure[] = [];
  const frontRows = fronts.flatMap((f) => f.front.map((p) => ({ arch: f.arch, efficiency: p.sumRate / p.energy_uJ, sumRate: p.sumRate, bits: p.bits.join(',') })));
  const allRows = points.map((p) => ({ arch: `${p.cout}/${p.dfcl}`, efficiency: p.sumRate / p.energy_uJ, sumRate: p.sumRate }));
  figures.push(
    await renderFigure(out, 'pareto-architectures', `Pareto fronts per architecture (${qualityLabel} quality)`, {
      layer: [
        { data: { values: allRows }, mark: { type: 'point', opacity: 0.25, size: 12 }, encoding: { x: { field: 'sumRate', type: 'quantitative', title: 'sum rate (bit/s/Hz)', scale: { zero: false } }, y: { field: 'efficiency', type: 'quantitative', title: 'energy efficiency (bit/s/Hz/µJ)', scale: { type: 'log' } }, color: { field: 'arch', type: 'nominal', title: 'C_out/D_FCL' } } },
        { data: { values: frontRows }, mark: { type: 'line', point: true }, encoding: { x: { field: 'sumRate', type: 'quantitative' }, y: { field: 'efficiency', type: 'quantitative' }, color: { field: 'arch', type: 'nominal' }, order: { field: 'sumRate' } } },
      ],
    }),
  );
  const vsRows = [
    ...front.map((p) => ({ series: 'DNN front', sumRate: p.sumRate, efficiency: p.sumRate / p.energy_uJ })),
    ...wmmse.map((w) => ({ series: 'WMMSE (paper count)', sumRate: w.sumRate, efficiency: w.sumRate / w.energy_uJ.paper })),
    ...wmmse.map((w) => ({ series: 'WMMSE (measured count)', sumRate: w.sumRate, efficiency: w.sumRate / w.energy_uJ.measured })),
    { series: 'ZF (paper count)', sumRate: zf.sumRate, efficiency: zf.sumRate / zf.energy_uJ.paper },
  ];
  figures.push(
    await renderFigure(out, 'dnn-vs-wmmse', `DNN vs WMMSE vs ZF on ${scenario.name}`, {
      data: { values: vsRows },
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'sumRate', type: 'quantitative', title: 'sum rate (bit/s/Hz)', scale: { zero: false } }, y: { field: 'efficiency', type: 'quantitative', title: 'energy efficiency (bit/s/Hz/µJ)', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal' }, order: { field: 'sumRate' } },
    }),
  );
  figures.push(
    await renderFigure(out, 'layer-energy', 'Per-layer energy of the default precoder (C_out=64, D_FCL=1024)', {
      data: { values: layers.flatMap((l) => (['compute', 'weight', 'activation'] as const).map((k) => ({ layer: l.layer, bits: `[${l.bits}]`, term: k === 'compute' ? 'E_C' : k === 'weight' ? 'E_W' : 'E_A', uJ: l[k] }))) },
      mark: 'bar',
      encoding: { x: { field: 'layer', type: 'nominal' }, xOffset: { field: 'bits' }, y: { field: 'uJ', type: 'quantitative', title: 'µJ' }, color: { field: 'term', type: 'nominal' } },
    }),
  );
  figures.push(
    await renderFigure(out, 'p-sweep', 'Energy and cycles vs p (engine, weight-stationary, batch 1)', {
      data: { values: sweep.flatMap((s) => [{ p: s.p, metric: 'engine energy (µJ)', value: s.energy_uJ }, { p: s.p, metric: 'closed-form energy (µJ)', value: s.closedForm_uJ }, { p: s.p, metric: 'cycles (millions)', value: s.cycles / 1e6 }]) },
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'p', type: 'quantitative', scale: { type: 'log', base: 2 } }, y: { field: 'value', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'metric', type: 'nominal' } },
    }),
  );
  figures.push(
    await renderFigure(out, 'engine-vs-closed', 'Engine vs closed form per op (8×8 WS, batch 1)', {
      data: { values: versus.flatMap((v) => [{ layer: v.layer, model: 'engine', uJ: v.engine }, { layer: v.layer, model: 'closed form', uJ: v.closedForm }]) },
      mark: 'bar',
      encoding: { x: { field: 'layer', type: 'nominal', sort: null }, xOffset: { field: 'model' }, y: { field: 'uJ', type: 'quantitative', title: 'µJ', scale: { type: 'symlog' } }, color: { field: 'model', type: 'nominal' } },
    }),
  );

  const bestEff = front.reduce((a, b) => (b.sumRate / b.energy_uJ > a.sumRate / a.energy_uJ ? b : a));
  const bestRate = front.reduce((a, b) => (b.sumRate > a.sumRate ? b : a));
  const maxGain = (xs: { gain: number | null }[]) => Math.max(0, ...xs.map((x) => x.gain ?? 0));
  const headline = {
    scenario: scenario.name,
    preset: preset.name,
    quality: qualityLabel,
    points: points.length,
    bestEfficiency: { arch: `${bestEff.cout}/${bestEff.dfcl}`, bits: bestEff.bits, sumRate: bestEff.sumRate, efficiency: bestEff.sumRate / bestEff.energy_uJ },
    bestRate: { arch: `${bestRate.cout}/${bestRate.dfcl}`, bits: bestRate.bits, sumRate: bestRate.sumRate, energy_uJ: bestRate.energy_uJ },
    wmmse,
    zf,
    maxGainAtEqualRate: { paper: maxGain(gains.paper), measured: maxGain(gains.measured) },
    nasArrows: arrows,
    baselineSamples: n,
  };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(headline, null, 2));
  writeFileSync(join(out, 'summary.md'), summaryMarkdown(headline, figures, o));
  writeFileSync(join(out, 'index.html'), html(headline, figures));
  return { out, index: join(out, 'index.html'), headline, figures };
}

type Headline = Awaited<ReturnType<typeof runReport>>['headline'];

function summaryMarkdown(h: Headline, figures: readonly Figure[], o: ReportOptions): string {
  const lines = [
    `# codesign report — ${h.scenario}`,
    '',
    `Preset ${h.preset}; ${h.points} DNN design points; DNN quality: **${h.quality}**${h.quality.startsWith('synthetic') ? ' — a seeded stand-in, not a trained network (docs/training.md)' : ''}; baselines on ${h.baselineSamples} test samples.`,
    '',
    `- Highest efficiency: C_out/D_FCL ${h.bestEfficiency.arch}, bits [${h.bestEfficiency.bits.join(',')}]: ${h.bestEfficiency.efficiency.toFixed(2)} bit/s/Hz/µJ at ${h.bestEfficiency.sumRate.toFixed(2)} bit/s/Hz.`,
    `- Highest rate: ${h.bestRate.arch}, bits [${h.bestRate.bits.join(',')}]: ${h.bestRate.sumRate.toFixed(2)} bit/s/Hz at ${h.bestRate.energy_uJ.toFixed(2)} µJ.`,
    `- ZF: ${h.zf.sumRate.toFixed(2)} bit/s/Hz, ${h.zf.energy_uJ.paper.toPrecision(3)} µJ (paper count), ${h.zf.energy_uJ.measured.toPrecision(3)} µJ (measured).`,
    ...h.wmmse.map((w) => `- ${w.label}: ${w.sumRate.toFixed(2)} bit/s/Hz after ${w.iterations.toFixed(1)} iterations; ${w.energy_uJ.paper.toPrecision(4)} µJ (paper count), ${w.energy_uJ.measured.toPrecision(4)} µJ (measured).`),
    `- Largest gain at equal rate (DNN efficiency ÷ WMMSE efficiency): ${h.maxGainAtEqualRate.paper.toFixed(1)}× against the paper's WMMSE count, ${h.maxGainAtEqualRate.measured.toFixed(2)}× against our measured count (0 = the DNN front does not reach the WMMSE rates).`,
    `- NAS arrows: rate gain at equal efficiency ${(h.nasArrows.horizontal.gain * 100).toFixed(1)}% (${h.nasArrows.horizontal.best} over ${h.nasArrows.horizontal.worst}); efficiency gain at equal rate ${h.nasArrows.vertical.gain.toFixed(1)}× (${h.nasArrows.vertical.best} over ${h.nasArrows.vertical.worst}).`,
    '',
    'Reproduce:',
    '',
    '```bash',
    `npx codesign report --scenario ${o.scenario}${o.quick ? ' --quick' : ''} --out ${o.out}`,
    ...(o.supernets === undefined
      ? [`npx codesign search --db ${o.out}/results.duckdb --archs all --quality synthetic:${o.seed ?? 1}`]
      : [`npx codesign report --scenario ${o.scenario}${o.quick ? ' --quick' : ''} --supernets ${o.supernets} --out ${o.out}`]),
    `npx codesign baseline --algo wmmse --scenario ${o.scenario} --tol 1e-5 --rule abs`,
    '```',
    '',
    ...figures.map((f) => `![${f.title}](${f.png})`),
    '',
  ];
  return lines.join('\n');
}

function html(h: Headline, figures: readonly Figure[]): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>codesign report — ${esc(h.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4;padding:0 .3em}</style></head><body>
<h1>codesign report — ${esc(h.scenario)}</h1>
<p>Preset <code>${esc(h.preset)}</code>; ${h.points} DNN design points; DNN quality: <b>${esc(h.quality)}</b>${h.quality.startsWith('synthetic') ? ' — a seeded stand-in, not a trained network' : ''}; baselines on ${h.baselineSamples} test samples.</p>
<ul>
<li>Highest efficiency: ${esc(h.bestEfficiency.arch)} bits [${h.bestEfficiency.bits.join(',')}] — ${h.bestEfficiency.efficiency.toFixed(2)} bit/s/Hz/µJ at ${h.bestEfficiency.sumRate.toFixed(2)} bit/s/Hz</li>
<li>ZF: ${h.zf.sumRate.toFixed(2)} bit/s/Hz; WMMSE (ε = ${h.wmmse[h.wmmse.length - 1].label.split('=')[1]}): ${h.wmmse[h.wmmse.length - 1].sumRate.toFixed(2)} bit/s/Hz</li>
<li>Largest gain at equal rate: ${h.maxGainAtEqualRate.paper.toFixed(1)}× (paper WMMSE count), ${h.maxGainAtEqualRate.measured.toFixed(2)}× (measured count)</li>
</ul>
${figures.map((f) => `<figure><img src="${f.png}" alt="${esc(f.title)}"><figcaption>${esc(f.title)} — <a href="${f.svg}">SVG</a>, <a href="${f.spec}">vega-lite spec</a></figcaption></figure>`).join('\n')}
<p>Details and commands: <a href="summary.md">summary.md</a>.</p>
</body></html>
`;
}
