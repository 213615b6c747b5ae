/**
 * The commander layer: parse, call the library, print. Bad input ends in one line on stderr and
 * exit code 2; a failed run in exit code 1.
 */
import { Command, CommanderError, Option } from 'commander';
import { FileError, InputError, ShapeError } from '../core/errors.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { classicalTable, describeWithEnergy, generateScenario, listScenarios, renderDescription } from './scenario.ts';
import { describeScenario } from '../studies/describe.ts';
import { nonNegativeNumber, positiveInt } from '../core/validate.ts';
import { PRESETS, presetByName } from '../sim/presets.ts';
import { renderEnergy, runEnergy } from './energy.ts';
import { table } from './format.ts';
import { runStart } from '../studies/start.ts';
import { runReport } from './report.ts';
import { renderSearch, runExport, runGroupedPsoCommand, runPsoCommand, runSearchCommand } from './search.ts';
import { renderSlpTraining, runEval, runEvalAll, runEvalCodec, runTrain, runTrainCodec, runTrainSlp } from './train.ts';
import { TRAIN_DEFAULTS } from '../train/trainer.ts';
import { CheckpointError } from '../train/checkpoint.ts';
import { renderSimulation, runSimulation, simulationJob, simulationJson } from './simulate.ts';
import { ENGINE_DEFAULTS } from '../sim/engine/config.ts';
import { CHANNELS, baselineJson, exportBaseline, renderBaseline, renderSlpBaseline, runBaselineCommand, runSlpBaselineCommand } from './baseline.ts';
import { ALGORITHMS } from '../baselines/run.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { runClassical, runRates, TABLE_SAMPLES } from '../studies/rates.ts';
import { NETS, PAPER_BASELINES, VARIANTS } from './workload.ts';
import { reproduceSeed000, type ReproductionRow } from '../studies/reproduce.ts';

function workloadOptions(cmd: Command, help: { p?: string } = {}): Command {
  return cmd
    .addOption(new Option('--net <name>', 'network to price').choices(NETS))
    .addOption(new Option('--baseline <algo>', 'classical precoder to price (paper op count, eq. 12–13)').choices(PAPER_BASELINES))
    .option('--cout <n>', 'conv output channels C_out', '64')
    .option('--dfcl <n>', 'width of FC1 and FC2 (D_FCL)', '1024')
    .option('--bits <list>', 'weight bits of [CONV,FCL1,FCL2,FCL3], each 1–32', '16,16,16,16')
    .addOption(new Option('--head <name>', 'precoder head: direct (the paper’s FCL3 outputs the precoder) or structured (FCL3 outputs λ_k, p_k; Gram matrix, regularised inverse, Hᴴ product, per-user power as ops) [default: direct]').choices(PRECODER_HEAD_NAMES))
    .option('--activation-bits <n>', 'activation bits of every layer', '16')
    .option('--nt <n>', 'transmit antennas N_T', '64')
    .option('--nu <n>', 'users N_U', '4')
    .option('--iterations <I>', 'WMMSE iterations (may be a mean), paper accounting', '92.8')
    .addOption(new Option('--accounting <a>', 'baseline op count: paper (eq. 12–13) or measured (our implementation on seeded Rayleigh channels)').choices(['paper', 'measured']).default('paper'))
    .option('--snr-db <dB>', 'SNR of the channels a measured baseline runs on', '15')
    .option('--samples <n>', 'channels a measured baseline runs on', '20')
    .option('--cr <n>', 'compression ratio of a CSI codec (4, 8, 16, 32, 64)', '4')
    .addOption(new Option('--side <side>', 'CSI codec side: encoder (UE), decoder (BS) or both').choices(['encoder', 'decoder', 'both']).default('both'))
    .addOption(new Option('--variant <v>', 'CSI codec: fp (default), bfc (binarised FC), q8 (8-bit everywhere); SLP-DNet: dnet (default), dbnet, dtnet, dsqbnet, dsqtnet').choices(VARIANTS))
    .option('--m <n>', 'SLP-DNet: BS antennas M', '4')
    .option('--k <n>', 'SLP-DNet: users K', '4')
    .option('--qr <r>', 'SLP-DNet stochastic variants: quantization ratio (fraction of rows quantized)', '0.5')
    .option('--preset <name>', `hardware preset (${PRESETS.map((p) => p.name).join(', ')})`, 'kasalaee2025')
    .option('--p <n>', help.p ?? 'parallel execution units p (overrides the preset rule)');
}

export function buildProgram(): Command {
  const program = new Command()
    .name('codesign')
    .description('Energy, time and memory of quantized precoders and CSI codecs on a MAC-array accelerator')
    .showHelpAfterError(false)
    .exitOverride();

  workloadOptions(
    program
      .command('energy')
      .description('price a network or a classical precoder with the closed-form energy model (seed 000, eq. 7–14)'),
  )
    .option('--json', 'print exactly one JSON document on stdout')
    .action((options) => {
      process.stdout.write(renderEnergy(runEnergy(options), options.json === true) + '\n');
    });

  workloadOptions(
    program
      .command('simulate')
      .description('run the event-driven MAC-array engine op by op: cycles, stalls, accesses, energy, and the closed form beside it'),
    { p: 'array size p (square when possible), or a comma list to sweep, e.g. 4,16,64,256' },
  )
    .option('--gemm <M,N,K>', 'a bare GEMM: M rows stream through, N outputs, K the reduction')
    .option('--topology <file>', 'a SCALE-Sim topology CSV (conv or GEMM format)')
    .addOption(new Option('--mode <mode>', 'ideal: the paper’s assumptions; systolic: SCALE-Sim v2 conventions').choices(['ideal', 'systolic']).default('systolic'))
    .addOption(new Option('--dataflow <df>', 'output-, weight- or input-stationary').choices(['os', 'ws', 'is']).default('ws'))
    .option('--array <RxC>', 'MAC array rows × columns, e.g. 8x8')
    .option('--bandwidth <words>', 'main memory ↔ local buffer words per cycle (per operand), or unlimited', 'unlimited')
    .addOption(new Option('--bandwidth-sharing <how>', 'one channel per operand or one shared').choices(['per-operand', 'shared']).default('per-operand'))
    .option('--batch <B>', 'inferences per run', '1')
    .option('--local-buffer-words <n>', 'capacity of each local buffer in words', String(ENGINE_DEFAULTS.localBufferWords))
    .option('--vector-width <n>', 'elementwise operations per cycle', String(ENGINE_DEFAULTS.vectorWidth))
    .option('--trace <file>', 'write a Chrome trace-event JSON (Perfetto, chrome://tracing)')
    .option('--json', 'print exactly one JSON document on stdout')
    .action((options) => {
      const outcome = runSimulation(simulationJob(options), options.trace);
      process.stdout.write((options.json ? JSON.stringify(simulationJson(outcome), null, 2) : renderSimulation(outcome)) + '\n');
    });

  program
    .command('start')
    .description('the main job: price all 2048 seed-000 design points and the baselines, print a summary, and write the co-design report from the shipped rates of trained networks')
    .option('--preset <name>', 'hardware preset', 'kasalaee2025')
    .option('--scenario <name>', 'scenario of the report (one with a shipped rates table: data/rates/)', 'udem-nlos')
    .option('--out <dir>', 'where the report goes', 'out/report')
    .option('--no-report', 'skip the report')
    .option('--json', 'print the summary as JSON')
    .action(async (options) => {
      const summary = runStart(presetByName(options.preset));
      const report = async () => {
        if (!options.report) return;
        const r = await runReport({ scenario: options.scenario, out: options.out, quick: false, preset: options.preset, log: (m) => process.stderr.write(`${m}\n`) });
        process.stdout.write(`\n${r.headline.summaryLine}\nReport written to ${r.index} (open it in a browser; summary.md beside it).\n`);
      };
      if (options.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const points = summary.points;
      const lines: string[] = [];
      lines.push(`Priced ${points.length} seed-000 design points and 2 baselines on ${summary.preset} in ${summary.elapsedMs.toFixed(1)} ms.`);
      const archRows = [...new Set(points.map((p) => `${p.config.cout}/${p.config.dfcl}`))].map((arch) => {
        const mine = points.filter((p) => `${p.config.cout}/${p.config.dfcl}` === arch);
        const min = mine.reduce((a, b) => (b.energy_uJ < a.energy_uJ ? b : a));
        const max = mine.reduce((a, b) => (b.energy_uJ > a.energy_uJ ? b : a));
        return [arch, mine[0].macs, min.energy_uJ, min.config.bits.join(','), max.energy_uJ, max.config.bits.join(',')];
      });
      lines.push('', table(['C_out/D_FCL', 'MACs', 'min µJ', 'at bits', 'max µJ', 'at bits'], archRows));
      lines.push('', 'Seed 000 Tables I–II (N_T=64, N_U=4):', reproductionTable(reproduceSeed000(presetByName(summary.preset))));
      lines.push('', 'Per-op breakdown: npx codesign energy --net precoder --bits 8,8,8,8   (docs/reproduction.md explains the gaps)');
      process.stdout.write(lines.join('\n') + '\n');
      await report();
    });

  program
    .command('baseline')
    .description('classical precoders (WMMSE, ZF, RZF, equal-power RZF, MRT) on seeded channels: sum rate, iterations, energy per solve; or --algo slp: symbol-level precoding power vs SINR target')
    .addOption(new Option('--algo <name>', 'algorithm (slp: seed 002 eq. 2 beside block-level precoding)').choices([...ALGORITHMS, 'slp']).default('wmmse'))
    .option('--sinr-db <list>', 'slp: SINR targets in dB', '0,10,20,30')
    .option('--scenario <name>', 'a named scenario (codesign scenario list) or a scenario JSON file; runs on its test split')
    .option('--channel <model>', `a channel model drawn here (${CHANNELS.join(', ')}) with --nt, --nu, --seed`)
    .option('--nt <n>', 'transmit antennas N_T', '64')
    .option('--nu <n>', 'users N_U', '4')
    .option('--snr-db <dB>', 'SNR = P/σ² in dB (default: the scenario’s, or 15)')
    .option('--tol <eps>', 'WMMSE stopping tolerance', '1e-5')
    .addOption(new Option('--rule <rule>', 'WMMSE stopping rule: abs |ΔΣlog₂w| < tol, rel |Δ|/|prev| < tol').choices(['abs', 'rel']).default('abs'))
    .option('--max-iter <n>', 'WMMSE iteration cap', '1000')
    .addOption(new Option('--init <start>', 'WMMSE start: mrt, rzf, rzf-ep (equal-power RZF), or best (runs all three, keeps the highest rate, counts all) [default: best]').choices(['mrt', 'rzf', 'rzf-ep', 'best']))
    .option('--samples <n>', 'channel samples', '100')
    .option('--seed <s>', 'random seed', '1')
    .option('--preset <name>', 'hardware preset', 'kasalaee2025')
    .option('--p <n>', 'parallel execution units p (overrides the preset rule)')
    .option('--export <file>', 'write the channels and per-sample results as JSON')
    .option('--json', 'print exactly one JSON document on stdout')
    .action((options) => {
      if (options.algo === 'slp') {
        const r = runSlpBaselineCommand(options);
        process.stdout.write((options.json ? JSON.stringify({ ...r, curve: { samples: r.curve.samples, rows: r.curve.rows, unitMedian_dB: r.curve.unitMedian_dB } }, null, 2) : renderSlpBaseline(r)) + '\n');
        return;
      }
      const outcome = runBaselineCommand({ ...options, log: (m: string) => process.stderr.write(`${m}\n`) });
      if (options.export) exportBaseline(outcome.run, options.export);
      process.stdout.write((options.json ? JSON.stringify(baselineJson(outcome), null, 2) : renderBaseline(outcome)) + '\n');
    });

  const scenario = program.command('scenario').description('channel scenarios: named, seeded, cached datasets');
  scenario
    .command('list')
    .description('list the named scenarios (scenarios/named/*.json)')
    .action(() => {
      process.stdout.write(listScenarios() + '\n');
    });
  scenario
    .command('describe')
    .description('SNR, LOS share, user correlation, conditioning, and the classical precoders’ sum rates and energies on a scenario’s test split')
    .argument('<name>', 'a named scenario or a scenario JSON file')
    .option('--samples <n>', 'test samples the baselines run on', '200')
    .addOption(new Option('--rule <rule>', 'WMMSE stopping rule').choices(['abs', 'rel']).default('abs'))
    .option('--tol <eps>', 'WMMSE tolerance', '1e-5')
    .option('--preset <name>', 'hardware preset the classical precoders are priced on', 'kasalaee2025')
    .option('--json', 'print exactly one JSON document on stdout')
    .action((name, options) => {
      const preset = presetByName(options.preset);
      const d = describeScenario(loadScenario(name), {
        baselineSamples: positiveInt('--samples', options.samples),
        wmmseRule: options.rule,
        wmmseTol: nonNegativeNumber('--tol', options.tol),
        log: (m) => process.stderr.write(`${m}\n`),
      });
      const priced = describeWithEnergy(d, preset);
      process.stdout.write((options.json ? JSON.stringify(priced, null, 2) : renderDescription(priced)) + '\n');
    });
  scenario
    .command('generate')
    .description('generate (or load from cache) the train, validation and test splits')
    .argument('<name>', 'a named scenario or a scenario JSON file')
    .option('--json', 'print the result as JSON')
    .action((name, options) => {
      const result = generateScenario(name, (m) => process.stderr.write(`${m}\n`));
      process.stdout.write((options.json ? JSON.stringify(result, null, 2) : table(['split', 'samples', 'ms', 'file'], result.map((r) => [r.split, r.samples, Math.round(r.ms), r.file]))) + '\n');
    });

  program
    .command('train')
    .description('quantization-aware training: the seed-000 precoder (sum-rate loss) or a CSI codec (--net, MSE loss)')
    .option('--net <name>', 'precoder (default), a CSI codec: csinet, crnet, cllwcsinet (with a cost2100 scenario), or slpdnet (learned symbol-level precoder)', 'precoder')
    .option('--cr <n>', 'codec compression ratio', '4')
    .addOption(new Option('--variant <v>', 'codec: fp (default), bfc, q8; slpdnet: dnet (default), dbnet, dtnet, dsqbnet, dsqtnet').choices(VARIANTS))
    .option('--m <n>', 'slpdnet: BS antennas M', '4')
    .option('--k <n>', 'slpdnet: users K', '4')
    .option('--qr <r>', 'slpdnet stochastic variants: fraction of each quantized layer’s rows quantized', '0.5')
    .addOption(new Option('--formulation <f>', 'slpdnet output layer: constructive (feasible by construction) or lagrangian (eq. 9–10 multipliers)').choices(['constructive', 'lagrangian']).default('constructive'))
    .addOption(new Option('--features <f>', 'slpdnet input: gram ((AAᴴ)⁻¹, normalised) or channels (the rotated channels)').choices(['gram', 'channels']).default('gram'))
    .option('--lr-decay <factor>', 'multiply the learning rate by this after every epoch (seed 002: 0.65)')
    .option('--kbit-activations', 'slpdnet: low-bit variants train with the k-bit activation of seed 002 eq. (22) in place of PReLU')
    .option('--zero-init-residual', 'codec: start the decoder’s residual-path BN scales at 0 (outputs 0.5, the 0 dB decoder, at step 0)')
    .option('--init-from <dir>', 'precoder or codec: start from the weights of another run’s checkpoint (its best/), with a fresh optimiser and learning-rate schedule')
    .option('--test-samples <n>', 'slpdnet: test channels for the power-vs-SINR comparison', '2000')
    .option('--snr-db <dB>', 'codec: AWGN on the codeword at this SNR (imperfect feedback)')
    .option('--scenario <name>', 'a named scenario or scenario file', 'udem-nlos')
    .option('--cout <n>', 'conv output channels C_out', '64')
    .option('--dfcl <n>', 'width of FC1 and FC2', '1024')
    .option('--bits <list>', 'weight bits of [CONV,FCL1,FCL2,FCL3]', '16,16,16,16')
    .option('--supernet', 'train one bit-width supernet (each step samples bits from {2,4,8,16} per layer)')
    .option('--head <name>', 'precoder: direct (the paper’s FCL3 outputs the precoder) or structured (FCL3 outputs per-user λ_k, p_k of the optimal beamforming structure)', 'direct')
    .option('--fresh-channels', 'precoder: train each epoch on freshly drawn channels of the scenario (seeded per epoch) instead of the fixed training split')
    .option('--epochs <n>', 'maximum epochs', String(TRAIN_DEFAULTS.epochs))
    .option('--batch <n>', 'batch size', String(TRAIN_DEFAULTS.batchSize))
    .option('--lr <rate>', 'Adam learning rate', String(TRAIN_DEFAULTS.learningRate))
    .option('--patience <n>', 'early stopping: epochs without a better validation sum rate', String(TRAIN_DEFAULTS.patience))
    .option('--samples <n>', 'use only the first N training samples')
    .option('--seeds <n>', 'independent runs with seeds seed, seed+1, … (the paper averages 4)', '1')
    .option('--seed <s>', 'first seed', '1')
    .option('--out <dir>', 'checkpoint directory (resumes from it when it holds a checkpoint)')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['auto', 'wasm', 'cpu', 'tensorflow']).default('auto'))
    .option('--json', 'print the summary as one JSON document')
    .action(async (options, cmd: Command) => {
      if (options.net !== 'precoder') {
        // Precoder-only options never pass silently to another network.
        if (options.freshChannels) throw new InputError('--fresh-channels', true, `allowed: only with --net precoder (--net ${options.net} trains on its own data)`);
        if (cmd.getOptionValueSource('head') === 'cli') throw new InputError('--head', options.head, `allowed: only with --net precoder (--net ${options.net} has no precoder head)`);
      }
      if (options.net === 'slpdnet') {
        // Seed 002's settings where the user left the precoder's defaults: batch 200, 20 epochs.
        const fromDefault = (name: string) => cmd.getOptionValueSource(name) === 'default';
        const c = await runTrainSlp({ ...options, batch: fromDefault('batch') ? '200' : options.batch, epochs: fromDefault('epochs') ? '20' : options.epochs });
        process.stdout.write((options.json ? JSON.stringify({ ...c, test: { ...c.test, perSample: undefined } }, null, 2) : renderSlpTraining(c)) + '\n');
        return;
      }
      if (options.net !== 'precoder') {
        const c = await runTrainCodec(options);
        process.stdout.write(
          (options.json
            ? JSON.stringify(c, null, 2)
            : `${c.graph} on ${c.scenario} (${c.backend})${c.codewordSnrDb !== null ? `, codeword SNR ${c.codewordSnrDb} dB` : ''}: test NMSE ${c.test.nmseDb.toFixed(2)} dB, ρ ${c.test.rho.toFixed(4)}; best validation −NMSE ${c.result.bestValidation.toFixed(2)} dB at epoch ${c.result.bestEpoch}/${c.result.epochsRun}`) + '\n',
        );
        return;
      }
      const summary = await runTrain(options);
      if (options.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        process.stdout.write(
          `${summary.graph} on ${summary.scenario} (${summary.backend}): test sum rate ${summary.meanTestRate.toFixed(3)} ± ${summary.stdTestRate.toFixed(3)} bit/s/Hz over ${summary.seeds.length} seed(s)\n` +
            summary.seeds.map((r) => `  seed ${r.seed}: test ${r.testRate.toFixed(3)}, best validation ${r.result.bestValidation.toFixed(3)} at epoch ${r.result.bestEpoch}/${r.result.epochsRun}${r.result.stoppedEarly ? ' (stopped early)' : ''}, ${(r.result.trainMs / 1000).toFixed(0)} s`).join('\n') +
            '\n',
        );
      }
    });

  program
    .command('rates')
    .description('write a scenario’s rates table (data/rates/<scenario>.csv) from trained supernets, or (--classical) its classical results on the same test samples')
    .option('--supernets <dir>', 'runs DIR/<head>/<C_out>x<D_FCL>/seed-<s>/ (bench/train-supernets.sh)')
    .option('--classical', 'the classical precoders (MRT, ZF, RZF, equal-power RZF, WMMSE per start and tolerance) on the same test samples')
    .option('--scenario <name>', 'a named MIMO scenario', 'udem-nlos')
    .option('--samples <n>', 'test samples every rate is measured on', String(TABLE_SAMPLES))
    .option('--out <file>', 'the table to write (default: the shipped data/rates/<scenario>.csv or .classical.json)')
    .action(async (options) => {
      const samples = positiveInt('--samples', options.samples);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      if (options.classical) {
        if (options.supernets !== undefined) throw new InputError('--supernets', options.supernets, 'allowed: either --supernets or --classical, not both');
        const { file, table: t } = runClassical({ scenario: options.scenario, samples, out: options.out, log });
        process.stdout.write(`${file}: ${t.results.length} classical results on ${t.samples} test samples\n`);
        return;
      }
      if (options.supernets === undefined) throw new InputError('--supernets', '(none)', 'allowed: a supernet directory, or --classical');
      const r = await runRates({ supernets: options.supernets, scenario: options.scenario, samples, out: options.out, log });
      process.stdout.write(`${r.file}: ${r.rows} rows (${r.runs} runs rated or reused)\n`);
    });

  program
    .command('eval')
    .description('a trained checkpoint on a scenario’s test split: a precoder’s sum rate next to MRT, ZF, RZF, equal-power RZF and WMMSE (best start and each start, both energy counts) on the same samples, or a codec’s NMSE and ρ (optionally with codeword noise); with its energy')
    .requiredOption('--checkpoint <dir>', 'a directory written by codesign train')
    .option('--scenario <name>', 'a named MIMO scenario or scenario file', 'udem-nlos')
    .option('--bits <list>', 'evaluate at these weight bits (a supernet checkpoint evaluates any configuration)')
    .option('--samples <n>', 'test samples', '1000')
    .option('--preset <name>', 'hardware preset for the energy', 'kasalaee2025')
    .option('--finetune <steps>', 'refine the --bits configuration for this many steps before evaluating (supernet)')
    .option('--all-bits', 'evaluate every weight-bit configuration of a supernet checkpoint (table of rate, energy, efficiency)')
    .option('--choices <list>', 'bit widths per layer for --all-bits', '2,4,8,16')
    .option('--snr-db <list>', 'codec on a CSI scenario: also evaluate with AWGN on the codeword at these SNRs (dB)')
    .option('--json', 'print exactly one JSON document on stdout')
    .action(async (options) => {
      if (loadScenario(options.scenario).model === 'cost2100') {
        const r = await runEvalCodec(options);
        process.stdout.write(
          (options.json
            ? JSON.stringify(r, null, 2)
            : `${r.graph} on ${r.samples} ${r.scenario} test samples (encoder ${r.energy_uJ.encoder.toPrecision(4)} µJ, decoder ${r.energy_uJ.decoder.toPrecision(4)} µJ)\n` +
              table(['codeword SNR dB', 'NMSE dB', 'ρ'], r.rows.map((row) => [row.codewordSnr_dB ?? 'clean', row.nmseDb.toFixed(2), row.rho.toFixed(4)]))) + '\n',
        );
        return;
      }
      if (options.allBits) {
        const rows = await runEvalAll(options);
        process.stdout.write((options.json ? JSON.stringify(rows, null, 2) : table(['bits', 'sum rate', 'energy µJ', 'bit/s/Hz/µJ'], rows.map((r) => [r.bits.join(','), r.sumRate, r.energy_uJ, r.efficiency]))) + '\n');
        return;
      }
      const r = await runEval(options);
      process.stdout.write(
        (options.json
          ? JSON.stringify(r, null, 2)
          : `${r.graph} bits ${r.bits ?? 'as trained'}: sum rate ${r.sumRate.toFixed(3)} on ${r.samples} ${r.scenario} test samples (the trained checkpoint ${options.checkpoint}); energy ${r.energy_uJ.total.toPrecision(4)} µJ\nclassical precoders on the same samples:\n${classicalTable(r.classical)}`) + '\n',
      );
    });

  program
    .command('search')
    .description('exhaustive MPQ×NAS search of the seed-000 space into a DuckDB results store (resumable), with the Pareto front')
    .option('--db <file>', 'results database (created if missing; a rerun skips stored points)', 'out/results.duckdb')
    .option('--experiment <name>', 'experiment label stored with each point', 'default')
    .option('--experiment-file <file>', 'a JSON experiment (name, archs, bitChoices, preset, quality) instead of the options below')
    .option('--archs <list>', '"all" or C_outxD_FCL list, e.g. 8x512,64x1024', 'all')
    .option('--quality <src>', 'table (the shipped rates of trained networks, data/rates/<scenario>.csv), table:FILE, a supernet checkpoint directory, "train" (a dedicated training per configuration on a worker pool), or synthetic[:seed] (a seeded formula for dry runs, labelled as such)', 'table')
    .option('--heads <list>', 'precoder heads to search: direct, structured (default: both for a table, direct otherwise)')
    .option('--scenario <name>', 'scenario whose test split rates the networks', 'udem-nlos')
    .option('--samples <n>', 'test samples per configuration', '500')
    .option('--choices <list>', 'weight bit widths per layer', '2,4,8,16')
    .option('--epochs <n>', 'epochs per dedicated training (--quality train)', '10')
    .option('--batch <n>', 'batch size of dedicated trainings', '100')
    .option('--lr <rate>', 'learning rate of dedicated trainings', '1e-3')
    .option('--threads <n>', 'worker threads for dedicated trainings (default: one per core)')
    .option('--preset <name>', 'hardware preset', 'kasalaee2025')
    .option('--throttle-ms <n>', 'wait after each evaluation (demos and resume tests)')
    .option('--progress', 'a progress line on stderr every 16 stored points, also when stderr is not a terminal')
    .addOption(new Option('--algo <a>', 'exhaustive, or PSO bit allocation for one architecture (seed 004)').choices(['exhaustive', 'ppso', 'gcpso']).default('exhaustive'))
    .option('--budget <uJ>', 'PSO: maximise the sum rate within this energy per inference')
    .option('--target <rate>', 'PSO: minimise the energy reaching this sum rate')
    .option('--seed <s>', 'PSO seed', '1')
    .option('--max-evaluations <n>', 'PSO: stop after rating this many configurations (default: a quarter of the space)')
    .option('--groups <G>', 'PSO: bits per group of output channels, G groups per layer (4·G dimensions; synthetic rates)')
    .option('--json', 'print the outcome as JSON')
    .action(async (options, cmd: Command) => {
      // Options of one quality source never pass silently under another.
      const source = /^(table|synthetic)(:|$)/.exec(options.quality)?.[1] ?? (options.quality === 'train' ? 'train' : 'checkpoint');
      const onlyFor: Record<string, readonly string[]> = { samples: ['train', 'checkpoint'], epochs: ['train'], batch: ['train'], lr: ['train'], threads: ['train'] };
      for (const [name, sources] of Object.entries(onlyFor)) {
        if (cmd.getOptionValueSource(name) === 'cli' && !sources.includes(source)) {
          throw new InputError(`--${name}`, options[name], `allowed: only with --quality ${sources.join(' or ')} (--quality ${options.quality} rates without it${source === 'table' ? ': the table says its own test samples' : ''})`);
        }
      }
      if (options.groups !== undefined) {
        if (options.algo === 'exhaustive') throw new InputError('--groups', options.groups, 'allowed: with --algo ppso or gcpso (4^(4G) allocations cannot be enumerated)');
        const r = await runGroupedPsoCommand(options);
        process.stdout.write(
          (options.json
            ? JSON.stringify(r, null, 2)
            : `${r.algorithm} over ${r.dimensions} groups (${r.space} allocations; sum rates: ${r.quality}): ${r.evaluation ? `sum rate ${r.evaluation.quality.toFixed(3)}, ${r.evaluation.cost.toFixed(3)} µJ` : 'none feasible'} after ${r.evaluations} evaluations; per-layer optimum ${r.perLayerOptimum ? `${r.perLayerOptimum.quality.toFixed(3)}, ${r.perLayerOptimum.cost.toFixed(3)} µJ` : 'none feasible'}\nbits per group: ${r.bits?.join(',') ?? '–'}`) + '\n',
        );
        return;
      }
      if (options.algo !== 'exhaustive') {
        const r = await runPsoCommand(options);
        process.stdout.write((options.json ? JSON.stringify(r, null, 2) : `${r.algorithm}: bits ${r.bits ? `[${r.bits.join(',')}]` : 'none feasible'}${r.evaluation ? ` — sum rate ${r.evaluation.quality.toFixed(3)}, ${r.evaluation.cost.toFixed(3)} µJ` : ''}; ${r.qualityEvaluations} of ${r.space} configurations rated (${r.freshEvaluations} new to the store); sum rates: ${r.quality}`) + '\n');
        return;
      }
      const r = await runSearchCommand(options);
      process.stdout.write((options.json ? JSON.stringify({ total: r.total, reused: r.reused, evaluated: r.evaluated, front: r.front }, null, 2) : renderSearch(r)) + '\n');
    });

  program
    .command('results')
    .description('the results store')
    .command('export')
    .description('export every stored point as CSV or Parquet')
    .option('--db <file>', 'results database', 'out/results.duckdb')
    .addOption(new Option('--format <f>', 'csv or parquet').choices(['csv', 'parquet']).default('csv'))
    .requiredOption('--out <file>', 'output file')
    .action(async (options) => {
      const r = await runExport(options);
      process.stdout.write(`exported ${r.rows} points to ${r.file} (${r.format})\n`);
    });

  program
    .command('report')
    .description('the co-design report: Pareto fronts, DNN vs WMMSE vs ZF, per-layer energy, p sweep, engine vs closed form (HTML + PNG + Markdown)')
    .option('--scenario <name>', 'a named MIMO scenario or scenario file', 'udem-nlos')
    .option('--out <dir>', 'output directory', 'out/report')
    .option('--quick', 'skip the engine figures (p sweep, engine vs closed form)')
    .option('--preset <name>', 'hardware preset', 'kasalaee2025')
    .option('--rates <file>', 'DNN rates from this table instead of the shipped data/rates/<scenario>.csv (write one with codesign rates --supernets DIR)')
    .option('--classical <file>', 'classical results on the same test samples instead of the shipped data/rates/<scenario>.classical.json (codesign rates --classical)')
    .action(async (options) => {
      const r = await runReport({ scenario: options.scenario, out: options.out, quick: options.quick === true, preset: options.preset, rates: options.rates, classical: options.classical, log: (m) => process.stderr.write(`${m}\n`) });
      process.stdout.write(`report written to ${r.index}\n`);
    });

  program
    .command('reproduce')
    .description('seed 000 Tables I–II next to our numbers, under one preset (or all) for every row')
    .option('--preset <name>', 'hardware preset, or "all"', 'kasalaee2025')
    .option('--json', 'print the rows as JSON')
    .action((options) => {
      const presets = options.preset === 'all' ? PRESETS : [presetByName(options.preset)];
      const results = presets.map((preset) => ({ preset: preset.name, rows: reproduceSeed000(preset) }));
      if (options.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else process.stdout.write(results.map((r) => `${r.preset}\n${reproductionTable(r.rows)}`).join('\n\n') + '\n');
    });

  program
    .command('presets')
    .description('list the hardware presets')
    .option('--json', 'print the presets as JSON')
    .action((options) => {
      if (options.json) process.stdout.write(JSON.stringify(PRESETS, null, 2) + '\n');
      else process.stdout.write(table(['preset', 'summary'], PRESETS.map((p) => [p.name, p.summary])) + '\n');
    });

  return program;
}

function reproductionTable(rows: readonly ReproductionRow[]): string {
  return table(
    ['row', 'paper µJ', 'ours µJ', 'rel. error', 'E_C', 'E_W', 'E_A'],
    rows.map((r) => [r.row, r.paper_uJ, r.ours_uJ, `${(r.relativeError * 100).toFixed(1)}%`, r.terms_uJ.compute, r.terms_uJ.weight, r.terms_uJ.activation]),
  );
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error, already printed.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof InputError || error instanceof ShapeError || error instanceof FileError || error instanceof CheckpointError) {
      process.stderr.write(`codesign: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`codesign: run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
