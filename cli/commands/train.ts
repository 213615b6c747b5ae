/** `codesign train`: quantization-aware training of the precoder, a CSI codec or the learned SLP precoder. */
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { finiteNumber, fraction, intInRange, oneOf, positiveInt, positiveNumber } from '../../core/validate.ts';
import { CODEC_VARIANTS, CSI_NETS } from '../../nets/csi.ts';
import { PRECODER_HEAD_NAMES, UNFOLDED_ITERATIONS } from '../../nets/heads.ts';
import { SLP_DEFAULTS, SLP_VARIANTS } from '../../nets/slp.ts';
import { SLP_FEATURES } from '../../baselines/slp-samples.ts';
import { DEFAULT_PRESET } from '../../sim/presets.ts';
import { BACKENDS, CODEWORD_TRAIN_BITS, CONVERGENCE_DEFAULTS, TRAIN_DEFAULTS } from '../../train/defaults.ts';
import type { CodecTraining, Hyperparameters, PrecoderTraining, SlpTrainSummary } from '../../studies/train.ts';
import type { JobKind } from '../../studies/queue-jobs.ts';
import { redisUrl } from './search.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { precoderBits, refuseGiven, seedOf, VARIANTS, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { loadScenario } from '../../scenarios/schema.ts';

const FORMULATIONS = ['constructive', 'lagrangian'] as const;

interface TrainFlags {
  readonly net: string;
  readonly redis?: string;
  readonly cr: string;
  readonly variant?: string;
  readonly m: string;
  readonly k: string;
  readonly qr: string;
  readonly formulation: string;
  readonly features: string;
  readonly lrDecay?: string;
  readonly kbitActivations?: boolean;
  readonly zeroInitResidual?: boolean;
  readonly initFrom?: string;
  readonly testSamples: string;
  readonly snrDb?: string;
  readonly codewordBits?: string;
  readonly feedback?: string;
  readonly scenario: string;
  readonly cout: string;
  readonly dfcl: string;
  readonly bits: string;
  readonly supernet?: boolean;
  readonly head: string;
  readonly iterations?: string;
  readonly freshChannels?: boolean;
  readonly epochs: string;
  readonly batch: string;
  readonly lr: string;
  readonly patience: string;
  readonly converge?: boolean;
  readonly minSteps: string;
  readonly samples?: string;
  readonly seeds: string;
  readonly seed: string;
  readonly out?: string;
  readonly restart?: boolean;
  readonly backend: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** Flags that only some networks read: [option name, the networks that read it]. */
const ONLY: readonly [keyof TrainFlags, readonly string[]][] = [
  ['cout', ['precoder']],
  ['dfcl', ['precoder']],
  ['bits', ['precoder']],
  ['supernet', ['precoder']],
  ['head', ['precoder']],
  ['iterations', ['precoder']],
  ['freshChannels', ['precoder']],
  ['feedback', ['precoder']],
  ['seeds', ['precoder']],
  ['cr', CSI_NETS],
  ['snrDb', CSI_NETS],
  ['codewordBits', CSI_NETS],
  ['zeroInitResidual', CSI_NETS],
  ['initFrom', ['precoder', ...CSI_NETS]],
  ['variant', [...CSI_NETS, 'slpdnet']],
  ['m', ['slpdnet']],
  ['k', ['slpdnet']],
  ['qr', ['slpdnet']],
  ['formulation', ['slpdnet']],
  ['features', ['slpdnet']],
  ['testSamples', ['slpdnet']],
  ['kbitActivations', ['slpdnet']],
  ['scenario', ['precoder', ...CSI_NETS]],
];

/** `--feedback dft:70`: a classical scheme and its bits per user, checked against the scheme's smallest report later (feedbackView). */
async function precoderFeedback(raw: string): Promise<{ scheme: 'dft' | 'scalar'; bits: number }> {
  const { parseFeedback } = await import('../../studies/link.ts');
  const f = parseFeedback(raw);
  if (f.scheme !== 'dft' && f.scheme !== 'scalar') throw new InputError('--feedback', raw, 'allowed: dft:BITS or scalar:BITS (a classical scheme; a codec is run by codesign link)');
  return { scheme: f.scheme, bits: f.bits };
}

export function register(program: Command, io: Io): void {
  program
    .command('train')
    .description('quantization-aware training: the seed-000 precoder (sum-rate loss), a CSI codec (MSE loss) or the learned symbol-level precoder')
    .addOption(new Option('--net <name>', 'precoder, a CSI codec (csinet, crnet, cllwcsinet; on a cost2100 scenario, or on a site scenario’s feedback maps), or slpdnet (learned symbol-level precoder)').choices(['precoder', ...CSI_NETS, 'slpdnet']).default('precoder'))
    .option('--cr <n>', 'codec compression ratio', '4')
    .addOption(new Option('--variant <v>', 'codec: fp (default), bfc, q8; slpdnet: dnet (default), dbnet, dtnet, dsqbnet, dsqtnet').choices(VARIANTS))
    .option('--m <n>', 'slpdnet: BS antennas M', String(SLP_DEFAULTS.m))
    .option('--k <n>', 'slpdnet: users K', String(SLP_DEFAULTS.k))
    .option('--qr <r>', 'slpdnet stochastic variants: fraction of each quantized layer’s rows quantized', String(SLP_DEFAULTS.qr))
    .addOption(new Option('--formulation <f>', 'slpdnet output layer: constructive (feasible by construction) or lagrangian (eq. 9–10 multipliers)').choices(FORMULATIONS).default('constructive'))
    .addOption(new Option('--features <f>', 'slpdnet input: gram ((AAᴴ)⁻¹, normalised) or channels (the rotated channels)').choices(SLP_FEATURES).default('gram'))
    .option('--lr-decay <factor>', 'multiply the learning rate by this after every epoch (seed 002: 0.65)')
    .option('--kbit-activations', 'slpdnet: low-bit variants train with the k-bit activation of seed 002 eq. (22) in place of PReLU')
    .option('--zero-init-residual', 'codec: start the decoder’s residual-path BN scales at 0 (outputs 0.5, the 0 dB decoder, at step 0)')
    .option('--init-from <dir>', 'precoder or codec: start from the weights of another run’s checkpoint (its best/), with a fresh optimiser and learning-rate schedule')
    .option('--test-samples <n>', 'slpdnet: test channels for the power-vs-SINR comparison', '2000')
    .option('--snr-db <dB>', 'codec: AWGN on the codeword at this SNR (imperfect feedback)')
    .option('--feedback <scheme:bits>', 'precoder on a site scenario: read the channels as the base station rebuilds them from each user\'s dft:BITS or scalar:BITS report (codesign link), rated on the true channels')
    .option('--codeword-bits <b>', 'codec: quantize the codeword to b bits per element while training (2–16; a trained LSQ step; feedback = codeword length × b bits)')
    .option('--scenario <name>', 'a named scenario or scenario file', 'udem-nlos')
    .option('--cout <n>', 'conv output channels C_out', '64')
    .option('--dfcl <n>', 'width of FC1 and FC2', '1024')
    .option('--bits <list>', 'weight bits of [CONV,FCL1,FCL2,FCL3]', '16,16,16,16')
    .option('--supernet', 'train one bit-width supernet (each step samples bits from {2,4,8,16} per layer)')
    .addOption(new Option('--head <name>', 'precoder: direct (the paper’s FCL3 outputs the precoder), structured (FCL3 outputs per-user λ_k, p_k of the optimal beamforming structure) or unfolded (the structured start, then --iterations K WMMSE iterations whose weights and regulariser FCL3 modulates)').choices(PRECODER_HEAD_NAMES).default('direct'))
    .option('--iterations <K>', `precoder, unfolded head: its WMMSE iterations (${UNFOLDED_ITERATIONS.min}–${UNFOLDED_ITERATIONS.max}) [default: ${UNFOLDED_ITERATIONS.default}]`)
    .option('--fresh-channels', 'precoder: train each epoch on freshly drawn channels of the scenario (seeded per epoch) instead of the fixed training split')
    .option('--epochs <n>', 'maximum epochs (slpdnet: 20 unless given)', String(TRAIN_DEFAULTS.epochs))
    .option('--batch <n>', 'batch size (slpdnet: 200 unless given)', String(TRAIN_DEFAULTS.batchSize))
    .option('--lr <rate>', 'Adam learning rate', String(TRAIN_DEFAULTS.learningRate))
    .option('--patience <n>', 'early stopping: epochs without a better validation metric', String(TRAIN_DEFAULTS.patience))
    .option('--converge', `stop also when the best validation metric gained < ${CONVERGENCE_DEFAULTS.minGain * 100}% over the last ${CONVERGENCE_DEFAULTS.window * 100}% of the steps (after --min-steps; docs/training.md)`)
    .option('--min-steps <n>', 'with --converge: steps before the rule may stop a run', String(CONVERGENCE_DEFAULTS.minSteps))
    .option('--samples <n>', 'use only the first N training samples (slpdnet: training channels drawn, 20000 unless given)')
    .option('--seeds <n>', 'independent runs with seeds seed, seed+1, … (the paper averages 4)', '1')
    .option('--seed <s>', 'first seed', '1')
    .option('--out <dir>', 'checkpoint directory (resumes from it when it holds a checkpoint)')
    .option('--redis <url>', 'run the training as a job on the BullMQ queue in this Redis (a codesign worker takes it); needs --out on storage the workers share')
    .option('--restart', 'train from scratch in --out even over a checkpoint that cannot be resumed (it is overwritten)')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKENDS).default('auto'))
    .option('--json', 'print the summary as one JSON document')
    .addOption(progressOption())
    .action(async (o: TrainFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      // Options of another network never pass silently.
      const readers = new Map(ONLY.filter(([, nets]) => !nets.includes(o.net)));
      refuseGiven(o, given, [...readers.keys()], (name) => `allowed: only with --net ${readers.get(name as keyof TrainFlags)!.join(' or --net ')} (--net ${o.net} does not read it)`);
      const hp = (defaults: { epochs?: string; batch?: string } = {}): Hyperparameters => ({
        epochs: positiveInt('--epochs', given('epochs') ? o.epochs : (defaults.epochs ?? o.epochs)),
        batchSize: positiveInt('--batch', given('batch') ? o.batch : (defaults.batch ?? o.batch)),
        learningRate: positiveNumber('--lr', o.lr),
        patience: positiveInt('--patience', o.patience),
        seed: seedOf(o.seed),
        ...(o.lrDecay !== undefined ? { learningRateDecay: positiveNumber('--lr-decay', o.lrDecay) } : {}),
        ...(o.converge ? { convergence: { ...CONVERGENCE_DEFAULTS, minSteps: positiveInt('--min-steps', o.minSteps) } } : {}),
      });
      if (!o.converge && given('minSteps')) throw new InputError('--min-steps', o.minSteps, 'allowed: only with --converge (the rule it configures)');
      if (o.restart && o.out === undefined) throw new InputError('--restart', true, 'allowed: only with --out (the checkpoint directory it starts over in)');
      // On the queue: the job is this command's typed config, run by a worker; this process waits.
      const remote = o.redis === undefined ? undefined : redisUrl(o.redis);
      if (remote !== undefined && o.out === undefined) throw new InputError('--redis', o.redis, 'allowed: with --out DIR on storage the workers share (the job checkpoints there and resumes from it)');
      if (remote !== undefined) refuseGiven(o, given, ['progress'], () => 'allowed: not with --redis (the worker trains; this process waits for its result)');
      const run = async <R>(kind: JobKind, config: object, local: () => Promise<R>): Promise<R> => {
        if (remote === undefined) return local();
        const { submitJob } = await import('../../search/queue.ts');
        // Said once the job is in the queue (or found there), not before Redis has answered.
        const told = (id: string, state: string) => void io.stderr.write(`${kind} job queued on ${remote} (job ${id.slice(0, 12)}, ${state}); a codesign worker runs it\n`);
        return (await submitJob<R>(remote, kind, config, told)).result;
      };
      const place = { backend: oneOf('--backend', o.backend, BACKENDS), ...(o.out !== undefined ? { out: o.out } : {}), ...(o.restart ? { restart: true } : {}), ...(o.initFrom !== undefined ? { initFrom: o.initFrom } : {}) };
      const progress = cliProgress(io, progressMode(io, o));
      try {
        if (o.net === 'slpdnet') {
          // Seed 002's settings where the user left the precoder's defaults: batch 200, 20 epochs.
          const config = {
            ...place,
            m: positiveInt('--m', o.m, 256),
            k: positiveInt('--k', o.k, 256),
            variant: oneOf('--variant', o.variant ?? 'dnet', SLP_VARIANTS),
            qr: fraction('--qr', o.qr),
            formulation: oneOf('--formulation', o.formulation, FORMULATIONS),
            features: oneOf('--features', o.features, SLP_FEATURES),
            samples: positiveInt('--samples', o.samples ?? '20000'),
            testSamples: positiveInt('--test-samples', o.testSamples),
            kbitActivations: o.kbitActivations === true,
            hyperparameters: hp({ epochs: '20', batch: '200' }),
            curve: true,
          };
          if (config.m < config.k) throw new InputError('--m', o.m, `allowed: M ≥ K = ${config.k} (the least-norm precoder needs AAᴴ invertible)`);
          const { trainSlp } = await import('../../studies/train.ts');
          const c = await run('train-slp', config, () => trainSlp(config, progress));
          io.stdout.write((o.json ? JSON.stringify({ ...c, test: { ...c.test, perSample: undefined } }, null, 2) : renderSlpTraining(c)) + '\n');
          return;
        }
        const scenario = loadScenario(o.scenario);
        const samples = o.samples === undefined ? undefined : positiveInt('--samples', o.samples);
        if (o.net !== 'precoder') {
          if (scenario.model !== 'cost2100' && scenario.model !== 'site') throw new InputError('--scenario', o.scenario, 'allowed: a CSI scenario (cost2100-indoor, cost2100-outdoor), or a site scenario whose users’ channels become 2×8×8 feedback maps (docs/link.md), for a codec');
          const { trainCodec } = await import('../../studies/train.ts');
          const codec: CodecTraining = {
              ...place,
              scenario,
              net: oneOf('--net', o.net, CSI_NETS),
              cr: positiveInt('--cr', o.cr),
              variant: oneOf('--variant', o.variant ?? 'fp', CODEC_VARIANTS),
              hyperparameters: hp(),
              ...(samples !== undefined ? { samples } : {}),
              ...(o.snrDb !== undefined ? { codewordSnrDb: finiteNumber('--snr-db', o.snrDb) } : {}),
              ...(o.codewordBits !== undefined ? { codewordBits: intInRange('--codeword-bits', o.codewordBits, CODEWORD_TRAIN_BITS.min, CODEWORD_TRAIN_BITS.max) } : {}),
              zeroInitResidual: o.zeroInitResidual === true,
          };
          const c = await run('train-codec', codec, () => trainCodec(codec, progress));
          io.stdout.write(
            (o.json
              ? JSON.stringify(c, null, 2)
              : `${c.graph} on ${c.scenario} (${c.backend})${c.codewordBits !== null ? `, codeword quantized to ${c.codewordBits} bits` : ''}${c.codewordSnrDb !== null ? `, codeword SNR ${c.codewordSnrDb} dB` : ''}: test NMSE ${c.test.nmseDb.toFixed(2)} dB, ρ ${c.test.rho.toFixed(4)}; best validation −NMSE ${c.result.bestValidation.toFixed(2)} dB at epoch ${c.result.bestEpoch}/${c.result.epochsRun}`) + '\n',
          );
          return;
        }
        if (scenario.model === 'cost2100') throw new InputError('--scenario', o.scenario, 'allowed: a MIMO scenario (rayleigh, cdl or site) for the precoder');
        const { trainPrecoder } = await import('../../studies/train.ts');
        const precoder: PrecoderTraining = {
            ...place,
            scenario,
            cout: positiveInt('--cout', o.cout),
            dfcl: positiveInt('--dfcl', o.dfcl),
            bits: precoderBits(o.bits),
            head: oneOf('--head', o.head, PRECODER_HEAD_NAMES),
            ...(o.iterations !== undefined ? { iterations: positiveInt('--iterations', o.iterations, UNFOLDED_ITERATIONS.max) } : {}),
            supernet: o.supernet === true,
            seeds: positiveInt('--seeds', o.seeds),
            hyperparameters: hp(),
            ...(samples !== undefined ? { samples } : {}),
            freshChannels: o.freshChannels === true,
            ...(o.feedback !== undefined ? { feedback: await precoderFeedback(o.feedback) } : {}),
        };
        const summary = await run('train-precoder', precoder, () => trainPrecoder(precoder, progress));
        if (o.json) io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else {
          io.stdout.write(
            `${summary.graph} on ${summary.scenario} (${summary.backend}): sum rate ${summary.meanTestRate.toFixed(3)} ± ${summary.stdTestRate.toFixed(3)} bit/s/Hz (mean ± std over ${summary.seeds.length} seed(s)) on the ${summary.split}; codesign eval gives its 95% interval and paired differences\n` +
              summary.seeds.map((r) => `  seed ${r.seed}: test ${r.testRate.toFixed(3)}, best validation ${r.result.bestValidation.toFixed(3)} at epoch ${r.result.bestEpoch}/${r.result.epochsRun}, ${r.result.steps} steps, stopped by ${r.result.stopReason}, ${(r.result.trainMs / 1000).toFixed(0)} s`).join('\n') +
              '\n',
          );
        }
      } finally {
        progress.stop();
      }
    });
}

export function renderSlpTraining(c: SlpTrainSummary): string {
  const methods = Object.keys(c.curve[0]?.power_dB ?? {});
  const header =
    `${c.graph} (${c.formulation}, ${c.features} input, ${c.backend}): test unit-margin power ${c.test.meanPower_dB.toFixed(2)} dB over ${c.test.samples} samples` +
    `${c.test.infeasible > 0 ? ` (${c.test.infeasible} infeasible, excluded)` : ''}; best validation ${c.result.bestValidation.toFixed(3)} at epoch ${c.result.bestEpoch}/${c.result.epochsRun}, ${(c.result.trainMs / 1000).toFixed(0)} s; ` +
    `${c.energy_uJ.total.toPrecision(3)} µJ per inference on ${DEFAULT_PRESET.name}, ${c.inferenceMemory_MB.toFixed(4)} MB`;
  const medians = Object.entries(c.unitMedian_dB).map(([name, db]) => `${name} ${db.toFixed(2)}`).join(', ');
  return `${header}\nmean transmit power (dB), σ² = 1:\n${table(['SINR dB', ...methods], c.curve.map((r) => [r.sinr_dB, ...methods.map((name) => r.power_dB[name].toFixed(2))]))}\nmedian power at unit margin (dB): ${medians}`;
}
