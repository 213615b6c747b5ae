/**
 * `codesign link` on a small site scenario: perfect feedback gives the precoder's own rate (as
 * `baseline` measures it on the same samples), feedback bits add up by field, each side's energy
 * is priced, budgets that cannot hold a scheme are refused before any work.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/schema.ts';
import { buildCsiNet, sideOf } from '../../nets/csi.ts';
import { loadHardware } from '../../sim/hardware-file.ts';
import { DEFAULT_PRESET } from '../../sim/presets.ts';
import { DEFAULT_UE_HARDWARE } from '../../studies/link.ts';
import { priced } from '../../studies/verdict.ts';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-link-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codesign link', () => {
  const file = join(dir, 'small-site.json');
  writeFileSync(file, JSON.stringify({ ...loadScenario('udem-nlos'), name: 'small-site', split: { train: 20, validation: 10, test: 12 } }));

  it('perfect feedback is the precoder’s own rate; bits add up by field; both sides priced', async () => {
    const r = await codesign('link', '--scenario', file, '--feedback', 'perfect;dft:32;scalar:134', '--precoder', 'rzf-ep,wmmse', '--samples', '12', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.samples, out.users, out.antennas]).toEqual([12, 4, 64]);
    const row = (feedback: string, precoder: string) => out.rows.find((x: { feedback: string; precoder: string }) => x.feedback === feedback && x.precoder === precoder);
    const own = await codesign('baseline', '--algo', 'rzf-ep', '--scenario', file, '--samples', '12', '--json');
    expect(own.code, own.stderr).toBe(0);
    expect(row('perfect CSI', 'rzf-ep').sumRate).toBeCloseTo(JSON.parse(own.stdout).meanSumRate, 9);
    expect(row('perfect CSI', 'rzf-ep').bitsPerUser).toBeNull();
    expect(row('perfect CSI', 'rzf-ep').ue).toBeNull();
    for (const x of out.rows.filter((x: { bitsPerUser: number | null }) => x.bitsPerUser !== null)) {
      expect(Object.values(x.fields as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(x.bitsPerUser);
      expect(x.nmseDb).toBeLessThan(0);
      expect(x.ue.closedForm_uJ).toBeGreaterThan(0);
      expect(x.bs.closedForm_uJ).toBeGreaterThan(0);
      // Imperfect CSI cannot beat WMMSE on perfect CSI on these samples beyond noise.
      expect(x.vsPerfectWmmse.verdict).not.toBe('higher');
    }
    expect(row('dft:32', 'rzf-ep').bitsPerUser).toBe(28);
    // The codebook search (every oversampled beam) costs the user far more than scalar quantization.
    expect(row('dft:32', 'rzf-ep').ue.closedForm_uJ).toBeGreaterThan(50 * row('scalar:134', 'rzf-ep').ue.closedForm_uJ);
    // The same rebuilt channels for both precoders: the same NMSE.
    expect(row('dft:32', 'wmmse').nmseDb).toBe(row('dft:32', 'rzf-ep').nmseDb);
  });

  it('a codec trains on the site’s users as 2×8×8 feedback maps (held-out splits kept)', async () => {
    const checkpoint = join(dir, 'csinet8');
    const r = await codesign('train', '--net', 'csinet', '--cr', '8', '--scenario', file, '--epochs', '1', '--batch', '16', '--out', checkpoint, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.graph).toBe('csinet(cr=8,side=8)');
    expect(Number.isFinite(out.test.nmseDb)).toBe(true);
    // eval knows a codec from its checkpoint on a site scenario too: its test maps' NMSE, the same as training reported.
    const evaluated = await codesign('eval', '--checkpoint', checkpoint, '--scenario', file, '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).rows[0].nmseDb).toBeCloseTo(out.test.nmseDb, 9);
    expect(JSON.parse(evaluated.stdout).rows[0].rho).toBeNull();
    // As a feedback scheme: 128/8 = 16 codeword elements at 4 bits, plus the 6-bit gain.
    const link = await codesign('link', '--scenario', file, '--feedback', `codec:${checkpoint}:4;codec:${checkpoint}:8`, '--precoder', 'rzf-ep', '--samples', '6', '--json');
    expect(link.code, link.stderr).toBe(0);
    const [four, eight] = JSON.parse(link.stdout).rows;
    expect(four.fields).toEqual({ gain: 6, codeword: 64 });
    expect(four.bitsPerUser).toBe(70);
    expect(eight.bitsPerUser).toBe(134);
    // The UE runs the encoder; the BS decodes 4 users' codewords and precodes: more than the precoder alone.
    expect(four.ue.closedForm_uJ).toBeGreaterThan(0);
    const precoderOnly = await codesign('link', '--scenario', file, '--feedback', 'perfect', '--precoder', 'rzf-ep', '--samples', '6', '--json');
    // Per side the energies add up: UE = one encoder; BS = the precoder + one decoder per user (N_U = 4), closed form and engine.
    const graph = buildCsiNet({ net: 'csinet', cr: 8, side: 8 });
    const encoder = priced(sideOf(graph, 'encoder'), loadHardware(DEFAULT_UE_HARDWARE));
    const decoder = priced(sideOf(graph, 'decoder'), DEFAULT_PRESET);
    const alone = JSON.parse(precoderOnly.stdout).rows[0].bs;
    expect(four.ue.closedForm_uJ).toBeCloseTo(encoder.closedForm_uJ, 9);
    expect(four.ue.engine_uJ).toBeCloseTo(encoder.engine_uJ, 9);
    expect(four.bs.closedForm_uJ).toBeCloseTo(alone.closedForm_uJ + 4 * decoder.closedForm_uJ, 9);
    expect(four.bs.engine_uJ).toBeCloseTo(alone.engine_uJ + 4 * decoder.engine_uJ, 9);
    const wrong = await codesign('link', '--scenario', file, '--feedback', `codec:${join(dir, 'nowhere')}:4`, '--samples', '4');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--feedback: got "codec:.*nowhere:4"; allowed: codec:CHECKPOINT:B with CHECKPOINT a directory/);
    const bad = await codesign('train', '--net', 'cllwcsinet', '--cr', '32', '--scenario', file, '--epochs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cr: got 32; allowed for cllwcsinet on a 2×8×8 map: 4, 8, 16/);
  });

  it('a trained precoder reads the rebuilt channels; with perfect feedback it rates as `eval` rates it', async () => {
    const net = join(dir, 'structured');
    const t = await codesign('train', '--scenario', file, '--head', 'structured', '--cout', '8', '--dfcl', '64', '--epochs', '1', '--batch', '10', '--out', net, '--json');
    expect(t.code, t.stderr).toBe(0);
    const r = await codesign('link', '--scenario', file, '--feedback', 'perfect;dft:32', '--precoder', `rzf-ep,net:${net}`, '--samples', '6', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { feedback: string; precoder: string; sumRate: number; bs: { closedForm_uJ: number }; vsRzfEp: { mean: number } | null }[];
    const own = await codesign('eval', '--checkpoint', net, '--scenario', file, '--samples', '6', '--json');
    expect(own.code, own.stderr).toBe(0);
    const evaluated = JSON.parse(own.stdout);
    const perfect = rows.find((x) => x.feedback === 'perfect CSI' && x.precoder === 'net:structured')!;
    expect(perfect.sumRate).toBeCloseTo(evaluated.sumRate, 9);
    // The base station runs the network: its energy is the network's on the same table.
    expect(perfect.bs.closedForm_uJ).toBeCloseTo(evaluated.energy_uJ.total, 9);
    // On the codebook's rebuilt channels it loses rate, and it is compared, paired, with RZF-EP on the same channels.
    const dft = rows.find((x) => x.feedback === 'dft:32' && x.precoder === 'net:structured')!;
    expect(dft.sumRate).toBeLessThan(perfect.sumRate);
    expect(dft.vsRzfEp!.mean).toBeCloseTo(dft.sumRate - rows.find((x) => x.feedback === 'dft:32' && x.precoder === 'rzf-ep')!.sumRate, 9);
    const codec = await codesign('link', '--scenario', file, '--feedback', 'perfect', '--precoder', `net:${join(dir, 'csinet8')}`, '--samples', '4');
    expect(codec.code).toBe(2);
    expect(codec.stderr).toMatch(/--precoder: got "net:.*csinet8"; allowed: a precoder checkpoint for \[2×64×4\] channels/);
  });

  it('a precoder trained on the channels the base station rebuilds: its test rate is link’s on the same feedback', async () => {
    const net = join(dir, 'structured-dft32');
    const t = await codesign('train', '--scenario', file, '--head', 'structured', '--cout', '8', '--dfcl', '64', '--epochs', '1', '--batch', '10', '--feedback', 'dft:32', '--fresh-channels', '--out', net, '--json');
    expect(t.code, t.stderr).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(trained.feedback).toMatch(/rebuilt from dft:32 feedback; rates on the true channels/);
    const r = await codesign('link', '--scenario', file, '--feedback', 'dft:32', '--precoder', `net:${net}`, '--samples', '12', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].sumRate).toBeCloseTo(trained.meanTestRate, 5);
    for (const [args, message] of [
      [['--feedback', 'dft:8'], /--feedback: got "dft:8"; allowed: at least 16 bits for the DFT codebook/],
      [['--feedback', 'codec:x:4'], /--feedback: got "codec:x:4"; allowed: dft:BITS or scalar:BITS/],
      [['--feedback', 'dft:32', '--net', 'csinet'], /--feedback/],
    ] as const) {
      const bad = await codesign('train', '--scenario', file, '--epochs', '1', ...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('a codec trained to send B bits is decoded through its own quantizer; codeword noise sweeps in one run', async () => {
    const checkpoint = join(dir, 'csinet8-4b');
    const t = await codesign('train', '--net', 'csinet', '--cr', '8', '--codeword-bits', '4', '--scenario', file, '--epochs', '1', '--batch', '16', '--out', checkpoint, '--json');
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).codewordBits).toBe(4);
    const r = await codesign('link', '--scenario', file, '--feedback', `codec:${checkpoint}:4;codec:${join(dir, 'csinet8')}:analog;dft:32`, '--codeword-snr', '0,20', '--precoder', 'rzf-ep', '--samples', '6', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { feedback: string; bitsPerUser: number | null; analogValues: number | null; nmseDb: number }[];
    expect(rows.map((x) => x.feedback)).toEqual([
      'codec csinet8-4b at 4 bits (trained), codeword SNR 0 dB',
      'codec csinet8-4b at 4 bits (trained), codeword SNR 20 dB',
      'codec csinet8 at analog codeword, codeword SNR 0 dB',
      'codec csinet8 at analog codeword, codeword SNR 20 dB',
      'dft:32',
    ]);
    expect(rows[0].bitsPerUser).toBe(70);
    expect([rows[2].bitsPerUser, rows[2].analogValues]).toEqual([null, 16]);
    // The noise reaches the codeword (a one-epoch codec is too poor for its order to be a law here; docs/link.md has the sweep).
    expect(rows[2].nmseDb).not.toBe(rows[3].nmseDb);
    expect(rows[0].nmseDb).not.toBe(rows[1].nmseDb);
    const other = await codesign('link', '--scenario', file, '--feedback', `codec:${checkpoint}:8`, '--samples', '4');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--feedback: got "codec:.*csinet8-4b:8"; allowed: codec:.*csinet8-4b:4 \(this codec was trained to send 4 bits per codeword element\)/);
    const noCodec = await codesign('link', '--scenario', file, '--feedback', 'dft:32', '--codeword-snr', '10', '--samples', '4');
    expect(noCodec.code).toBe(2);
    expect(noCodec.stderr).toMatch(/--codeword-snr: got "10"; allowed: only with a codec scheme/);
  });

  it('refuses what cannot run, naming the field, before any work', async () => {
    for (const [args, message] of [
      [['--feedback', 'dft:8'], /--feedback: got "dft:8"; allowed: at least 16 bits for the DFT codebook/],
      [['--feedback', 'scalar:64'], /--feedback: got "scalar:64"; allowed: at least 134 bits/],
      [['--feedback', 'csinet:64'], /--feedback: got "csinet:64"; allowed: perfect, dft:BITS, scalar:BITS \(feedback bits per user\), or codec:CHECKPOINT:B/],
      [['--feedback', 'codec:x:0'], /--feedback: got "codec:x:0"; allowed: perfect/],
      [['--precoder', 'mmse'], /--precoder: got "mmse"/],
      [['--precoder', 'net:nowhere'], /--precoder: got "net:nowhere"; allowed: net:CHECKPOINT with CHECKPOINT a directory/],
      [['--feedback', 'codec:x:analogue'], /--feedback: got "codec:x:analogue"; allowed: perfect/],
      [['--scenario', 'rayleigh'], /--scenario: got "rayleigh"; allowed: a site scenario/],
    ] as const) {
      const r = await codesign('link', '--scenario', file, '--samples', '4', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
