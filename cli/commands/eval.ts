/** `codesign eval`: a trained checkpoint on a scenario's test split, with its energy and the classical set beside it. */
import type { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { finiteNumber, positiveInt, positiveIntList } from '../../core/validate.ts';
import { MAX_BITS } from '../../nets/builder.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { redisUrl } from './search.ts';
import { bitChoicesOf, presetOf, presetOption, refuseGiven, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { classicalTable } from './scenario.ts';
import { loadScenario } from '../../scenarios/schema.ts';

interface EvalFlags {
  readonly redis?: string;
  readonly checkpoint: string;
  readonly scenario: string;
  readonly bits?: string;
  readonly samples: string;
  readonly preset: string;
  readonly finetune?: string;
  readonly allBits?: boolean;
  readonly choices: string;
  readonly snrDb?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** Whether a run directory holds a codec (false when it cannot be read: the caller reports that in its turn). */
async function siteCodec(dir: string): Promise<boolean> {
  const { runGraph } = await import('../../train/trainer.ts');
  const { isCodecGraph } = await import('../../nets/csi.ts');
  try {
    return isCodecGraph(runGraph(dir, '--checkpoint'));
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

export function register(program: Command, io: Io): void {
  program
    .command('eval')
    .description('a trained checkpoint on a scenario’s test split: a precoder’s sum rate next to MRT, ZF, RZF, equal-power RZF and WMMSE (best start and each start, both energy counts) on the same samples, or a codec’s NMSE and ρ (optionally with codeword noise); with its energy')
    .requiredOption('--checkpoint <dir>', 'a directory written by codesign train')
    .option('--scenario <name>', 'a named MIMO scenario or scenario file', 'udem-nlos')
    .option('--bits <list>', 'evaluate at these weight bits (a supernet checkpoint evaluates any configuration)')
    .option('--samples <n>', 'test samples', '1000')
    .addOption(presetOption('hardware preset for the energy'))
    .option('--finetune <steps>', 'refine the --bits configuration for this many steps before evaluating (supernet)')
    .option('--all-bits', 'evaluate every weight-bit configuration of a supernet checkpoint (table of rate, energy, efficiency)')
    .option('--choices <list>', 'bit widths per layer for --all-bits', '2,4,8,16')
    .option('--redis <url>', 'with --all-bits: rate the configurations as a job on the BullMQ queue in this Redis (a codesign worker with access to --checkpoint runs it)')
    .option('--snr-db <list>', 'codec on a CSI scenario: also evaluate with AWGN on the codeword at these SNRs (dB)')
    .option('--json', 'print exactly one JSON document on stdout')
    .addOption(progressOption())
    .action(async (o: EvalFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const scenario = loadScenario(o.scenario);
      const base = { checkpoint: o.checkpoint, scenario, samples: positiveInt('--samples', o.samples), preset: presetOf(o.preset) };
      const refuse = (attributes: readonly (keyof EvalFlags)[], why: string) => refuseGiven(o, given, attributes, () => why);
      const progress = cliProgress(io, progressMode(io, o));
      try {
        const snrs = o.snrDb === undefined ? [] : o.snrDb.split(',').map((v) => finiteNumber('--snr-db', v));
        // A codec reads CSI maps: a CSI scenario's, or a site scenario's users as feedback maps.
        // A checkpoint that cannot be read is taken for a precoder here: the option checks below come first, the read error after.
        const codec = scenario.model === 'cost2100' || (scenario.model === 'site' && (await siteCodec(o.checkpoint)));
        if (codec) {
          refuse(['bits', 'finetune', 'allBits', 'choices', 'redis'], `allowed: only with a precoder checkpoint on a MIMO scenario (${o.checkpoint} is a codec on ${o.scenario}'s CSI maps)`);
          const { evaluateCodecCheckpoint } = await import('../../studies/eval.ts');
          const r = await evaluateCodecCheckpoint({ ...base, codewordSnrDb: snrs }, progress);
          io.stdout.write(
            (o.json
              ? JSON.stringify(r, null, 2)
              : `${r.graph} on ${r.samples} ${r.scenario} test samples${r.codewordBits !== null ? `, codeword quantized to ${r.codewordBits} bits as trained` : ''} (encoder ${r.energy_uJ.encoder.toPrecision(4)} µJ, decoder ${r.energy_uJ.decoder.toPrecision(4)} µJ)\n` +
                table(['codeword SNR dB', 'NMSE dB', 'ρ'], r.rows.map((row) => [row.codewordSnr_dB ?? 'clean', row.nmseDb.toFixed(2), row.rho === null ? '— (site maps)' : row.rho.toFixed(4)]))) + '\n',
          );
          return;
        }
        refuse(['snrDb'], 'allowed: only for a codec checkpoint (on a CSI scenario, or a site scenario\'s feedback maps)');
        if (!o.allBits) refuse(['redis'], 'allowed: only with --all-bits (the long evaluation the queue carries)');
        if (o.allBits) {
          refuse(['bits', 'finetune'], 'allowed: not with --all-bits (it evaluates every configuration)');
          const { evaluateSupernet } = await import('../../studies/eval.ts');
          const sweep = { ...base, choices: bitChoicesOf(o.choices) };
          const rows =
            o.redis === undefined
              ? await evaluateSupernet(sweep, progress)
              : (await (await import('../../search/queue.ts')).submitJob<Awaited<ReturnType<typeof evaluateSupernet>>>(redisUrl(o.redis), 'eval-supernet', sweep)).result;
          io.stdout.write((o.json ? JSON.stringify(rows, null, 2) : table(['bits', 'sum rate', 'energy µJ', 'bit/s/Hz/µJ'], rows.map((r) => [r.bits.join(','), r.sumRate, r.energy_uJ, r.efficiency]))) + '\n');
          return;
        }
        refuse(['choices'], 'allowed: only with --all-bits');
        if (o.finetune !== undefined && o.bits === undefined) throw new InputError('--finetune', o.finetune, 'allowed: together with --bits (the configuration to refine)');
        const { evaluatePrecoder } = await import('../../studies/eval.ts');
        const r = await evaluatePrecoder(
          {
            ...base,
            ...(o.bits !== undefined ? { bits: positiveIntList('--bits', o.bits, { max: MAX_BITS }) } : {}),
            ...(o.finetune !== undefined ? { finetuneSteps: positiveInt('--finetune', o.finetune) } : {}),
          },
          progress,
        ).catch((error: unknown) => {
          if (error instanceof InputError && error.field === 'bits') throw new InputError('--bits', o.bits, error.allowed);
          throw error;
        });
        io.stdout.write(
          (o.json
            ? JSON.stringify(r, null, 2)
            : `${r.graph} bits ${r.bits ?? 'as trained'}: sum rate ${r.sumRate.toFixed(3)} ± ${r.sumRateCi95.toFixed(3)} (95% CI) on ${r.samples} ${r.scenario} samples of the ${r.split} (the trained checkpoint ${o.checkpoint}); energy ${r.energy_uJ.total.toPrecision(4)} µJ\n${r.structureAlone ? `its structure alone, ${r.structureAlone.label}: ${r.structureAlone.sumRate.toFixed(3)} ± ${r.structureAlone.sumRateCi95.toFixed(3)} for ${r.structureAlone.energy_uJ.toPrecision(4)} µJ (the head's ops); network − structure alone ${r.structureAlone.dnnMinusThis.mean.toFixed(3)} ± ${r.structureAlone.dnnMinusThis.ci95.toFixed(3)} (${r.structureAlone.dnnMinusThis.verdict})\n` : ''}classical precoders on the same samples:\n${classicalTable(r.classical)}`) + '\n',
        );
      } finally {
        progress.stop();
      }
    });
}
