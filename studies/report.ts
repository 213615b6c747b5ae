/**
 * `codesign report` (and `npm start`'s quick report): the co-design figures and headline
 * numbers for a scenario, written to an HTML page with a Markdown summary beside it. DNN rates
 * come from the scenario's rates table of trained networks; the classical rates and iteration
 * counts from its classical results on the same test samples (both shipped in data/rates/).
 */
import { experimentTable } from '../search/experiment.ts';
import { makeFolders, writeWhole } from '../core/files.ts';
import { join, relative, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { doneOfTotal, SILENT, type Progress } from '../core/progress.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { efficiencyFront, runSearch, describeQuality, type Experiment } from '../search/run.ts';
import { seed000Archs } from '../search/space.ts';
import { classicalPoint, engineVsClosed, frontsByArchitecture, gainAtEqualRate, layerSplit, nasArrows, pSweep, type BaselinePoint, type PrecoderShape } from './report-numbers.ts';
import { headsOfTable, pointKey, ratesFile, type TableRate } from '../search/rates-table.ts';
import { againstFrontier, bestGain, classicalFrontier, dnnLabel, RATE_SHARE, verdictPerTable, type Count, type TableVerdict } from './verdict.ts';
import { PRESETS } from '../sim/presets.ts';
import { mimoSize } from '../scenarios/schema.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import { describeMachine, machineOf } from '../sim/machine.ts';
import { learningCurves, type LearningCurve } from './curves.ts';
import { readCells, regimeMapSpec, regimeSummary, REGIMES_DIR, type CellResult } from './regimes.ts';
import { linkEnergySpec, linkNoiseSpec, linkRateSpec, linkStudiesByKind, linkSummary, readLinkStudies } from './link-report.ts';
import { tableQuality } from '../search/table-quality.ts';
import { ResultsStore, type StoredPoint } from '../search/store.ts';
import { classicalFile, loadClassical } from './rates.ts';
import { copyEmbedScripts, renderFigure, type Figure } from './charts.ts';
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
  /** An ONNX model priced beside the precoders: its per-layer energy and energy-vs-noise front. */
  readonly model?: string;
}

export { RATE_SHARE } from './verdict.ts';

const ARCHS = seed000Archs();

/**
 * The architectures a report draws: the paper's eight when the table holds any of them (those it
 * lacks are listed as missing), then any other architecture the table holds (e.g. a small
 * network trained at N_U = 8).
 */
function tableArchitectures(rates: ReadonlyMap<string, TableRate>): { cout: number; dfcl: number }[] {
  const inTable = new Set([...rates.keys()].map((k) => k.split('|')[1]));
  const isPaper = (a: string) => ARCHS.some((p) => `${p.cout}x${p.dfcl}` === a);
  const extra = [...inTable].filter((a) => !isPaper(a)).map((a) => ({ cout: Number(a.split('x')[0]), dfcl: Number(a.split('x')[1]) }));
  const paper = [...inTable].some(isPaper) || extra.length === 0;
  return [...(paper ? ARCHS : []), ...extra.sort((a, b) => a.cout - b.cout || a.dfcl - b.dfcl)];
}

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
  makeFolders(out);

  // The scenario's size and the table's architectures (the paper's eight when it holds any of them).
  const size = mimoSize(scenario);
  const archs = tableArchitectures(quality.rates);
  const tableHeads = headsOfTable(quality.rates);
  const exp: Experiment = { name: `report-${scenario.name}`, heads: tableHeads, archs, bitChoices: [2, 4, 8, 16], ...experimentTable(preset), quality: { source: 'table', file: relative(process.cwd(), ratesPath), scenario: scenario.name }, ...(size.nt !== 64 || size.nu !== 4 ? { size } : {}) };
  const largest = archs.reduce((a, b) => (b.cout * b.dfcl > a.cout * a.dfcl ? b : a));
  const shape: PrecoderShape = { ...largest, ...size };
  const qualityLabel = describeQuality(exp.quality);
  log(`search: the seed-000 space × ${tableHeads.length} heads into the results store (${qualityLabel})`);
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
  const classicalPoints = priced.map((c) => c.point);
  // The paper's comparison: WMMSE from the best start along its tolerance curve.
  const wmmse = priced.filter((c) => c.summary.algorithm === 'wmmse' && c.summary.wmmse?.init === 'best').map((c) => c.point);
  const byLabel = (label: string) => priced.find((c) => c.summary.label === label)?.point;
  const best = priced.reduce((a, b) => (b.point.sumRate > a.point.sumRate ? b : a)).point;
  const target = RATE_SHARE * best.sumRate;
  const rzfEp = byLabel('equal-power RZF')!;
  const heads = PRECODER_HEAD_NAMES.filter((h) => points.some((p) => p.head === h));
  const headFronts = heads.map((head) => ({ head, front: efficiencyFront(points.filter((p) => p.head === head)).map((f) => f.item) }));
  const front = efficiencyFront(points).map((f) => f.item);
  // The headline: every point of the DNN front against the classical frontier (the cheapest classical answer at its rate).
  const frontier = Object.fromEntries(
    (['measured', 'paper'] as const).map((count: Count) => {
      const comparisons = againstFrontier(front, quality.rates, classicalPoints, rzfEp, count);
      const top = bestGain(comparisons);
      return [
        count,
        {
          frontier: classicalFrontier(classicalPoints, count).map((c) => ({ label: c.label, sumRate: c.sumRate, energy_uJ: c.energy_uJ[count]! })),
          best: top ? { dnn: dnnLabel(top.point), claimedRate: top.claimedRate, dnnEnergy_uJ: top.point.energy_uJ, classical: top.classical!.label, classicalEnergy_uJ: top.classical!.energy_uJ[count]!, gain: top.gain! } : null,
        },
      ];
    }),
  ) as Record<Count, { frontier: { label: string; sumRate: number; energy_uJ: number }[]; best: { dnn: string; claimedRate: number; dnnEnergy_uJ: number; classical: string; classicalEnergy_uJ: number; gain: number } | null }>;
  const paperComparison = { paper: gainAtEqualRate(front, wmmse, 'paper'), measured: gainAtEqualRate(front, wmmse, 'measured') };
  const { nt, nu } = size;
  const noiseVar = 10 ** (-scenario.snrDb / 10);
  log(`verdict: the cheapest answer at ${(RATE_SHARE * 100).toFixed(0)}% of the best classical rate under each of ${PRESETS.length} hardware tables (closed form and engine)`);
  const verdict = verdictPerTable({ points, rates: quality.rates, classical: priced, nt, nu, noiseVar }, PRESETS);
  const frontTable = frontRows(headFronts, quality.rates, preset, { nt, nu, noiseVar });
  const regimes = readCells(REGIMES_DIR);
  const links = readLinkStudies();
  const structured = points.filter((p) => p.head === 'structured').map((p) => quality.rates.get(pointKey(p))?.vsRzfEp).filter((d) => d !== null && d !== undefined);
  const base = {
    scenario: scenario.name,
    // Which users the test split holds, as the classical results (measured on the same samples as the table) record it.
    split: scenario.model !== 'site' ? 'test split' : classical.holdout === undefined ? 'test split (written before users were held out by position: test users stood where training users stood)' : `test split, users at ${classical.holdout === 'positions' ? 'positions no training user stood at' : 'positions training users also stood at (holdout: groups)'}`,
    preset: preset.name,
    machine: describeMachine(preset),
    quality: qualityLabel,
    samples: tableSamples,
    classicalSource: relative(process.cwd(), classicalPath),
    points: points.length,
    missing,
    bestClassical: best,
    target,
    rzfEqualPower: rzfEp,
    classical: classicalPoints,
    verdict,
    frontier,
    paperComparison,
    regimeMap: regimeSummary(regimes),
    link: linkSummary(links),
    structuredVsRzfEp: structured.length === 0 ? null : { rows: structured.length, above: structured.filter((d) => d!.mean - d!.ci95 > 0).length, below: structured.filter((d) => d!.mean + d!.ci95 < 0).length, largest: Math.max(...structured.map((d) => d!.mean)) },
    front: frontTable,
    lowBitAbove16: lowBitChecks(points, quality.rates),
    headFronts: headFronts.map((h) => {
      const top = h.front.reduce((a, b) => (b.sumRate > a.sumRate ? b : a));
      const eff = h.front.reduce((a, b) => (b.sumRate / b.energy_uJ > a.sumRate / a.energy_uJ ? b : a));
      return { head: h.head, bestRate: pointSummary(top), bestEfficiency: pointSummary(eff) };
    }),
    nasArrows: Object.fromEntries(heads.map((h) => [h, nasArrows(frontsByArchitecture(points.filter((p) => p.head === h)))])),
  };
  // A user's model, read before anything is drawn (a bad file stops the report here).
  const model = o.model === undefined ? undefined : modelSection(o.model, preset);
  const headline = { ...base, summaryLine: summaryLine(base), ...(model ? { model: model.summary } : {}) };

  const curves = learningCurves(ratesPath, scenario.name);
  const recommended = verdict.find((v) => v.table === preset.name)?.cheapestDnn ?? null;
  const figures = await reportFigures(out, { points, rates: quality.rates, front: frontTable, headFronts, classical: classicalPoints, wmmse, scenario: scenario.name, qualityLabel, preset, quick: o.quick, curves, regimes, links, recommended, target, shape, archs }, progress);
  copyEmbedScripts(out);
  if (model) figures.push(...(await model.figures(out)));
  const commands = reproduceCommands(o, ratesPath);
  writeWhole(join(out, 'summary.json'), JSON.stringify(headline, null, 2));
  writeWhole(join(out, 'summary.md'), summaryMarkdown(headline, figures, commands));
  writeWhole(join(out, 'index.html'), html(headline, figures, commands));
  return { out, index: join(out, 'index.html'), headline, figures };
}

type Headline = Awaited<ReturnType<typeof writeReport>>['headline'];

function modelLine(m: NonNullable<Headline['model']>): string {
  const front = 'front' in m && m.cheapest && m.dearest ? ` Weight bits from {2, 4, 8, 16}: ${m.assignments} assignments, ${m.front} on the exact energy-vs-noise front, from [${m.cheapest.bits.join(',')}] at ${fmt(m.cheapest.energy_uJ)} µJ to [${m.dearest.bits.join(',')}] at ${fmt(m.dearest.energy_uJ)} µJ.` : '';
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
 * declares none, the exact energy-vs-noise front of its weight-bit assignments from {2, 4, 8, 16}.
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
  const search = imported.declaresBits ? undefined : searchGraph(imported.graph, [2, 4, 8, 16], preset, imported.kernels);
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
        await renderFigure(out, 'model-front', `${imported.graph.name}: the exact front of ${search.points} weight-bit assignments from {2, 4, 8, 16} (energy vs quantization-noise proxy)`, {
          data: { values: search.front.map((p) => ({ energy: p.energy_uJ, noise: p.noiseProxy, weights: p.weight_kB, bits: p.bits.join(',') })) },
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'energy', type: 'quantitative', title: 'energy per inference (µJ)', scale: { zero: false } }, y: { field: 'noise', type: 'quantitative', title: 'noise proxy Σ‖W − Q(W)‖²/‖W‖² (LSQ)', scale: { type: 'symlog', constant: 1e-6 } }, tooltip: [{ field: 'bits' }, { field: 'energy' }, { field: 'noise' }, { field: 'weights', title: 'weights kB' }] },
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
const pm = (rate: number, ci: number | null | undefined, digits = 3) => `${rate.toFixed(digits)}${ci === null || ci === undefined ? '' : ` ± ${ci.toFixed(digits)}`}`;
const signed = (x: number, digits = 3) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/** A front point of the report: its rate with uncertainty, energy by term (closed form) and on the machine (engine). */
export interface FrontRow {
  readonly head: string;
  readonly arch: string;
  readonly bits: readonly number[];
  readonly label: string;
  readonly sumRate: number;
  readonly ci95: number | null;
  readonly vsRzfEp: { readonly mean: number; readonly ci95: number; readonly verdict: string } | null;
  readonly vsWmmse: { readonly mean: number; readonly ci95: number; readonly verdict: string } | null;
  readonly closedForm_uJ: { readonly compute: number; readonly weight: number; readonly activation: number; readonly total: number };
  readonly engine_uJ: number;
  /** The engine's energy by the same terms as the closed form's (ratios per term: docs/results.md). */
  readonly engineTerms_uJ: { readonly compute: number; readonly weight: number; readonly activation: number };
  readonly cycles: number;
  readonly latency_us: number;
}

const verdictOf = (d: { mean: number; ci95: number }) => (d.mean - d.ci95 > 0 ? 'higher' : d.mean + d.ci95 < 0 ? 'lower' : 'equal within noise');

/** Each head's efficiency front, priced by the closed form (by term) and by the engine on the table's machine. */
function frontRows(fronts: readonly { head: string; front: readonly StoredPoint[] }[], rates: ReadonlyMap<string, TableRate>, preset: HardwarePreset, size: { nt: number; nu: number; noiseVar: number }): FrontRow[] {
  const machine = machineOf(preset);
  return fronts.flatMap((f) =>
    [...f.front]
      .sort((a, b) => a.energy_uJ - b.energy_uJ)
      .map((p) => {
        const graph = buildPrecoder({ cout: p.cout, dfcl: p.dfcl, nt: size.nt, nu: size.nu, bits: p.bits as [number, number, number, number], head: p.head, noiseVar: size.noiseVar });
        const closed = priceGraph(graph, preset).energy;
        const engine = simulateGraph(graph, machine, preset);
        const r = rates.get(pointKey(p));
        const paired = (d: { mean: number; ci95: number } | null | undefined) => (d ? { ...d, verdict: verdictOf(d) } : null);
        return {
          head: p.head,
          arch: `${p.cout}/${p.dfcl}`,
          bits: p.bits,
          label: dnnLabel(p),
          sumRate: p.sumRate,
          ci95: r?.ci95 ?? null,
          vsRzfEp: paired(r?.vsRzfEp),
          vsWmmse: paired(r?.vsWmmse),
          closedForm_uJ: { compute: closed.compute / 1e6, weight: closed.weight / 1e6, activation: closed.activation / 1e6, total: closed.total / 1e6 },
          engine_uJ: engine.energy.total / 1e6,
          engineTerms_uJ: { compute: engine.energy.compute / 1e6, weight: engine.energy.weight / 1e6, activation: engine.energy.activation / 1e6 },
          cycles: engine.cycles,
          latency_us: engine.cycles / machine.clockMHz,
        };
      }),
  );
}

/**
 * Per head and architecture: does the 2-bit configuration rate above its 16-bit twin beyond both
 * intervals? (It should not: a quantized network that beats its own 16-bit self points at a
 * training artefact, as the stale LSQ steps of issue #29 were.)
 */
function lowBitChecks(points: readonly StoredPoint[], rates: ReadonlyMap<string, TableRate>) {
  const archs = [...new Set(points.map((p) => `${p.head}|${p.cout}|${p.dfcl}`))];
  return archs.flatMap((key) => {
    const [head, cout, dfcl] = key.split('|');
    const at = (b: number) => rates.get(`${head}|${cout}x${dfcl}|${[b, b, b, b].join('/')}`);
    const low = at(2);
    const high = at(16);
    if (!low || !high || low.ci95 === null || high.ci95 === null) return [];
    return [{ design: `${head} head ${cout}/${dfcl}`, rate2: low.sumRate, ci2: low.ci95, rate16: high.sumRate, ci16: high.ci95, above: low.sumRate - low.ci95 > high.sumRate + high.ci95 }];
  });
}

/** What the plain-language summary line is made of. */
interface SummaryInputs {
  readonly scenario: string;
  readonly split: string;
  readonly samples: number;
  readonly preset: string;
  readonly bestClassical: BaselinePoint;
  readonly target: number;
  readonly rzfEqualPower: BaselinePoint;
  readonly verdict: readonly TableVerdict[];
  readonly frontier: Record<Count, { readonly best: { readonly dnn: string; readonly claimedRate: number; readonly dnnEnergy_uJ: number; readonly classical: string; readonly classicalEnergy_uJ: number; readonly gain: number } | null }>;
}

/** The answer in words: what is cheapest at the target, and whether any DNN beats the classical frontier anywhere. */
export function summaryLine(h: SummaryInputs): string {
  const c = h.bestClassical;
  const v = h.verdict.find((t) => t.table === h.preset) ?? h.verdict[0];
  const a = v.answer;
  const answer = `${a.kind === 'dnn' ? 'the trained DNN' : 'the classical'} ${a.label}: ${pm(a.sumRate, a.ci95, 2)} bit/s/Hz for ${fmt(a.closedForm_uJ)} µJ (closed form; engine ${fmt(a.engine_uJ)} µJ, ${fmt(a.latency_us)} µs on ${v.machine.split(' — ')[0]})`;
  const dnn = v.cheapestDnn;
  const dnnPart = a.kind === 'dnn'
    ? `The cheapest classical answer there, ${v.cheapestClassical.label}, costs ${fmt(v.cheapestClassical.closedForm_uJ)} µJ. `
    : dnn
      ? `The cheapest trained DNN reaching it, ${dnn.label}, costs ${fmt(dnn.closedForm_uJ)} µJ, ${fmt(dnn.closedForm_uJ / a.closedForm_uJ)}× as much. `
      : `No trained DNN in the table reaches it. `;
  const m = h.frontier.measured.best;
  const frontier = m
    ? `Against the classical frontier (the cheapest classical answer at each rate, our measured count), the largest gain is ${fmt(m.gain)}×: ${m.dnn} reaches ${m.claimedRate.toFixed(2)} bit/s/Hz for ${fmt(m.dnnEnergy_uJ)} µJ where ${m.classical} needs ${fmt(m.classicalEnergy_uJ)} µJ.`
    : `No trained DNN beats the classical frontier anywhere: at every rate a DNN reaches, a classical answer reaches it for less energy (our measured count); the cheapest classical answer at ${(RATE_SHARE * 100).toFixed(0)}% of the best rate is ${v.cheapestClassical.label} at ${fmt(v.cheapestClassical.closedForm_uJ)} µJ.`;
  return (
    `On ${h.scenario} (${h.samples} samples of the ${h.split}), the best classical rate is ${pm(c.sumRate, c.ci95, 2)} bit/s/Hz (${c.label}). ` +
    `Under ${h.preset}, the cheapest answer reaching ${(RATE_SHARE * 100).toFixed(0)}% of it (${h.target.toFixed(2)}) is ${answer}. ` +
    dnnPart +
    frontier
  );
}

const ENGINE_EXPLAINED =
  'Engine vs closed form: the same compute energy; the engine\u2019s weight term is larger because at batch 1 each weight a dense layer reads from its local buffer feeds one MAC, where the closed form assumes √p (eq. 10), and its activation term is larger because partial sums and output-buffer writes cross main memory, which the closed form does not count (docs/engine.md; `npx codesign simulate --net precoder --head structured --cout 8 --dfcl 512 --bits 2,2,2,2` lists the reasons per op).';

const FRONTIER_EXPLAINED =
  'The classical frontier: for each rate, the cheapest classical answer reaching it, over MRT, ZF, RZF, equal-power RZF and WMMSE from every start (and the best of them) at every stopping tolerance. A DNN point is set against the frontier at its rate; its rate counts above equal-power RZF’s only where the paired difference on the same test samples is above zero beyond its 95% interval (otherwise it is equal within noise). Energies: the closed form (seed 000 eq. 7–14) under the table; the classical counts are ours as measured (what our implementations perform) or the paper’s (eq. 12–13, an N_T×N_T inverse per WMMSE iteration).';

function classicalRows(h: Headline): string[][] {
  return h.classical.map((c) => [c.label, pm(c.sumRate, c.ci95), c.iterations.toFixed(1), String(c.capped), c.energy_uJ.paper === null ? '—' : fmt(c.energy_uJ.paper, 4), fmt(c.energy_uJ.measured, 4)]);
}
const CLASSICAL_HEADER = ['classical', 'sum rate ± 95% CI', 'iterations', 'hit cap', 'µJ (paper count)', 'µJ (measured)'];

const VERDICT_HEADER = ['hardware table', `cheapest answer at ${(RATE_SHARE * 100).toFixed(0)}% of the best classical rate`, 'sum rate ± 95% CI', 'closed form µJ', 'engine µJ', 'latency µs', 'cheapest DNN there (closed form µJ; − equal-power RZF, paired)'];
function verdictRows(h: Headline): string[][] {
  return h.verdict.map((v) => [
    v.table,
    `${v.answer.kind === 'dnn' ? 'DNN' : 'classical'}: ${v.answer.label}`,
    pm(v.answer.sumRate, v.answer.ci95),
    fmt(v.answer.closedForm_uJ, 4),
    fmt(v.answer.engine_uJ, 4),
    fmt(v.answer.latency_us, 4),
    v.cheapestDnn ? `${v.cheapestDnn.label} (${fmt(v.cheapestDnn.closedForm_uJ, 4)}${v.cheapestDnn.paired?.vsRzfEp ? `; ${signed(v.cheapestDnn.paired.vsRzfEp.mean)} ± ${v.cheapestDnn.paired.vsRzfEp.ci95.toFixed(3)}` : ''})` : 'none reaches it',
  ]);
}

const FRONT_HEADER = ['DNN (front)', 'sum rate ± 95% CI', 'DNN − equal-power RZF (paired)', 'DNN − WMMSE (paired)', 'closed form µJ (E_C / E_W / E_A)', 'engine µJ (E_C / E_W / E_A)', 'latency µs'];
function frontTableRows(h: Headline): string[][] {
  const paired = (d: FrontRow['vsRzfEp']) => (d ? `${signed(d.mean)} ± ${d.ci95.toFixed(3)} (${d.verdict})` : '—');
  return h.front.map((r) => [r.label, pm(r.sumRate, r.ci95), paired(r.vsRzfEp), paired(r.vsWmmse), `${fmt(r.closedForm_uJ.total, 4)} (${fmt(r.closedForm_uJ.compute)} / ${fmt(r.closedForm_uJ.weight)} / ${fmt(r.closedForm_uJ.activation)})`, `${fmt(r.engine_uJ, 4)} (${fmt(r.engineTerms_uJ.compute)} / ${fmt(r.engineTerms_uJ.weight)} / ${fmt(r.engineTerms_uJ.activation)})`, fmt(r.latency_us, 4)]);
}

function paperLine(h: Headline): string {
  const best = (xs: readonly { label: string; gain: number | null }[]) => xs.reduce<{ label: string; gain: number } | null>((a, x) => (x.gain !== null && (a === null || x.gain > a.gain) ? { label: x.label, gain: x.gain } : a), null);
  const p = best(h.paperComparison.paper);
  const m = best(h.paperComparison.measured);
  return p || m
    ? `The paper's comparison (DNN vs WMMSE from the best start, along its tolerance curve): at best ${p ? `${fmt(p.gain)}× (paper count, against ${p.label})` : 'no gain under the paper count'}, ${m ? `${fmt(m.gain)}× (measured count, against ${m.label})` : 'no gain under our measured count'}. This compares with WMMSE only; the frontier above compares with the cheapest classical answer.`
    : `The paper's comparison (DNN vs WMMSE from the best start, along its tolerance curve): no DNN configuration reaches any of its rates.`;
}

function lowBitLine(h: Headline): string | null {
  const rows = h.lowBitAbove16;
  if (rows.length === 0) return null;
  const above = rows.filter((r) => r.above);
  return above.length === 0
    ? `No architecture's [2,2,2,2] rates above its [16,16,16,16] beyond their 95% intervals (${rows.length} checked).`
    : `${above.length} of ${rows.length} architectures rate higher at [2,2,2,2] than at [16,16,16,16] beyond their 95% intervals — a sign of a training artefact: ${above.map((r) => `${r.design} (${pm(r.rate2, r.ci2)} vs ${pm(r.rate16, r.ci16)})`).join('; ')}.`;
}

function structuredLine(h: Headline): string | null {
  const s = h.structuredVsRzfEp;
  if (!s) return null;
  return `Structured head vs its structure alone (FCL3's output at zero is equal-power RZF): of ${s.rows} configurations, ${s.above} rate above equal-power RZF beyond their paired 95% interval, ${s.below} below, the rest equal within noise; the largest mean difference is ${signed(s.largest)} bit/s/Hz.`;
}

/** The feedback-link study in one sentence (figures link-*), or null when none is shipped. */
function linkLine(h: Headline): string | null {
  const l = h.link;
  if (!l) return null;
  const codec = l.bestCodecVsCodebook
    ? l.codecBeatsCodebook.length > 0
      ? `a learned codec beats the DFT codebook at no more bits in ${l.codecBeatsCodebook.length} rows (${l.codecBeatsCodebook.join('; ')})`
      : `no learned codec beats the DFT codebook at no more bits; the closest, ${l.bestCodecVsCodebook.codec} with ${l.bestCodecVsCodebook.precoder} (${l.bestCodecVsCodebook.bits} bits), rates ${signed(l.bestCodecVsCodebook.codecMinusDft.mean)} ± ${l.bestCodecVsCodebook.codecMinusDft.ci95.toFixed(3)} bit/s/Hz against ${l.bestCodecVsCodebook.dft} (${l.bestCodecVsCodebook.dftBits} bits), paired`
    : 'no learned codec in the study';
  const n = l.learnedPrecoder;
  const net = n ? `; a trained precoder on the rebuilt channels is at best ${signed(n.vsClassical.mean)} ± ${n.vsClassical.ci95.toFixed(3)} bit/s/Hz against the best classical precoder on the same channels (${n.precoder} vs ${n.classical} on ${n.feedback}: ${n.vsClassical.verdict === 'higher' ? 'higher' : n.vsClassical.verdict}, for ${n.bs_uJ.toPrecision(3)} µJ against ${n.classicalBs_uJ.toPrecision(3)} µJ at the base station)` : '';
  return `CSI feedback link (${l.source}): ${codec}${net}; WMMSE on perfect CSI ${l.perfectWmmse.sumRate.toFixed(2)} ± ${l.perfectWmmse.ci95.toFixed(2)}.`;
}

/** The regime map in one sentence (figure regime-map), or null when none is shipped. */
function regimeLine(h: Headline): string | null {
  const m = h.regimeMap;
  if (!m) return null;
  const won = m.dnnCheaper.length === 0 ? 'in none of them is a trained DNN the cheapest answer reaching 98% of the best classical rate' : `a trained DNN is the cheapest answer reaching 98% of the best classical rate in ${m.dnnCheaper.length}: ${m.dnnCheaper.join('; ')}`;
  return `Regime map (${m.source}): ${m.cells} cells; ${won}; a DNN reaches the target but costs more in ${m.classicalCheaper}, none reaches it in ${m.noDnnReaches}.`;
}

function summaryMarkdown(h: Headline, figures: readonly Figure[], commands: readonly string[]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const tableOf = (header: readonly string[], rows: readonly string[][]) => [row(header), row(header.map(() => '---')), ...rows.map(row)];
  const lines = [
    `# codesign report — ${h.scenario}`,
    '',
    h.summaryLine,
    '',
    `Preset ${h.preset}; engine on ${h.machine}. DNN sum rates: ${h.quality}, ${h.points} design points (mean over the table's seeds where it has several), on ${h.samples} samples of the ${h.split}. Classical: ${h.classicalSource}, the same samples.${h.missing.length > 0 ? ` The table lacks: ${h.missing.join('; ')}.` : ''}`,
    '',
    '## The verdict per hardware table',
    '',
    ...tableOf(VERDICT_HEADER, verdictRows(h)),
    '',
    '## Classical precoders',
    '',
    ...tableOf(CLASSICAL_HEADER, classicalRows(h)),
    '',
    '## DNN fronts',
    '',
    ...tableOf(FRONT_HEADER, frontTableRows(h)),
    '',
    ...[structuredLine(h), lowBitLine(h), paperLine(h), regimeLine(h), linkLine(h)].filter((x): x is string => x !== null).map((x) => `- ${x}`),
    '',
    FRONTIER_EXPLAINED,
    '',
    ENGINE_EXPLAINED,
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
  const tableOf = (header: readonly string[], rows: readonly string[][]) => `<table><tr>${cells('th', header)}</tr>${rows.map((r) => `<tr>${cells('td', r)}</tr>`).join('')}</table>`;
  // The specs inline (a page opened from disk cannot fetch its JSON files), drawn by vega-embed from lib/.
  const specs = JSON.stringify(figures.map((f) => ({ id: `fig-${f.name}`, spec: f.vegaLite }))).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>codesign report — ${esc(h.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}figure{margin:2em 0}img{max-width:100%;border:1px solid #ddd}code,pre{background:#f4f4f4;padding:0 .3em}pre{padding:.6em;overflow-x:auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}.lead{font-size:1.1em;background:#f6f8ff;padding:.8em;border-left:4px solid #4466cc}.chart{min-height:200px}</style>
${['lib/vega.min.js', 'lib/vega-lite.min.js', 'lib/vega-embed.min.js'].map((src) => `<script src="${src}"></script>`).join('\n')}</head><body>
<h1>codesign report — ${esc(h.scenario)}</h1>
<p class="lead">${esc(h.summaryLine)}</p>
<p>Preset <code>${esc(h.preset)}</code>; engine on ${esc(h.machine)}. DNN sum rates: <b>${esc(h.quality)}</b>, ${h.points} design points, on ${h.samples} samples of the ${esc(h.split)}. Classical: <code>${esc(h.classicalSource)}</code>, the same samples.${h.missing.length > 0 ? ` The table lacks: ${esc(h.missing.join('; '))}.` : ''}</p>
<h2>The verdict per hardware table</h2>
${tableOf(VERDICT_HEADER, verdictRows(h))}
<h2>Classical precoders</h2>
${tableOf(CLASSICAL_HEADER, classicalRows(h))}
<h2>DNN fronts</h2>
${tableOf(FRONT_HEADER, frontTableRows(h))}
<ul>${[structuredLine(h), lowBitLine(h), paperLine(h), regimeLine(h), linkLine(h)].filter((x): x is string => x !== null).map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
<p>${esc(FRONTIER_EXPLAINED)}</p>
<p>${esc(ENGINE_EXPLAINED)}</p>
${h.model ? `<h2>Your model</h2><p>${esc(modelLine(h.model))}</p>` : ''}
<h2>Figures</h2>
<p>Hover a point for its head, architecture, bits, rate with its 95% interval, energy by term and, on the fronts, the engine's energy and latency.</p>
${figures.map((f) => `<figure><div class="chart" id="fig-${f.name}"></div><figcaption>${esc(f.title)} — <a href="${f.png}">PNG</a>, <a href="${f.svg}">SVG</a>, <a href="${f.spec}">vega-lite spec</a></figcaption></figure>`).join('\n')}
<h2>Reproduce</h2>
<pre>${esc(commands.join('\n'))}</pre>
<p>Numbers as JSON: <a href="summary.json">summary.json</a>; as Markdown: <a href="summary.md">summary.md</a>.</p>
<script>
window.codesignViews = {};
window.codesignReady = Promise.all(${specs}.map(({ id, spec }) =>
  vegaEmbed('#' + id, spec, { actions: { export: true, source: true, compiled: false, editor: false }, tooltip: { theme: 'light' } })
    .then((r) => { window.codesignViews[id] = r.view; })
));
</script>
</body></html>
`;
}

/** Legends and axis labels are never cut short (vega-lite's default label limit truncates them). */
const LEGEND = { labelLimit: 0, titleLimit: 0 };

async function reportFigures(
  out: string,
  d: {
    points: readonly StoredPoint[];
    rates: ReadonlyMap<string, TableRate>;
    front: readonly FrontRow[];
    headFronts: readonly { head: string; front: readonly StoredPoint[] }[];
    classical: readonly BaselinePoint[];
    wmmse: readonly BaselinePoint[];
    scenario: string;
    qualityLabel: string;
    preset: HardwarePreset;
    quick: boolean;
    curves: readonly LearningCurve[];
    /** The shipped regime map's cells (none: no figure). */
    regimes: readonly CellResult[];
    /** The shipped feedback-link studies (none: no figures). */
    links: ReturnType<typeof readLinkStudies>;
    recommended: TableVerdict['cheapestDnn'];
    target: number;
    /** The precoder the per-layer, p-sweep and engine figures show; the architectures drawn. */
    shape: PrecoderShape;
    archs: readonly { readonly cout: number; readonly dfcl: number }[];
  },
  progress: Progress,
): Promise<Figure[]> {
  const shapeLabel = `(${d.shape.cout}, ${d.shape.dfcl}) precoder at N_T = ${d.shape.nt}, N_U = ${d.shape.nu}`;
  const figures: Figure[] = [];
  const { main: linkMain, noise: linkNoise } = linkStudiesByKind(d.links);
  const task = progress.task('figures', (d.quick ? 3 : 6) + (d.curves.length > 0 ? 1 : 0) + (d.regimes.length > 0 ? 1 : 0) + (linkMain ? 2 : 0) + (linkNoise ? 1 : 0));
  const add = (f: Figure) => {
    figures.push(f);
    task.tick(1, f.name);
  };
  const best = Math.max(...d.classical.map((c) => c.sumRate));
  // Shortfall from the best classical rate on a symlog axis, up = better: gaps of 0.01 and of 20 bit/s/Hz both visible.
  const pct = (x: number) => best - x;
  const energyAxis = { field: 'energy', type: 'quantitative', title: `energy per inference (µJ, ${d.preset.name}, closed form; log scale)`, scale: { type: 'log' } };
  const pctAxis = { field: 'pct', type: 'quantitative', title: `shortfall from the best classical rate ${best.toFixed(2)} bit/s/Hz (bit/s/Hz, symlog; up is better)`, scale: { type: 'symlog', constant: 0.01, reverse: true }, axis: { values: [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100], format: '~g' } };
  // The key figure: the DNN fronts with their 95% intervals against the classical frontier, as % of the best classical rate.
  const frontRowsData = d.front.map((r) => ({
    series: `DNN front, ${r.head} head`,
    label: r.label,
    arch: r.arch,
    bits: r.bits.join(','),
    energy: r.closedForm_uJ.total,
    pct: pct(r.sumRate),
    lo: pct(r.sumRate + (r.ci95 ?? 0)),
    hi: pct(r.sumRate - (r.ci95 ?? 0)),
    rate: pm(r.sumRate, r.ci95),
    vsRzfEp: r.vsRzfEp ? `${signed(r.vsRzfEp.mean)} ± ${r.vsRzfEp.ci95.toFixed(3)} (${r.vsRzfEp.verdict})` : '—',
    terms: `${fmt(r.closedForm_uJ.compute)} / ${fmt(r.closedForm_uJ.weight)} / ${fmt(r.closedForm_uJ.activation)}`,
    engine: `${fmt(r.engine_uJ)} (${fmt(r.engineTerms_uJ.compute)} / ${fmt(r.engineTerms_uJ.weight)} / ${fmt(r.engineTerms_uJ.activation)})`,
    latency: fmt(r.latency_us),
  }));
  const frontierData = (['measured', 'paper'] as const).flatMap((count) =>
    classicalFrontier(d.classical, count).map((c) => ({ series: `classical frontier (${count === 'measured' ? 'our measured count' : "the paper's count"})`, label: c.label, energy: c.energy_uJ[count]!, pct: pct(c.sumRate), lo: pct(c.sumRate - (c.ci95 ?? 0)), hi: pct(c.sumRate + (c.ci95 ?? 0)), rate: pm(c.sumRate, c.ci95) })),
  );
  const series = { field: 'series', type: 'nominal', title: null, scale: { scheme: 'category10' }, legend: { ...LEGEND, orient: 'bottom', direction: 'vertical' } };
  const tooltipDnn = [
    { field: 'label', title: 'design' },
    { field: 'rate', title: 'sum rate ± 95% CI' },
    { field: 'vsRzfEp', title: 'DNN − equal-power RZF (paired)' },
    { field: 'energy', title: 'closed form µJ', format: '.4g' },
    { field: 'terms', title: 'E_C / E_W / E_A µJ' },
    { field: 'engine', title: 'engine µJ (E_C / E_W / E_A)' },
    { field: 'latency', title: 'latency µs (engine)' },
  ];
  add(
    await renderFigure(out, 'verdict', `Trained DNN fronts against the classical frontier on ${d.scenario}; bars: 95% CIs of each mean (the paired differences, far tighter, are in the front table); dashed: ${(RATE_SHARE * 100).toFixed(0)}% of the best classical rate`, {
      width: 760,
      height: 380,
      layer: [
        { data: { values: [{ pct: best - d.target }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'pct', type: 'quantitative' } } },
        { data: { values: frontierData }, mark: { type: 'line', interpolate: 'step-after', point: { size: 50 } }, encoding: { x: energyAxis, y: pctAxis, color: series, tooltip: [{ field: 'label', title: 'classical' }, { field: 'rate', title: 'sum rate ± 95% CI' }, { field: 'energy', title: 'µJ', format: '.4g' }] } },
        { data: { values: frontRowsData }, mark: { type: 'errorbar', ticks: true }, encoding: { x: energyAxis, y: { field: 'lo', type: 'quantitative', title: null }, y2: { field: 'hi' }, color: series } },
        { data: { values: frontRowsData }, mark: { type: 'point', filled: true, size: 70 }, encoding: { x: energyAxis, y: pctAxis, color: series, tooltip: tooltipDnn } },
      ],
    }),
  );
  // Pareto fronts per head and architecture (every point rated by the table; its tooltip names it).
  const onFront = new Set(frontsByArchitecture(d.points).flatMap((f) => f.front.map((p) => p.hash)));
  const rows = d.points.map((p) => {
    const r = d.rates.get(pointKey(p));
    return { head: `${p.head} head`, arch: `${p.cout}/${p.dfcl}`, bits: p.bits.join(','), efficiency: p.sumRate / p.energy_uJ, sumRate: p.sumRate, lo: p.sumRate - (r?.ci95 ?? 0), hi: p.sumRate + (r?.ci95 ?? 0), rate: pm(p.sumRate, r?.ci95), energy: p.energy_uJ, front: onFront.has(p.hash) };
  });
  const rate = { field: 'sumRate', type: 'quantitative', title: 'sum rate (bit/s/Hz)', scale: { zero: false } };
  const eff = { field: 'efficiency', type: 'quantitative', title: 'energy efficiency (bit/s/Hz/µJ)', scale: { type: 'log' } };
  const arch = { field: 'arch', type: 'nominal', title: 'C_out/D_FCL', sort: d.archs.map((a) => `${a.cout}/${a.dfcl}`), scale: { scheme: 'category10' }, legend: LEGEND };
  const tip = [{ field: 'head' }, { field: 'arch', title: 'C_out/D_FCL' }, { field: 'bits' }, { field: 'rate', title: 'sum rate ± 95% CI' }, { field: 'energy', title: 'closed form µJ', format: '.4g' }];
  add(
    await renderFigure(out, 'pareto-architectures', `Pareto fronts per head and architecture on ${d.scenario} (trained rates; every configuration a point; bars: 95% CIs of the front points)`, {
      data: { values: rows },
      facet: { column: { field: 'head', type: 'nominal', title: null } },
      spec: {
        width: 380,
        height: 320,
        layer: [
          { mark: { type: 'point', opacity: 0.5, size: 14 }, encoding: { x: rate, y: eff, color: arch, tooltip: tip } },
          { transform: [{ filter: 'datum.front' }], mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'lo', type: 'quantitative', title: 'sum rate (bit/s/Hz)', scale: { zero: false } }, x2: { field: 'hi' }, y: eff, color: arch } },
          { transform: [{ filter: 'datum.front' }], mark: { type: 'line', point: { size: 40 } }, encoding: { x: rate, y: eff, color: arch, order: { field: 'sumRate' }, tooltip: tip } },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    }),
  );
  const chosen = d.recommended ? (/\[(.*)\]/.exec(d.recommended.label)?.[1] ?? '16,16,16,16').split(',').map(Number) : [16, 16, 16, 16];
  const chosenHead = d.recommended?.label.startsWith('structured') ? 'structured' : 'direct';
  const layers = [...layerSplit(d.preset, [16, 16, 16, 16], 'direct', d.shape), ...layerSplit(d.preset, [16, 16, 16, 16], 'structured', d.shape), ...layerSplit(d.preset, chosen, chosenHead, d.shape)];
  add(
    await renderFigure(out, 'layer-energy', `Energy per layer of the ${shapeLabel}: 16-bit, both heads, and the recommended bits [${chosen.join(',')}] (${chosenHead} head) — ${d.preset.name}, closed form`, {
      data: { values: layers.flatMap((l) => (['compute', 'weight', 'activation'] as const).map((k) => ({ layer: l.layer, config: l.config, term: k === 'compute' ? 'E_C compute' : k === 'weight' ? 'E_W weights' : 'E_A activations', uJ: l[k] }))) },
      mark: 'bar',
      encoding: {
        column: { field: 'layer', type: 'nominal', title: 'layer', sort: null },
        x: { field: 'config', type: 'nominal', title: null, axis: { labelAngle: -40, labelLimit: 0 } },
        y: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ)' },
        color: { field: 'term', type: 'nominal', title: 'term', scale: { scheme: 'category10' }, legend: LEGEND },
        tooltip: [{ field: 'config' }, { field: 'layer' }, { field: 'term' }, { field: 'uJ', format: '.4g' }],
      },
      width: 120,
    }),
  );
  if (d.curves.length > 0) {
    add(
      await renderFigure(out, 'learning-curves', `Learning curves of the runs behind the table: validation sum rate (16-bit) vs optimiser steps`, {
        data: { values: d.curves.flatMap((c) => c.points.map((p) => ({ run: c.run, head: `${c.head} head`, steps: p.steps, validation: p.validation }))) },
        facet: { column: { field: 'head', type: 'nominal', title: null } },
        spec: { width: 380, height: 280, mark: { type: 'line', point: { size: 12 } }, encoding: { x: { field: 'steps', type: 'quantitative', title: 'steps (batch 100)' }, y: { field: 'validation', type: 'quantitative', title: 'validation sum rate (bit/s/Hz)', scale: { zero: false } }, color: { field: 'run', type: 'nominal', scale: { scheme: 'category20' }, legend: LEGEND }, tooltip: [{ field: 'run' }, { field: 'steps' }, { field: 'validation', format: '.3f' }] } },
        resolve: { scale: { y: 'independent' } },
      }),
    );
  }
  if (d.regimes.length > 0) {
    add(await renderFigure(out, 'regime-map', `Regime map: cheapest DNN ÷ cheapest classical energy at ${(RATE_SHARE * 100).toFixed(0)}% of the best rate (blue: DNN cheaper)`, regimeMapSpec(d.regimes)));
  }
  if (linkMain) {
    const r = linkMain.result;
    add(await renderFigure(out, 'link-rate-vs-bits', `CSI feedback (data/link/${linkMain.name}.json): sum rate on the true channels vs feedback bits per user, ${r.samples} held-out samples of ${r.scenario} (± 95% CI; dashed: WMMSE on perfect CSI)`, linkRateSpec(r)));
    add(await renderFigure(out, 'link-energy', `CSI feedback: UE energy per report (${r.ueHardware}) vs BS energy per precoding (${r.bsHardware}), closed form; large: Pareto front over (bits, UE, BS, rate)`, linkEnergySpec(r)));
  }
  if (linkNoise) {
    add(await renderFigure(out, 'link-noise', `Seed 003's robustness check (data/link/${linkNoise.name}.json): NMSE and the sum rate it buys vs AWGN on the analog codeword`, linkNoiseSpec(linkNoise.result)));
  }
  if (!d.quick) {
    const machine = machineOf(d.preset);
    const sweep = pSweep(d.preset, [4, 16, 64, 256, 1024], d.shape);
    const p = { field: 'p', type: 'quantitative', title: 'processing elements p', scale: { type: 'log', base: 2 } };
    const config = `${shapeLabel}, direct head, 16-bit weights, batch 1, weight-stationary`;
    add(
      await renderFigure(out, 'p-sweep-energy', `Energy vs p: engine and closed form, ${config} (${d.preset.name})`, {
        data: { values: sweep.flatMap((s) => [{ p: s.p, model: 'engine', uJ: s.energy_uJ }, { p: s.p, model: 'closed form', uJ: s.closedForm_uJ }]) },
        mark: { type: 'line', point: true },
        encoding: { x: p, y: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ)', scale: { type: 'log' } }, color: { field: 'model', type: 'nominal', scale: { scheme: 'category10' }, legend: LEGEND }, tooltip: [{ field: 'p' }, { field: 'model' }, { field: 'uJ', format: '.4g' }] },
      }),
    );
    add(
      await renderFigure(out, 'p-sweep-latency', `Latency vs p (engine, ${machine.clockMHz} MHz), ${config}`, {
        data: { values: sweep.map((s) => ({ p: s.p, cycles: s.cycles, latency: s.cycles / machine.clockMHz })) },
        mark: { type: 'line', point: true },
        encoding: { x: p, y: { field: 'latency', type: 'quantitative', title: `latency per inference (µs at ${machine.clockMHz} MHz)`, scale: { type: 'log' } }, tooltip: [{ field: 'p' }, { field: 'cycles', format: ',' }, { field: 'latency', title: 'µs', format: '.4g' }] },
      }),
    );
    const versus = engineVsClosed(d.preset, d.shape);
    add(
      await renderFigure(out, 'engine-vs-closed', `Engine vs closed form per op, ${config} on an 8×8 array (${d.preset.name})`, {
        data: { values: versus.flatMap((v) => [{ op: v.layer, model: 'engine', uJ: v.engine }, { op: v.layer, model: 'closed form', uJ: v.closedForm }]).filter((r) => r.uJ > 0) },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y: { field: 'op', type: 'nominal', sort: null, title: 'op', axis: { labelLimit: 0 } },
          x: { field: 'uJ', type: 'quantitative', title: 'energy per inference (µJ, log scale)', scale: { type: 'log' } },
          color: { field: 'model', type: 'nominal', scale: { scheme: 'category10' }, legend: LEGEND },
          shape: { field: 'model', type: 'nominal' },
          tooltip: [{ field: 'op' }, { field: 'model' }, { field: 'uJ', format: '.4g' }],
        },
      }),
    );
  }
  task.end();
  return figures;
}
