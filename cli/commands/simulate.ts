/** `codesign simulate`: the event-driven engine on a net, a baseline trace, a GEMM or a topology file. */
import type { LevelSplit } from '../../sim/accesses.ts';
import { outputFile } from '../../core/files.ts';
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { oneOf, positiveInt, positiveIntList, positiveNumber } from '../../core/validate.ts';
import { DATAPATHS, DATAPATH_KINDS } from '../../sim/datapath.ts';
import { ENGINE_DEFAULTS, DATAFLOWS, MEMORY_MODELS, MODES, PACKINGS, arrayForP, eachBuffer, parseArray, type EngineConfig } from '../../sim/engine/config.ts';
import { closedFormTotal } from '../../sim/engine/compare.ts';
import type { HardwarePreset } from '../../sim/presets.ts';
import { kilobytesToWords, machineOf } from '../../sim/machine.ts';
import { microjoules, toMicrojoules } from '../../sim/report.ts';
import type { SimulationOutcome, SimulationSource, SimulationStudy } from '../../studies/simulate.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { hardwareOf, refuseGiven, workloadOf, workloadOptions, type Given, type WorkloadFlags } from '../options.ts';
import { slpJson, slpLine } from './energy.ts';

interface SimulateFlags extends WorkloadFlags {
  readonly gemm?: string;
  readonly topology?: string;
  readonly mode: string;
  readonly dataflow: string;
  readonly array?: string;
  readonly bandwidth: string;
  readonly wordBits: string;
  readonly packing: string;
  readonly memoryModel: string;
  readonly batch: string;
  readonly localBufferWords: string;
  readonly vectorWidth: string;
  readonly datapath: string;
  readonly trace?: string;
  readonly preset: string;
  readonly p?: string;
  readonly json?: boolean;
}

/** Engine runs one `simulate` sweep may make. */
const MAX_SWEEP_RUNS = 1000;

const WORKLOAD_FLAGS = ['net', 'baseline', 'cout', 'dfcl', 'bits', 'bitsFile', 'head', 'activationBits', 'nt', 'nu', 'iterations', 'accounting', 'snrDb', 'samples', 'cr', 'side', 'variant', 'm', 'k', 'qr'];

export function register(program: Command, io: Io): void {
  workloadOptions(
    program.command('simulate').description('run the event-driven MAC-array engine op by op: cycles, stalls, accesses, energy, and the closed form beside it'),
    { p: 'array size p (square when possible), or a comma list to sweep, e.g. 4,16,64,256' },
  )
    .option('--gemm <M,N,K>', 'a bare GEMM: M rows stream through, N outputs, K the reduction')
    .option('--topology <file>', 'a SCALE-Sim topology CSV (conv or GEMM format)')
    .addOption(new Option('--mode <mode>', 'ideal: the paper’s assumptions; systolic: SCALE-Sim v2 conventions').choices(MODES).default('systolic'))
    .option('--dataflow <df>', `output-, weight- or input-stationary (${DATAFLOWS.join(', ')}), or a comma list to sweep`, 'ws')
    .option('--array <RxC>', 'MAC array rows × columns, e.g. 8x8')
    .option('--bandwidth <words>', 'main memory ↔ local buffer words per cycle of each operand’s channel, or unlimited (finite: SCALE-Sim v2’s scratchpad model)', 'unlimited')
    .addOption(new Option('--memory-model <m>', 'stream (operands stream through FIFO buffers in the order the array asks for them, each element once unless evicted before its reuse; partial sums accumulate on chip), scalesim (SCALE-Sim v2’s scratchpads exactly) or refetch (those, with one refetch where SCALE-Sim streams round to data it just evicted)').choices(MEMORY_MODELS).default(ENGINE_DEFAULTS.memoryModel))
    .option('--word-bits <n>', 'bits in a memory word (SCALE-Sim: 8)', String(ENGINE_DEFAULTS.wordBits))
    .addOption(new Option('--packing <how>', 'word: one word per element (SCALE-Sim); bits: elements packed at their precision').choices(PACKINGS).default(ENGINE_DEFAULTS.packing))
    .option('--batch <B>', 'inferences per run, or a comma list to sweep', '1')
    .option('--local-buffer-words <n>', 'capacity of each local buffer in words: one value, or ifmap,filter,output', String(ENGINE_DEFAULTS.localBufferWords.ifmap))
    .option('--vector-width <n>', 'elementwise operations per cycle', String(ENGINE_DEFAULTS.vectorWidth))
    .addOption(new Option('--datapath <kind>', 'how a PE’s speed and MAC energy follow bits: fixed, bit-fusion (8×8-bit units of 2-bit bricks), bit-serial (1 weight bit a cycle, 16-bit PE), packed (16-bit MACs split into lanes); a hardware file can give the parameters').choices(DATAPATH_KINDS).default('fixed'))
    .option('--trace <file>', 'write a Chrome trace-event JSON (Perfetto, chrome://tracing) of the run (of a sweep: every run, each a process of its own)')
    .option('--json', 'print exactly one JSON document on stdout')
    .action(async (options: SimulateFlags, cmd: Command) => {
      const config = simulationStudy(options, (name) => cmd.getOptionValueSource(name) === 'cli');
      const { simulate } = await import('../../studies/simulate.ts');
      const outcome = simulate(config);
      io.stdout.write((options.json ? JSON.stringify(simulationJson(outcome), null, 2) : renderSimulation(outcome)) + '\n');
    });
}

export function simulationStudy(o: SimulateFlags, given: Given): SimulationStudy {
  const named = [o.net && '--net', o.baseline && '--baseline', o.gemm && '--gemm', o.topology && '--topology'].filter((s): s is string => typeof s === 'string');
  if (named.length > 1) throw new InputError('workload', named.join(' + '), 'allowed: one of --net, --baseline, --gemm, --topology');
  let source: SimulationSource;
  if (o.gemm !== undefined || o.topology !== undefined) {
    refuseGiven(o, given, WORKLOAD_FLAGS, () => `allowed: only with --net or --baseline (${o.gemm !== undefined ? '--gemm' : '--topology'} does not read it)`);
    if (o.gemm !== undefined) {
      const [M, N, K] = positiveIntList('--gemm', o.gemm, { length: 3 });
      source = { kind: 'gemm', M, N, K };
    } else source = { kind: 'topology', file: o.topology! };
  } else source = { kind: 'workload', workload: workloadOf(o, given) };
  const preset = hardwareOf(o, given);
  // The machine: the table's (sim/machine.ts), each field replaced by a flag the user typed;
  // without an architecture every field is a flag (its default where not typed).
  const arch = preset.architecture;
  const machine = machineOf(preset);
  const typed = (flag: keyof SimulateFlags) => arch === undefined || given(flag);
  const wordBits = typed('wordBits') ? positiveInt('--word-bits', o.wordBits) : machine.wordBits;
  const base = {
    ...machine,
    mode: oneOf('--mode', o.mode, MODES),
    bandwidth: typed('bandwidth') ? bandwidthOf(o.bandwidth) : machine.bandwidth,
    // A file's buffers are kilobytes: in words of the word width in force.
    localBufferWords: typed('localBufferWords') ? buffersOf(o.localBufferWords) : kilobytesToWords(arch!.localBuffersKB, wordBits),
    wordBits,
    packing: typed('packing') ? oneOf('--packing', o.packing, PACKINGS) : machine.packing,
    memoryModel: oneOf('--memory-model', o.memoryModel, MEMORY_MODELS),
    vectorWidth: positiveInt('--vector-width', o.vectorWidth),
    datapath: typed('datapath') ? DATAPATHS[oneOf('--datapath', o.datapath, DATAPATH_KINDS)] : machine.datapath,
  };
  // Sweeps: every combination of the listed dataflows, batches and arrays, one run each.
  const dataflows = typed('dataflow') ? o.dataflow.split(',').map((d) => oneOf('--dataflow', d.trim(), DATAFLOWS)) : [arch!.dataflow];
  const batches = positiveIntList('--batch', o.batch);
  const arrays = arch && !given('array') && !given('p') ? [{ rows: arch.rows, cols: arch.cols }] : arraysOf(o, preset);
  const configs = dataflows.flatMap((dataflow) => batches.flatMap((batch) => arrays.map((a) => ({ ...base, dataflow, batch, ...a }))));
  if (configs.length > MAX_SWEEP_RUNS) throw new InputError('--p', `${configs.length} runs`, `allowed: at most ${MAX_SWEEP_RUNS} runs in one sweep (dataflows × batches × arrays)`);
  return {
    source,
    preset,
    configs,
    explicitP: o.p !== undefined || o.array !== undefined,
    ...(o.trace !== undefined ? { traceFile: outputFile(o.trace, '--trace', 'a trace file') } : {}),
  };
}

function bandwidthOf(raw: string): number {
  return /^(unlimited|inf|infinity)$/i.test(raw) ? Infinity : positiveNumber('--bandwidth', raw);
}

function buffersOf(raw: string): EngineConfig['localBufferWords'] {
  const words = positiveIntList('--local-buffer-words', raw);
  if (words.length === 1) return eachBuffer(words[0]);
  if (words.length !== 3) throw new InputError('--local-buffer-words', raw, 'allowed: one capacity for all three buffers, or three: ifmap,filter,output');
  return { ifmap: words[0], filter: words[1], output: words[2] };
}

function arraysOf(o: SimulateFlags, preset: HardwarePreset): { rows: number; cols: number }[] {
  const ps = o.p === undefined ? undefined : positiveIntList('--p', o.p);
  if (o.array !== undefined) {
    const a = parseArray(o.array);
    if (ps !== undefined && (ps.length !== 1 || ps[0] !== a.rows * a.cols)) {
      throw new InputError('--p', o.p, `allowed: p = R·C = ${a.rows * a.cols} for --array ${o.array} (or leave --p out)`);
    }
    return [a];
  }
  if (ps !== undefined) return ps.map(arrayForP);
  return [arrayForP(preset.parallelism.atReference)];
}


export function simulationJson(outcome: SimulationOutcome) {
  const one = (run: SimulationOutcome['runs'][number]) => {
    const r = run.result;
    const a = r.accesses;
    const closed = closedFormTotal(run.comparisons, r.config.batch);
    return {
      workload: outcome.job.name,
      preset: r.preset,
      mode: r.config.mode,
      dataflow: r.config.dataflow,
      array: { rows: r.config.rows, cols: r.config.cols, p: r.config.rows * r.config.cols },
      bandwidth: r.config.bandwidth === Infinity ? 'unlimited' : r.config.bandwidth,
      memory: { model: memoryLabel(r.config), wordBits: r.config.wordBits, packing: r.config.packing, localBufferWords: r.config.localBufferWords, mainMemoryBits: r.config.mainMemoryBits },
      clockMHz: r.config.clockMHz,
      batch: r.config.batch,
      cycles: r.cycles,
      stallCycles: r.stallCycles,
      utilization: r.utilization,
      localBuffer: { ifmapReads: a.localActivationReads, weightReads: a.localWeightReads, outputWrites: a.localOutputWrites },
      mainMemory: { ifmapReads: a.mainActivationReads, weightReads: a.mainWeightReads, outputWrites: a.mainActivationWrites },
      offChip: { weightReads: a.offChipWeightReads, activationReads: a.offChipActivationReads, activationWrites: a.offChipActivationWrites },
      energy_uJ: toMicrojoules(r.energy),
      energyByLevel_uJ: toMicrojoulesByLevel(r.energyByLevel),
      closedForm_uJ: toMicrojoules(closed),
      time_us: r.time_us,
      energyDelayProduct_uJ_us: microjoules(r.energyDelayProduct_pJ_us),
      ...(outcome.job.slp ? slpJson(outcome.job.slp) : {}),
      ops: r.ops.map((op, i) => ({
        name: op.name,
        kind: op.opKind,
        unit: op.unit,
        cycles: op.cycles,
        stallCycles: op.stallCycles,
        utilization: op.utilization,
        mappingEfficiency: op.mappingEfficiency,
        folds: op.folds,
        macs: op.macs,
        scaleSimCycles: op.scaleSimCycles,
        localBuffer: { ifmapReads: op.accesses.localActivationReads, weightReads: op.accesses.localWeightReads, outputWrites: op.accesses.localOutputWrites },
        mainMemory: { ifmapReads: op.accesses.mainActivationReads, weightReads: op.accesses.mainWeightReads, outputWrites: op.accesses.mainActivationWrites },
        offChip: { weightReads: op.accesses.offChipWeightReads, activationReads: op.accesses.offChipActivationReads, activationWrites: op.accesses.offChipActivationWrites },
        bits: { weight: op.precision.weightBits, activation: op.precision.activationBits },
        energy_uJ: toMicrojoules(op.energy),
        energyByLevel_uJ: levels([op], r.config.batch),
        closedForm_uJ: toMicrojoules(run.comparisons[i].closedForm),
        ratio: run.comparisons[i].ratio,
        reasons: run.comparisons[i].reasons,
      })),
    };
  };
  if (outcome.runs.length === 1) return one(outcome.runs[0]);
  return {
    workload: outcome.job.name,
    sweep: outcome.runs.map(({ result: r }) => ({
      dataflow: r.config.dataflow,
      batch: r.config.batch,
      p: r.config.rows * r.config.cols,
      rows: r.config.rows,
      cols: r.config.cols,
      cycles: r.cycles,
      stallCycles: r.stallCycles,
      utilization: r.utilization,
      clockMHz: r.config.clockMHz,
      energy_uJ: toMicrojoules(r.energy),
      energyDelayProduct_uJ_us: microjoules(r.energyDelayProduct_pJ_us),
    })),
  };
}

/** An energy split by level (pJ) in µJ. */
function toMicrojoulesByLevel(l: LevelSplit) {
  return { compute: microjoules(l.compute), localBuffer: microjoules(l.localBuffer), mainMemory: microjoules(l.mainMemory), offChip: microjoules(l.offChip) };
}

/** One op's energy per inference by level, µJ (its batch energy divided by the batch). */
function levels(ops: SimulationOutcome['runs'][number]['result']['ops'], batch: number) {
  const sum = (k: keyof LevelSplit) => microjoules(ops.reduce((s, op) => s + op.energyByLevel[k], 0) / batch);
  return { compute: sum('compute'), localBuffer: sum('localBuffer'), mainMemory: sum('mainMemory'), offChip: sum('offChip') };
}

const fmtRatio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '∞');

export function renderSimulation(outcome: SimulationOutcome): string {
  if (outcome.runs.length > 1) {
    const rows = outcome.runs.map(({ result: r }) => [r.config.dataflow, r.config.batch, r.config.rows * r.config.cols, `${r.config.rows}×${r.config.cols}`, r.cycles, `${(r.utilization * 100).toFixed(1)}%`, microjoules(r.energy.total), microjoules(r.energyDelayProduct_pJ_us)]);
    return `${outcome.job.name}: sweep of ${outcome.runs.length} runs (${outcome.runs[0].result.config.mode}; energy per inference; EDP at ${outcome.runs[0].result.config.clockMHz} MHz)\n${table(['dataflow', 'batch', 'p', 'array', 'cycles', 'util', 'energy µJ', 'EDP µJ·µs'], rows)}`;
  }
  const { result: r, comparisons } = outcome.runs[0];
  const rows = r.ops
    .map((op, i) => ({ op, cmp: comparisons[i] }))
    .filter(({ op }) => op.cycles > 0 || op.energy.total > 0)
    .map(({ op, cmp }) => {
      const e = toMicrojoules(op.energy);
      return [
        op.name,
        op.cycles,
        op.stallCycles,
        op.macs > 0 ? `${(op.utilization * 100).toFixed(1)}%` : '',
        op.accesses.localActivationReads,
        op.accesses.localWeightReads,
        op.accesses.localOutputWrites,
        op.accesses.mainActivationReads + op.accesses.mainWeightReads + op.accesses.offChipActivationReads + op.accesses.offChipWeightReads,
        op.accesses.mainActivationWrites + op.accesses.offChipActivationWrites,
        e.compute,
        e.weight,
        e.activation,
        `${fmtRatio(cmp.ratio.compute)}/${fmtRatio(cmp.ratio.weight)}/${fmtRatio(cmp.ratio.activation)}`,
        cmp.reasons.join('; '),
      ];
    });
  const t = toMicrojoules(r.energy);
  const closed = toMicrojoules(closedFormTotal(comparisons, r.config.batch));
  const c = r.config;
  const memory = c.bandwidth === Infinity ? 'unlimited bandwidth' : `${memoryLabel(c)}: ${c.bandwidth} words/cycle per operand, buffers ${c.localBufferWords.ifmap}/${c.localBufferWords.filter}/${c.localBufferWords.output} words (ifmap/filter/output)`;
  const header = `${outcome.job.name} — ${c.mode}, ${c.dataflow}, ${c.rows}×${c.cols} array, ${memory}, ${c.wordBits}-bit words (${c.packing === 'word' ? 'one per element' : 'packed at each operand’s bits'}), ${c.clockMHz} MHz, batch ${c.batch}, ${r.preset}`;
  const summary = `total: ${r.cycles} cycles (${r.stallCycles} stall) = ${(r.cycles / c.clockMHz).toPrecision(4)} µs at ${c.clockMHz} MHz, utilization ${(r.utilization * 100).toFixed(1)}%, ${t.total.toPrecision(4)} µJ per inference (E_C ${t.compute.toPrecision(4)}, E_W ${t.weight.toPrecision(4)}, E_A ${t.activation.toPrecision(4)}); closed form ${closed.total.toPrecision(4)} µJ (ratio ${(t.total / closed.total).toFixed(2)})`;
  const byLevel = toMicrojoulesByLevel(r.energyByLevel);
  const levelLine = `by level: array ${byLevel.compute.toPrecision(4)} µJ, local buffers ${byLevel.localBuffer.toPrecision(4)}, main memory ${byLevel.mainMemory.toPrecision(4)}, off chip ${byLevel.offChip.toPrecision(4)}; EDP ${microjoules(r.energyDelayProduct_pJ_us).toPrecision(4)} µJ·µs at ${c.clockMHz} MHz`;
  return [header, table(['op', 'cycles', 'stall', 'util', 'ifmap rd', 'weight rd', 'out wr', 'main rd', 'main wr', 'E_C µJ', 'E_W µJ', 'E_A µJ', 'engine÷closed C/W/A', 'why not 1'], rows), summary + (outcome.job.slp ? slpLine(outcome.job.slp) : ''), levelLine].join('\n');
}

/** How the buffers are modelled, in words. */
function memoryLabel(c: EngineConfig): string {
  if (c.bandwidth === Infinity) return c.memoryModel === 'stream' ? 'tiles, unlimited bandwidth, partial sums kept on chip when they fit' : 'tiles, unlimited bandwidth';
  return c.memoryModel === 'stream' ? 'streaming buffers (FIFO, partial sums on chip)' : `SCALE-Sim v2 scratchpads (${c.memoryModel})`;
}
