import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

// The page's own globals, as the browser test reads them (this file is type-checked without the DOM library).
declare const window: { codesignReady: Promise<unknown> };
declare const document: { querySelector(s: string): { classList: { contains(c: string): boolean }; textContent: string | null } | null; querySelectorAll(s: string): Iterable<unknown> };

/** Debian's chromium (no browser is downloaded); the page test runs where it is installed (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';
/** The report the first test writes, opened by the browser test after it. */
let reportDir: string | undefined;

/** The trained-rates pipeline end to end: supernets of both heads → rates table + classical results → report. */
describe('codesign rates and report', () => {
  it('writes a rates table from trained supernets and a report whose DNN rates all come from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-rates-'));
    const scenario = join(dir, 'tiny.json');
    writeFileSync(scenario, JSON.stringify({ name: 'tiny64', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 3, split: { train: 100, validation: 40, test: 60 } }));
    const nets = join(dir, 'nets');
    for (const head of ['direct', 'structured']) {
      const trained = await codesign('train', '--scenario', scenario, '--head', head, '--cout', '8', '--dfcl', '512', '--supernet', '--epochs', '1', '--batch', '50', '--out', join(nets, head, '8x512', 'seed-1'), '--backend', 'wasm');
      expect(trained.code, trained.stderr).toBe(0);
    }
    mkdirSync(join(nets, 'structured', 'notes')); // not an architecture: ignored

    const table = join(dir, 'rates.csv');
    const rated = await codesign('rates', '--supernets', nets, '--scenario', scenario, '--samples', '60', '--out', table);
    expect(rated.code, rated.stderr).toBe(0);
    const lines = readFileSync(table, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('scenario,head,cout,dfcl,bits,seed,sum_rate,test_samples,training,epochs,train_s,command,commit,ci95,vs_rzf_ep,vs_rzf_ep_ci95,vs_wmmse,vs_wmmse_ci95');
    expect(lines).toHaveLength(1 + 2 * 256);
    const rates = lines.slice(1).map((l) => Number(l.split(',')[6]));
    expect(rates.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
    expect(new Set(rates).size).toBeGreaterThan(100); // each configuration is its own evaluation
    expect(lines[1]).toMatch(/^tiny64,direct,8,512,2\/2\/2\/2,1,[\d.]+,60,"?supernet \{2,4,8,16\}, 1 epochs/);

    const classical = join(dir, 'classical.json');
    expect((await codesign('rates', '--classical', '--scenario', scenario, '--samples', '60', '--out', classical)).code).toBe(0);

    const out = join(dir, 'report');
    reportDir = out;
    const model = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'onnx', 'torch-cnn-opset17.onnx');
    const r = await codesign('report', '--scenario', scenario, '--quick', '--rates', table, '--classical', classical, '--model', model, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // A user's ONNX model beside the precoders: its energy per layer and its energy-vs-noise front.
    expect(summary.model).toMatchObject({ graph: 'onnx:torch-cnn-opset17.onnx', macs: 959_472, weights: 11_746, assignments: 1024 });
    expect(summary.model.cheapest.bits).toEqual([2, 2, 2, 2, 2]);
    expect(summary.model.dearest.bits).toEqual([16, 16, 16, 16, 16]);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['model-layers.png', 'model-front.png']));
    expect(summary.points).toBe(512);
    expect(summary.quality).toMatch(/^rates table .*rates\.csv \(tiny64 test split, trained networks\)$/);
    expect(summary.samples).toBe(60);
    expect(summary.missing.length).toBe(14); // 7 architectures × 2 heads not in this table
    // The structured head starts at equal-power RZF: its front reaches the classical rates.
    expect(summary.headFronts.map((h: { head: string }) => h.head).sort()).toEqual(['direct', 'structured']);
    for (const file of readdirSync(out).filter((f) => /\.(md|json|html)$/.test(f))) expect(readFileSync(join(out, file), 'utf8')).not.toMatch(/synthetic/i);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).toMatch(/The classical frontier: for each rate, the cheapest classical answer reaching it/);
    // The verdict per hardware table: the cheapest answer at 98% of the best classical rate, priced both ways.
    expect(summary.verdict.map((v: { table: string }) => v.table)).toEqual(['kasalaee2025', 'kasalaee-per-operand', 'iso-area-linear', 'horowitz-45nm', 'zigzag-tpu-like', 'bitfusion-45nm']);
    for (const v of summary.verdict) {
      expect(['dnn', 'classical']).toContain(v.answer.kind);
      expect(v.answer.sumRate).toBeGreaterThanOrEqual(v.target);
      for (const k of ['closedForm_uJ', 'engine_uJ', 'latency_us']) expect(v.answer[k]).toBeGreaterThan(0);
      expect(v.answer.ci95).toBeGreaterThan(0);
      if (v.answer.kind === 'classical' && v.cheapestDnn) expect(v.cheapestDnn.closedForm_uJ).toBeGreaterThanOrEqual(v.answer.closedForm_uJ);
    }
    expect(summary.summaryLine).toMatch(/the cheapest answer reaching 98% of it/);
    // Rows carry their uncertainty: the table's paired columns reach the front rows.
    expect(summary.front.length).toBeGreaterThan(0);
    for (const r of summary.front) expect(r.ci95).toBeGreaterThan(0);
    expect(page).toMatch(/npx codesign report --scenario/);

    // Another sample count for the classical side is refused before anything is written.
    const other = join(dir, 'classical-40.json');
    expect((await codesign('rates', '--classical', '--scenario', scenario, '--samples', '40', '--out', other)).code).toBe(0);
    const refused = await codesign('report', '--scenario', scenario, '--rates', table, '--classical', other, '--out', join(dir, 'never'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--rates: got ".*rates\.csv"; its DNN rates are on 60 test samples, the classical results .* on 40/);
  });

  it.skipIf(!existsSync(CHROMIUM))('the page in a real browser: every chart drawn by vega-embed from lib/, no console error, and hovering a point shows its tooltip', async () => {
    expect(reportDir, 'the report of the test above').toBeDefined();
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1300, height: 900 });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(`file://${join(reportDir!, 'index.html')}`, { waitUntil: 'load' });
      await page.evaluate(() => (window as unknown as { codesignReady: Promise<unknown> }).codesignReady);
      const charts = await page.$$eval('.chart', (els) => els.map((e) => ({ id: e.id, drawn: e.querySelector('canvas, svg') !== null })));
      const summary = JSON.parse(readFileSync(join(reportDir!, 'summary.json'), 'utf8'));
      expect(charts.length).toBeGreaterThanOrEqual(3);
      expect(charts.filter((c) => !c.drawn)).toEqual([]);
      // A DNN point of the verdict chart: the SVG path vega drew for it (vega keeps the item on the element), then the mouse over it.
      await (await page.$('#fig-verdict'))!.scrollIntoView();
      const at = await page.evaluate(() => {
        const paths = [...document.querySelectorAll('#fig-verdict svg path')] as { __data__?: { datum?: Record<string, unknown> }; getBoundingClientRect(): { left: number; top: number; width: number; height: number } }[];
        const el = paths.find((p) => p.__data__?.datum !== undefined && 'terms' in p.__data__.datum);
        if (!el) return null;
        const b = el.getBoundingClientRect();
        return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
      });
      expect(at, 'a DNN point drawn in the verdict chart').not.toBeNull();
      await page.mouse.move(at!.x, at!.y, { steps: 3 });
      const tooltip = await page.waitForFunction(() => {
        const t = document.querySelector('#vg-tooltip-element');
        return t && t.classList.contains('visible') ? t.textContent : null;
      }, { timeout: 10_000 });
      const text = String(await tooltip.jsonValue());
      // Points may overlap: the tooltip names one of the front's designs.
      const shown = summary.front.map((r: { label: string }) => r.label).filter((label: string) => text.includes(label));
      expect(shown.length, text).toBeGreaterThan(0);
      expect(text).toMatch(/sum rate ± 95% CI/);
      expect(text).toMatch(/engine µJ/);
      expect(text).toMatch(/latency µs/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('names the option when the directory holds no run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-rates-'));
    const r = await codesign('rates', '--supernets', dir, '--out', join(dir, 'rates.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--supernets: got ".*"; no trained run found; allowed: a directory of runs DIR\/<head>\/<C_out>x<D_FCL>\/seed-<s>\//);
  });
});
