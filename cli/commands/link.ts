/** `codesign link`: the downlink with CSI feedback end to end (studies/link.ts) — sum rate on the true channels, feedback bits, energy per side. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { finiteNumber, positiveInt } from '../../core/validate.ts';
import { loadScenario } from '../../scenarios/schema.ts';
import type { Io } from '../io.ts';
import { hardwareOf, hardwareOption, presetOption, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { hardwareByNameOrFile } from '../../sim/hardware-file.ts';
import { PRESETS } from '../../sim/presets.ts';

interface LinkFlags {
  readonly scenario: string;
  readonly feedback: string;
  readonly precoder: string;
  readonly samples: string;
  readonly codewordSnr?: string;
  readonly preset?: string;
  readonly hardware?: string;
  readonly ueHardware?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

const fixed = (x: number, d = 3) => x.toFixed(d);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

export function register(program: Command, io: Io): void {
  program
    .command('link')
    .description('the downlink with CSI feedback: each user reports its channel in a budget of bits (DFT codebook, scalar quantization, or perfect CSI), the base station precodes on what it rebuilt; sum rate on the true channels of held-out positions with its paired difference to WMMSE on perfect CSI, feedback bits per user, energy on the UE (encoder) and BS (precoder) side')
    .option('--scenario <name>', 'a site scenario (its array\'s DFT beams are the codebook)', 'udem-nlos')
    .option('--feedback <list>', "';'-separated: perfect, dft:BITS, scalar:BITS (feedback bits per user), codec:CHECKPOINT:B (a codec trained on this site's feedback maps, B bits per codeword element: its own trained quantizer if it was trained with --codeword-bits B, else quantized after training) or codec:CHECKPOINT:analog (unquantized codeword)", 'perfect;dft:32;dft:64;dft:128;scalar:134')
    .option('--codeword-snr <list>', "codec schemes: AWGN on the codeword at each of these SNRs (dB, ','-separated; seed 003's imperfect feedback), one row set per SNR")
    .option('--precoder <list>', 'base-station precoders on the rebuilt channels: rzf-ep, zf, wmmse (from equal-power RZF to ε = 10⁻³), net:CHECKPOINT (a precoder trained by codesign train on this scenario)', 'rzf-ep,wmmse')
    .option('--samples <n>', 'held-out test samples', '200')
    .addOption(presetOption('the base station’s energy table'))
    .addOption(hardwareOption())
    .option('--ue-hardware <name|file>', 'the user equipment’s hardware (a shipped table or a JSON/YAML file) [default: hardware/ue/horowitz-45nm-ue.json, a 4×4 array]')
    .option('--json', 'print the result as one JSON document')
    .addOption(progressOption())
    .action(async (o: LinkFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const { arrayShapeOf, atCodewordSnrs, defaultUeHardware, parseFeedback, parsePrecoder, runLink } = await import('../../studies/link.ts');
      const scenario = loadScenario(o.scenario);
      arrayShapeOf(scenario);
      const parsed = o.feedback.split(';').filter((s) => s.trim() !== '').map(parseFeedback);
      if (parsed.length === 0) throw new InputError('--feedback', o.feedback, 'allowed: at least one scheme');
      const feedback = atCodewordSnrs(parsed, o.codewordSnr === undefined ? [] : o.codewordSnr.split(',').map((v) => finiteNumber('--codeword-snr', v)));
      const precoders = o.precoder.split(',').map(parsePrecoder);
      for (const p of precoders) if (typeof p !== 'string' && !existsSync(p.net)) throw new InputError('--precoder', `net:${p.net}`, 'allowed: net:CHECKPOINT with CHECKPOINT a directory written by codesign train on this scenario');
      const study = {
        scenario,
        feedback,
        precoders,
        samples: positiveInt('--samples', o.samples, 100_000),
        bsHardware: hardwareOf(o, given),
        ueHardware: o.ueHardware === undefined ? defaultUeHardware() : hardwareByNameOrFile(o.ueHardware, PRESETS),
      };
      // Every budget is checked before a channel is drawn.
      const { planFeedback } = await import('../../baselines/feedback.ts');
      for (const f of feedback) {
        if (f.scheme === 'perfect') continue;
        if (f.scheme === 'codec') {
          if (!existsSync(f.checkpoint)) throw new InputError('--feedback', `codec:${f.checkpoint}:${f.codewordBits}`, 'allowed: codec:CHECKPOINT:B with CHECKPOINT a directory written by codesign train --net csinet|crnet|cllwcsinet on this site scenario');
          continue;
        }
        try {
          planFeedback(f.scheme, f.bits, arrayShapeOf(scenario));
        } catch (error) {
          if (error instanceof InputError) throw new InputError('--feedback', `${f.scheme}:${f.bits}`, error.allowed);
          throw error;
        }
      }
      const progress = cliProgress(io, progressMode(io, o));
      try {
        const r = await runLink(study, progress);
        if (o.json) {
          io.stdout.write(JSON.stringify(r, null, 2) + '\n');
          return;
        }
        io.stdout.write(`${r.scenario}: ${r.samples} held-out test samples, ${r.users} users, ${r.antennas} antennas; WMMSE on perfect CSI (best start, ε = 10⁻⁵) ${fixed(r.perfectWmmse.sumRate)} ± ${fixed(r.perfectWmmse.ci95)} bit/s/Hz. UE energy per report on ${r.ueHardware}, BS energy per precoding on ${r.bsHardware} (our measured count; closed form / engine):\n`);
        const header = ['feedback', 'bits/user', 'NMSE dB', 'precoder', 'sum rate ± 95% CI', '− perfect-CSI WMMSE (paired)', '− RZF-EP, same feedback (paired)', 'UE µJ', 'BS µJ'];
        const rows = r.rows.map((x) => [
          x.feedback,
          x.bitsPerUser !== null ? String(x.bitsPerUser) : x.analogValues !== null ? `6 + ${x.analogValues} reals` : '∞',
          x.nmseDb === null ? '—' : x.nmseDb.toFixed(2),
          x.precoder,
          `${fixed(x.sumRate)} ± ${fixed(x.ci95)}`,
          `${signed(x.vsPerfectWmmse.mean)} ± ${fixed(x.vsPerfectWmmse.ci95)} (${x.vsPerfectWmmse.verdict})`,
          x.vsRzfEp ? `${signed(x.vsRzfEp.mean)} ± ${fixed(x.vsRzfEp.ci95)} (${x.vsRzfEp.verdict})` : '—',
          x.ue ? `${x.ue.closedForm_uJ.toPrecision(3)} / ${x.ue.engine_uJ.toPrecision(3)}` : '—',
          `${x.bs.closedForm_uJ.toPrecision(3)} / ${x.bs.engine_uJ.toPrecision(3)}`,
        ]);
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
        for (const line of [header, ...rows]) io.stdout.write(line.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
      } finally {
        progress.stop();
      }
    });
}
