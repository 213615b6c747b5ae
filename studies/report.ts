/**
 * `codesign report` (and `npm start`'s quick report): the co-design figures and headline
 * numbers for a scenario, written to an HTML page with a Markdown summary beside it. DNN rates
 * come from the scenario's rates table of trained networks; the classical rates and iteration
 * counts from its classical results on the same test samples (both shipped in data/rates/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { doneOfTotal, SILENT, type Progress } from '../core/progress.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { efficiencyFront, runSearch, describeQuality, type Experiment } from '../search/run.ts';
import { seed000Archs } from '../search/space.ts';
import { classicalPoint, engineVsClosed, frontsByArchitecture, gainAtEqualRate, layerSplit, nasArrows, pSweep, type BaselinePoint } from './report-numbers.ts';
import { ratesFile } from '../search/rates-table.ts';
import { tableQuality } from '../search/table-quality.ts';
import { ResultsStore, type StoredPoint } from '../search/store.ts';
import { classicalFile, loadClassical } from './rates.ts';
import { renderFigure, type Figure } from './charts.ts';
import { searchGraph } from './model-search.ts';
import { priceGraph } from '../sim/energy.ts';
import { modelGraph } from './workload.ts';
import { layerIndexOf, quantizedLayers } from '../nets/layers.ts';

export interface ReportStudy {
  readonly scenario: Scenario;
  readonly out: string;
  /** Skip the engine's figures (p sweep, engine vs closed form). */
  readonly quick: boolean;
  readonly preset: HardwarePreset;
  /** A rates table other than the shipped data/rates/<scenario>.csv. */
  readonly rates?: string;
  /** Classical results other than the shipped data/rates/<scenario>.classical.json (on the table's samples). */
  readonly classical?: string;
  /** An ONNX model priced beside the precoders: its per-layer energy and energy-vs-precision front. */
  readonly model?: string;
}

/** The share of the best classical rate the summary line asks a DNN to reach. */
export const RATE_SHARE = 0.98;

const ARCHS = seed000Archs();

export async function writeReport(o: ReportStudy, progress: Progress = SILENT) {
  const log = (m: string) => progress.log(m);
  const { preset, scenario } = o;
  if (scenario.model === 'cost2100') throw new InputError('scenario', scenario.name, 'allowed: a MIMO scenario (the report rates precoders)');
  const ratesPath = o.rates ?? ratesFile(scenario.name);
  // Both inputs are read and checked before anything is written.
  const quality = tableQuality(scenario.name, ratesPath);
  const classicalPath = o.classical ?? classicalFile(scenario.name);
  const classical = loadClassical(scenario.name, classicalPath);
  const tableSamples = Math.min(...[...quality.rates.values()].map((r) => r.testSamples));
  if (classical.samples !== tableSamples) {
    throw new InputError('rates', ratesPath, `its DNN rates are on ${tableSamples} test samples, the classical results (${classicalPath}) on ${classical.samples}; allowed: both on the same samples (codesign rates --samples N, with and without --classical)`);
  }
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });

  const exp: Experiment = { name: `report-${scenario.name}`, heads: PRECODER_HEAD_NAMES, archs: ARCHS, bitChoices: [2, 4, 8, 16], preset: preset.name, quality: { source: 'table', file: relative(process.cwd(), ratesPath), scenario: scenario.name } };
  const qualityLabel = describeQuality(exp.quality);
  log(`search: the seed-000 space × ${PRECODER_HEAD_NAMES.length} heads into the results store (${qualityLabel})`);
  const store = await ResultsStore.open(join(out, 'results.duckdb'));
  let outcome;
  try {
    outcome = await runSearch(exp, store, quality, { onProgress: doneOfTotal(progress, 'design points') });
  } finally {
    store.close();
  }
  const points = outcome.points;
  const missing = summariseMissing(outcome.missing);

  const priced = classical.results.map((r) => ({ summary: r, point: classicalPoint(r, preset) }));
  const wmmse = priced.filter((c) => c.summary.algorithm === 'wmmse' && c.summary.wmmse?.init === 'best').map((c) => c.point);
  // Gains against every WMMSE result: the best start's tolerance curve and each single start (MRT is the paper's).
  const wmmseAll = priced.filter((c) => c.summary.algorithm === 'wmmse').map((c) => c.point);
  const byLabel = (label: string) => priced.find((c) => c.summary.label === label)?.point;
  const best = priced.reduce((a, b) => (b.point.sumRate > a.point.sumRate ? b : a)).point;
  const target = RATE_SHARE * best.sumRate;
  const heads = PRECODER_HEAD_NAMES.filter((h) => points.some((p) => p.head === h));
  const headFronts = heads.map((head) => ({ head, front: efficiencyFront(points.filter((p) => p.head === head)).map((f) => f.item) }));
  const front = efficiencyFront(points).map((f) => f.item);
  const gains = { paper: gainAtEqualRate(front, wmmseAll, 'paper'), measured: gainAtEqualRate(front, wmmseAll, 'measured') };
  const maxGain = (xs: { label: string; gain: number | null }[]) => xs.reduce((a, x) => ((x.gain ?? 0) > a.gain ? { gain: x.gain!, against: x.label } : a), { gain: 0, against: 'no WMMSE point: no DNN configuration reaches any WMMSE rate' });
  const cheapest = <T>(xs: readonly T[], cost: (x: T) => number | null) => xs.filter((x) => cost(x) !== null).reduce<T | undefined>((a, b) => (a === undefined || cost(b)! < cost(a)! ? b : a), undefined);
  const dnnAtTarget = cheapest(points.filter((p) => p.sumRate >= target), (p) => p.energy_uJ);
  const wmmseAtTarget = {
    measured: cheapest(wmmse.filter((w) => w.sumRate >= target), (w) => w.energy_uJ.measured),
    paper: cheapest(wmmse.filter((w) => w.sumRate >= target), (w) => w.energy_uJ.paper),
  };
  const rzfEp = byLabel('equal-power RZF')!;
  const base = {
    scenario: scenario.name,
    preset: preset.name,
    quality: qualityLabel,
    samples: tableSamples,
    classicalSource: relative(process.cwd(), classicalPath),
    points: points.length,
    missing,
    bestClassical: best,
    target,
    dnnAtTarget: dnnAtTarget ? { head: dnnAtTarget.head, arch: `${dnnAtTarget.cout}/${dnnAtTarget.dfcl}`, bits: dnnAtTarget.bits, sumRate: dnnAtTarget.sumRate, energy_uJ: dnnAtTarget.energy_uJ } : null,
    wmmseAtTarget,
    rzfEqualPower: rzfEp,
    classical: priced.map((c) => c.point),
    headFronts: headFronts.map((h) => {
      const top = h.front.reduce((a, b) => (b.sumRate > a.sumRate ? b : a));
      const eff = h.front.reduce((a, b) => (b.sumRate / b.energy_uJ > a.sumRate / a.energy_uJ ? b : a));
      return { head: h.head, bestRate: pointSummary(top), bestEfficiency: pointSummary(eff) };
    }),
    maxGainAtEqualRate: { paper: maxGain(gains.paper), measured: maxGain(gains.measured) },
    gains,
    nasArrows: Object.fromEntries(heads.map((h) => [h, nasArrows(frontsByArchitecture(points.filter((p) => p.head === h)))])),
  };
  // A user's model, read before anything is drawn (a bad file stops the report here).
  const model = o.model === undefined ? undefined : modelSection(o.model, preset);
  const headline = { ...base, summaryLine: summaryLine(base), ...(model ? { model: model.summary } : {}) };

  const figures = await reportFigures(out, { points, headFronts, classical: priced.map((c) => c.point), wmmse, scenario: scenario.name, qualityLabel, preset, quick: o.quick }, progress);
  if (model) figures.push(...(await model.figures(out)));
  const commands = reproduceCommands(o, ratesPath);
  writeFileSync(join(out, 'summary.json'), JSON.stringify(headline, null, 2));
  writeFileSync(join(out, 'summary.md'), summaryMarkdown(headline, figures, commands));
  writeFileSync(join(out, 'index.html'), html(headline, figures, commands));
  return { out, index: join(out, 'index.html'), headline, figures };
}

type Headline = Awaited<ReturnType<typeof writeReport>>['headline'];

function modelLine(m: NonNullable<Headline['model']>): string {
  const front = 'front' in m && m.cheapest && m.dearest ? ` Weight bits from {2, 4, 8, 16}: ${m.assignments} assignments, ${m.front} on the energy-vs-precision front, from [${m.cheapest.bits.join(',')}] at ${fmt(m.cheapest.energy_uJ)} µJ to [${m.dearest.bits.join(',')}] at ${fmt(m.dearest.energy_uJ)} µJ.` : '';
  return `Model ${m.file} (${m.graph}): ${m.macs.toLocaleString('en-US')} MACs, ${m.weights.toLocaleString('en-US')} parameters, ${fmt(m.energy_uJ)} µJ per inference at ${m.bits} bits.${front}`;
}

const pointSummary = (p: StoredPoint) => ({ arch: `${p.cout}/${p.dfcl}`, bits: p.bits, sumRate: p.sumRate, energy_uJ: p.energy_uJ, efficiency: p.sumRate / p.energy_uJ });

/** The table's gaps, per head and architecture. */
function summariseMissing(points: readonly { head: string; cout: number; dfcl: number }[]): string[] {
  const counts = new Map<string, number>();
  for (const p of points) counts.set(`${p.head} ${p.cout}x${p.dfcl}`, (counts.get(`${p.head} ${p.cout}x${p.dfcl}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} (${n} configurations)`);
}

/**
 * An ONNX model in the report: its energy per layer at its bits (declared, else 16) and, when it
 * declares none, the energy-vs-precision front of its weight-bit assignments from {2, 4, 8, 16}.
 */
function modelSection(file: string, preset: HardwarePreset) {
  const imported = modelGraph(file);
  const report = priceGraph(imported.graph, preset);
  const layerOf = layerIndexOf(imported.graph);
  const layers = quantizedLayers(imported.graph);
  const perLayer = layers.map((name) => ({ layer: name, compute: 0, weight: 0, activation: 0 }));
  report.ops.forEach((op, i) => {
    const l = layerOf[i];
    if (l < 0) return;
    perLayer[l].compute += op.energy.compute / 1e6;
    perLayer[l].weight += op.energy.weight / 1e6;
    perLayer[l].activation += op.energy.activation / 1e6;
  });
  const search = imported.declaresBits ? undefined : searchGraph(imported.graph, [2, 4, 8, 16], preset);
  const summary = {
    file,
    graph: imported.graph.name,
    bits: imported.declaresBits ? 'declared in the file' : '16 (none declared)',
    macs: report.totals.macs,
    weights: report.totals.weights,
    energy_uJ: report.energy.total / 1e6,
    ...(search ? { assignments: search.points, front: search.front.length, cheapest: search.front[0], dearest: search.front[search.front.length - 1] } : {}),
  };
  const figures = async (out: string): Promise<Figure[]> => {
    const rows = perLayer.flatMap((l) => (['compute', 'weight', 'activation'] as const).map((term) => ({ layer: l.layer, term, energy: l[term] })));
    const list: Figure[] = [
      await renderFigure(out, 'model-layers', `${imported.graph.name}: energy per layer at ${summary.bits} bits (${preset.name}, closed form)`, {
        data: { values: rows },
        mark: 'bar',
        encoding: { x: { field: 'layer', type: 'nominal', sort: layers, title: null, axis: { labelLimit: 0 } }, y: { field: 'energy', type: 'quantitative', title: 'energy per inference (µJ)' }, color: { field: 'term', type: 'nominal', title: 'term', legend: LEGEND } },
      }),
    ];
    if (search) {
      list.push(
        await renderFigure(out, 'model-front', `${imported.graph.name}: ${search.points} weight-bit assignments from {2, 4, 8, 16}, the energy-vs-precision front`, {
          data: { values: search.front.map((p) => ({ energy: p.energy_uJ, weights: p.weight_kB, bits: p.bits.join(',') })) },
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'energy', type: 'quantitative', title: 'energy per inference (µJ)', scale: { zero: false } }, y: { field: 'weights', type: 'quantitative', title: 'weights kept (kB)' }, tooltip: [{ field: 'bits' }] },
        }),
      );
    }
    return list;
  };
  return { summary, figures };
}

function reproduceCommands(o: ReportStudy, ratesPath: string): string[] {
  const scenario = o.scenario.name;
  return [
    `npx codesign report --scenario ${scenario}${o.quick ? ' --quick' : ''}${o.rates ? ` --rates ${o.rates}` : ''}${o.classical ? ` --classical ${o.classical}` : ''}${o.model ? ` --model ${o.model}` : ''} --out ${o.out}`,
    `npx codesign search --scenario ${scenario} --quality table${o.rates ? `:${o.rates}` : ''} --db ${o.out}/results.duckdb`,
    `# the rates table (${relative(process.cwd(), ratesPath)}) and the classical results beside it:`,
    `bash bench/train-supernets.sh ${scenario} && npx codesign rates --supernets out/supernets/${scenario} --scenario ${scenario}`,
    `npx codesign rates --classical --scenario ${scenario}`,
  ];
}

const fmt = (x: number, digits = 3) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits));

/** What the plain-language summary line is made of. */
interface SummaryInputs {
  readonly scenario: string;
  readonly samples: number;
  readonly bestClassical: BaselinePoint;
  readonly target: number;
  readonly dnnAtTarget: { readonly head: string; readonly arch: string; readonly bits: readonly number[]; readonly sumRate: number; readonly energy_uJ: number } | null;
  readonly wmmseAtTarget: { readonly measured: BaselinePoint | undefined; readonly paper: BaselinePoint | undefined };
  readonly rzfEqualPower: BaselinePoint;
}

function summaryLine(h: SummaryInputs): string {
  const c = h.bestClassical;
  const dnn = h.dnnAtTarget;
  const w = h.wmmseAtTarget;
  const wm = w.measured ? `${fmt(w.measured.energy_uJ.measured)} µJ (measured count, ${w.measured.label})` : 'no WMMSE point reaches it';
  const wp = w.paper ? `${fmt(w.paper.energy_uJ.paper!)} µJ (paper count, ${w.paper.label})` : '';
  return (
    `On ${h.scenario} (${h.samples} test samples), the best classical rate is ${c.sumRate.toFixed(2)} bit/s/Hz (${c.label}). ` +
    (dnn
      ? `The cheapest trained DNN reaching ≥ ${(RATE_SHARE * 100).toFixed(0)}% of it (${h.target.toFixed(2)}) is the ${dnn.head} head at ${dnn.arch}, bits [${dnn.bits.join(',')}]: ${dnn.sumRate.toFixed(2)} bit/s/Hz for ${fmt(dnn.energy_uJ)} µJ. `
      : `No trained DNN in the table reaches ${(RATE_SHARE * 100).toFixed(0)}% of it (${h.target.toFixed(2)}). `) +
    `WMMSE reaching it costs ${wm}${wp ? ` / ${wp}` : ''}; equal-power RZF (${h.rzfEqualPower.sumRate.toFixed(2)} bit/s/Hz) costs ${fmt(h.rzfEqualPower.energy_uJ.measured)} µJ (measured) / ${fmt(h.rzfEqualPower.energy_uJ.paper!)} µJ (paper's ZF count).`
  );
}

const GAIN_EXPLAINED =
  'Gain at equal rate: for each WMMSE result (the best start at each stopping tolerance, and each single start at ε = 10⁻⁵; the paper’s WMMSE starts from MRT), the best energy efficiency (bit/s/Hz/µJ) of a DNN configuration reaching at least that rate, divided by WMMSE’s efficiency; the largest over the points. 0 means no DNN configuration reaches any WMMSE point’s rate. It depends on how WMMSE is counted: the paper counts its eq. (12) real multiplications per iteration (an N_T×N_T inverse), our measured count is what our push-through implementation performs.';

function classicalRows(h: Headline): string[][] {
  return h.classical.map((c) => [c.label, c.sumRate.toFixed(3), c.iterations.toFixed(1), String(c.capped), c.energy_uJ.paper === null ? '—' : fmt(c.energy_uJ.paper, 4), fmt(c.energy_uJ.measured, 4)]);
}
const CLASSICAL_HEADER = ['classical', 'sum rate', 'iterations', 'hit cap', 'µJ (paper count)', 'µJ (measured)'];

function summaryMarkdown(h: Headline, figures: readonly Figure[], commands: readonly string[]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `# codesign report — ${h.scenario}`,
    '',
    h.summaryLine,
    '',
    `Preset ${h.preset}. DNN sum rates: ${h.quality}, ${h.points} design points (mean over the table's seeds where it has several). Classical: ${h.classicalSource}, the same ${h.samples} test samples.${h.missing.length > 0 ? ` The table lacks: ${h.missing.join('; ')}.` : ''}`,
    '',
    row(CLASSICAL_HEADER),
    row(CLASSICAL_HEADER.map(() => '---')),
    ...classicalRows(h).map(row),
    '',
    ...h.headFronts.map((f) => `- ${f.head} head: highest rate ${f.bestRate.arch} [${f.bestRate.bits.join(',')}] ${f.bestRate.sumRate.toFixed(2)} bit/s/Hz at ${fmt(f.bestRate.energy_uJ)} µJ; highest efficiency ${f.bestEfficiency.arch} [${f.bestEfficiency.bits.join(',')}] ${f.bestEfficiency.efficiency.toFixed(2)} bit/s/Hz/µJ at ${f.bestEfficiency.sumRate.toFixed(2)} bit/s/Hz.`),
    `- Largest gain at equal rate against WMMSE: ${fmt(h.maxGainAtEqualRate.paper.gain)}× under the paper's count (against ${h.maxGainAtEqualRate.paper.against}), ${fmt(h.maxGainAtEqualRate.measured.gain)}× under our measured count (against ${h.maxGainAtEqualRate.measured.against}).`,
    '',
    GAIN_EXPLAINED,
    '',
    ...(h.model ? [modelLine(h.model), ''] : []),
    'Reproduce:',
    '',
    '```bash',
    ...commands,
    '```',
    '',
    ...figures.map((f) => `![${f.title}](${f.png})`),
    '',
  ];
  return lines.join('\n');
}

function html(h: Headline, figures: readonly Figure[], commands: readonly string[]): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const cells = (tag: string, xs: readonly string[]) => xs.map((x) => `<${tag}>${esc(x)}</${tag}>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>codesign report — ${esc(h.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}code,pre{background:#f4f4f4;padding:0 .3em}pre{padding:.6em;overflow-x:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:right}td:first-child,th:first-child{text-align:left}.lead{font-size:1.1em;background:#f6f8ff;padding:.8em;border-left:4px solid #4466cc}</style></head><body>
<h1>codesign report — ${esc(h.scenario)}</h1>
<p class="lead">${esc(h.summaryLine)}</p>
<p>Preset <code>${esc(h.preset)}</code>. DNN sum rates: <b>${esc(h.quality)}</b>, ${h.points} design points. Classical: <code>${esc(h.classicalSource)}</code>, the same ${h.samples} test samples.${h.missing.length > 0 ? ` The table lacks: ${esc(h.missing.join('; '))}.` : ''}</p>
<table><tr>${cells('th', CLASSICAL_HEADER)}</tr>${classicalRows(h).map((r) => `<tr>${cells('td', r)}</tr>`).join('')}</table>
<ul>
${h.headFronts.map((f) => `<li>${esc(f.head)} head: highest rate ${esc(f.bestRate.arch)} [${f.bestRate.bits.join(',')}] ${f.bestRate.sumRate.toFixed(2)} bit/s/Hz at ${fmt(f.bestRate.energy_uJ)} µJ; highest efficiency ${esc(f.bestEfficiency.arch)} [${f.bestEfficiency.bits.join(',')}] ${f.bestEfficiency.efficiency.toFixed(2)} bit/s/Hz/µJ</li>`).join('\n')}
<li>Largest gain at equal rate against WMMSE: ${fmt(h.maxGainAtEqualRate.paper.gain)}× under the paper's count (against ${esc(h.maxGainAtEqualRate.paper.against)}), ${fmt(h.maxGainAtEqualRate.measured.gain)}× under our measured count (against ${esc(h.maxGainAtEqualRate.measured.against)})</li>
</ul>
<p>${esc(GAIN_EXPLAINED)}</p>
${h.model ? `<h2>Your model</h2><p>${esc(modelLine(h.model))}</p>` : ''}
${figures.map((f) => `<figure><img src="${f.png}" alt="${esc(f.title)}"><figcaption>${esc(f.title)} — <a href="${f.svg}">SVG</a>, <a href="${f.spec}">vega-lite spec</a></figcaption></figure>`).join('\n')}
<h2>Reproduce</h2>
<pre>${esc(commands.join('\n'))}</pre>
<p>Numbers as JSON: <a href="summary.json">summary.json</a>; as Markdown: <a href="summary.md">summary.md</a>.</p>
</body></html>
`;
}

/** Legends and axis labels are never cut short (vega-lite's default label limit truncates them). */
const LEGEND = { labelLimit: 0, titleLimit: 0 };

async function reportFigures(
  out: string,
  d: {
    points: readonly StoredPoint[];
    headFronts: readonly { head: string; front: readonly StoredPoint[] }[];
    classical: readonly BaselinePoint[];
    wmmse: readonly BaselinePoint[];
    scenario: string;
    qualityLabel: string;
    preset: Parameters<typeof layerSplit>[0];
    quick: boolean;
  },
  progress: Progress,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const task = progress.task('figures', d.quick ? 3 : 6);
  const add = (f: Figure) => {
    figures.push(f);
    task.tick(1, f.name);
  };
  // One panel per head (their rates lie far apart), one colour per architecture, its front drawn.
  const onFront = new Set(frontsByArchitecture(d.points).flatMap((f) => f.front.map((p) => p.hash)));
  const rows = d.points.map((p) => ({ head: `${p.head} head`, arch: `${p.cout}/${p.dfcl}`, efficiency: p.sumRate / p.energy_uJ, sumRate: p.sumRate, front: onFront.has(p.hash) }));
  const rate = { field: 'sumRate', type: 'quantitative', title: 'sum rate (bit/s/Hz)', scale: { zero: false } };
  const eff = { field: 'efficiency', type: 'quantitative', title: 'energy efficiency (bit/s/Hz/µJ)', scale: { type: 'log' } };
  const arch = { field: 'arch', type: 'nominal', title: 'C_out/D_FCL', sort: ARCHS.map((a) => `${a.cout}/${a.dfcl}`), scale: { scheme: 'tableau10' }, legend: LEGEND };
  add(
    await renderFigure(out, 'pareto-architectures', `Pareto fronts per head and architecture on ${d.scenario} (trained rates)`, {
      data: { values: rows },
      facet: { column: { field: 'head', type: 'nominal', title: null } },
      spec: {
        width: 380,
        height: 320,
        layer: [
          { mark: { type: 'point', opacity: 0.3, size: 12 }, encoding: { x: rate, y: eff, color: arch } },
          { transform: [{ filter: 'datum.front' }], mark: { type: 'line', point: true }, encoding: { x: rate, y: eff, color: arch, order: { field: 'sumRate' } } },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    }),
  );
  const vsRows = [
    ...d.headFronts.flatMap((h) => h.front.map((p) => ({ curve: `DNN front, ${h.head} head`, sumRate: p.sumRate, efficiency: p.sumRate / p.energy_uJ }))),
    ...d.wmmse.flatMap((w) => [
      ...(w.energy_uJ.paper === null ? [] : [{ curve: 'WMMSE, best start, by tolerance (paper count)', sumRate: w.sumRate, efficiency: w.sumRate / w.energy_uJ.paper }]),
      { curve: 'WMMSE, best start, by tolerance (measured count)', sumRate: w.sumRate, efficiency: w.sumRate / w.energy_uJ.measured },
    ]),
  ];
  const linear = d.classical.filter((c) => !c.label.startsWith('WMMSE')).flatMap((c) => [
    { precoder: `${c.label} (measured count)`, sumRate: c.sumRate, efficiency: c.sumRate / c.energy_uJ.measured },
    ...(c.energy_uJ.paper === null ? [] : [{ precoder: `${c.label} (paper count)`, sumRate: c.sumRate, efficiency: c.sumRate / c.energy_uJ.paper }]),
  ]);
  add(
    await renderFigure(out, 'dnn-vs-classical', `Trained DNN fronts vs WMMSE (tolerance curve), ZF, RZF, equal-power RZF and MRT on ${d.scenario}`, {
      width: 700,
      layer: [
        { data: { values: vsRows }, mark: { type: 'line', point: true }, encoding: { x: rate, y: eff, color: { field: 'curve', type: 'nominal', title: 'fronts and curves', legend: LEGEND }, order: { field: 'sumRate' } } },
        { data: { values: linear }, mark: { type: 'point', filled: true, size: 80, color: '#555' }, encoding: { x: rate, y: eff, shape: { field: 'precoder', type: 'nominal', title: 'linear precoders (one solve)', legend: LEGEND } } },
      ],
      resolve: { legend: { color: 'independent', shape: 'independent' } },
    }),
  );
  const layers = [...layerSplit(d.preset, [16, 16, 16, 16]), ...layerSplit(d.preset, [2, 2, 2, 2]), ...layerSplit(d.preset, [16, 16, 16, 16], 'structured'), ...layerSplit(d.preset, [2, 2, 2, 2], 'structured')];
  add(
    await renderFigure(out, 'layer-energy', 'Energy per layer of the (64, 1024) precoder, per head and bit configuration', {
      data: { values: layers.flatMap((l) => (['compute', 'weight', 'activation'] as const).map((k) => ({ layer: l.layer, config: l.config, term: k === 'compute' ? 'E_C compute' : k === 'weight' ? 'E_W weights' : 'E_A activations', uJ: l[k] }))) },
      mark: 'bar',
      encoding: {
        column: { field: 'layer', type: 'nominal', title: 'layer', sort: null },
        x: { field: 'config', type: 'nominal', title: null, axis: { labelAngle: -40, labelLimit: 0 } },
        y: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ)' },
        color: { field: 'term', type: 'nominal', title: 'term', legend: LEGEND },
      },
      width: 120,
    }),
  );
  if (!d.quick) {
    const sweep = pSweep(d.preset, [4, 16, 64, 256, 1024]);
    const p = { field: 'p', type: 'quantitative', title: 'processing elements p', scale: { type: 'log', base: 2 } };
    add(
      await renderFigure(out, 'p-sweep-energy', 'Energy vs p: engine (weight-stationary, batch 1) and closed form, (64, 1024) precoder', {
        data: { values: sweep.flatMap((s) => [{ p: s.p, model: 'engine', uJ: s.energy_uJ }, { p: s.p, model: 'closed form', uJ: s.closedForm_uJ }]) },
        mark: { type: 'line', point: true },
        encoding: { x: p, y: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ)', scale: { type: 'log' } }, color: { field: 'model', type: 'nominal', legend: LEGEND } },
      }),
    );
    add(
      await renderFigure(out, 'p-sweep-cycles', 'Cycles vs p (engine, weight-stationary, batch 1), (64, 1024) precoder', {
        data: { values: sweep.map((s) => ({ p: s.p, cycles: s.cycles })) },
        mark: { type: 'line', point: true },
        encoding: { x: p, y: { field: 'cycles', type: 'quantitative', title: 'cycles per inference', scale: { type: 'log' } } },
      }),
    );
    const versus = engineVsClosed(d.preset);
    add(
      await renderFigure(out, 'engine-vs-closed', 'Engine vs closed form per op (8×8 weight-stationary array, batch 1), (64, 1024) precoder', {
        data: { values: versus.flatMap((v) => [{ op: v.layer, model: 'engine', uJ: v.engine }, { op: v.layer, model: 'closed form', uJ: v.closedForm }]).filter((r) => r.uJ > 0) },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y: { field: 'op', type: 'nominal', sort: null, title: 'op', axis: { labelLimit: 0 } },
          x: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ, log scale)', scale: { type: 'log' } },
          color: { field: 'model', type: 'nominal', legend: LEGEND },
          shape: { field: 'model', type: 'nominal' },
        },
      }),
    );
  }
  task.end();
  return figures;
}
