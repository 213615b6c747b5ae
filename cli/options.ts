/**
 * Flags shared by several commands and their parsing into typed configs. Every problem names the
 * flag, the value and what is allowed (a workflow's error naming a config field is told with the
 * command's flag of that name: program.ts).
 */
import { Option, type Command } from 'commander';
import { FileError, InputError, type FileIssue } from '../core/errors.ts';
import { INPUT_LIMITS, parseDataFile, readInput } from '../core/files.ts';
import { finiteNumber, fraction, oneOf, positiveInt, positiveIntList, positiveNumber } from '../core/validate.ts';
import { MAX_BITS } from '../nets/builder.ts';
import { CODEC_VARIANTS, type Side } from '../nets/csi.ts';
import { PRECODER_HEAD_NAMES, UNFOLDED_ITERATIONS } from '../nets/heads.ts';
import { NETWORK_NAMES } from '../nets/networks.ts';
import { PRECODER_DEFAULTS, PRECODER_LIMITS } from '../nets/precoder.ts';
import { SLP_DEFAULTS, SLP_VARIANTS } from '../nets/slp.ts';
import { PAPER_WMMSE_ITERATIONS } from '../baselines/paper-traces.ts';
import { hardwareByNameOrFile, requirePriceable } from '../sim/hardware-file.ts';
import { DEFAULT_PRESET, PRESETS, presetByName, type HardwarePreset } from '../sim/presets.ts';
import type { BitsRequest } from '../nets/layers.ts';
import type { Precision } from '../nets/graph.ts';
import { precisionMapOf } from '../nets/precision-map.ts';
import type { WorkloadSpec } from '../studies/workload.ts';
import { seed000Archs } from '../search/space.ts';

export const VARIANTS = [...CODEC_VARIANTS, ...SLP_VARIANTS] as const;
export const PAPER_BASELINES = ['zf', 'wmmse'] as const;

/** Whether the user typed an option (not its default): commander's value source. */
export type Given = (attribute: string) => boolean;

/** The flag of an option attribute: `activationBits` → `--activation-bits`. */
export const flagOf = (attribute: string): string => `--${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Refuses the first of `attributes` the user typed: it does not apply (`why` says to what it does). */
export function refuseGiven(options: object, given: Given, attributes: readonly string[], why: (attribute: string) => string): void {
  const typed = attributes.find(given);
  if (typed !== undefined) throw new InputError(flagOf(typed), (options as Record<string, unknown>)[typed], why(typed));
}

export function presetOf(raw: string | undefined): HardwarePreset {
  return raw === undefined ? DEFAULT_PRESET : presetByName(raw);
}


export function presetOption(description = 'hardware preset'): Option {
  return new Option('--preset <name>', `${description} (${PRESETS.map((p) => p.name).join(', ')})`).default(DEFAULT_PRESET.name);
}

/** `--hardware`: a shipped table by name or a JSON/YAML hardware file (energy table, and the machine for simulate). */
export function hardwareOption(): Option {
  return new Option('--hardware <name|file>', `a hardware description: a shipped one (${PRESETS.map((p) => p.name).join(', ')}, in hardware/) or a JSON/YAML file; replaces --preset`);
}

/** The energy table: --hardware when given (never together with a typed --preset), else --preset. */
export function hardwareOf(o: { preset?: string; hardware?: string }, given: Given): HardwarePreset {
  if (o.hardware === undefined) return presetOf(o.preset);
  if (given('preset')) throw new InputError('--preset', o.preset, `allowed: not with --hardware ${o.hardware} (both name the energy table)`);
  return requirePriceable(hardwareByNameOrFile(o.hardware, PRESETS), o.hardware);
}

export function seedOf(raw: string, flag = '--seed'): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 0xffffffff) throw new InputError(flag, raw, 'allowed: an integer from 0 to 4294967295');
  return Number(raw);
}

/** The precoder's four weight widths [CONV, FCL1, FCL2, FCL3], or one for all four. */
export function precoderBits(raw: string): [number, number, number, number] {
  const bits = positiveIntList('--bits', raw, { max: MAX_BITS });
  if (bits.length === 1) return [bits[0], bits[0], bits[0], bits[0]];
  if (bits.length !== 4) throw new InputError('--bits', raw, 'allowed: one value for every layer, or exactly 4 comma-separated values [CONV,FCL1,FCL2,FCL3]');
  return bits as [number, number, number, number];
}

/**
 * `--bits-file`: JSON naming quantizable layers, each with its weight bits (a number) or
 * `{ "weightBits": w, "activationBits": a }` (either may be left out).
 */
export function bitsFileOf(file: string): Record<string, Partial<Precision>> {
  const what = 'a readable JSON object of layer → bits';
  const raw = parseDataFile(readInput(file, 'bitsFile', INPUT_LIMITS.bits, what).toString('utf8'), file, 'bitsFile', what, JSON.parse);
  const issues: FileIssue[] = [];
  const out = precisionMapOf(raw, issues);
  if (issues.length > 0) throw new FileError('bits', file, issues);
  return out;
}

/** `--progress`: progress lines on stderr also when it is not a terminal (bars on a terminal anyway). */
export const progressOption = (): Option => new Option('--progress', 'progress on stderr also when it is not a terminal, and under --json');

/** The `--net … | --baseline …` options of energy and simulate. */
export function workloadOptions(cmd: Command, help: { p?: string } = {}): Command {
  return cmd
    .addOption(new Option('--net <name>', 'network to price').choices(NETWORK_NAMES))
    .option('--model <file.onnx>', 'an ONNX model to price (PyTorch, Keras, codesign export …); bits from its QDQ/QLinear nodes, else --bits/--bits-file')
    .addOption(new Option('--baseline <algo>', 'classical precoder to price (paper op count, eq. 12–13)').choices(PAPER_BASELINES))
    .option('--cout <n>', 'conv output channels C_out', String(PRECODER_DEFAULTS.cout))
    .option('--dfcl <n>', 'width of FC1 and FC2 (D_FCL)', String(PRECODER_DEFAULTS.dfcl))
    .option('--bits <list>', 'weight bits, each 1–32: one value for every layer, or one per quantizable layer (the precoder: CONV,FCL1,FCL2,FCL3; a codec or SLP-DNet: its conv and dense layers in order)', PRECODER_DEFAULTS.bits.join(','))
    .option('--bits-file <file>', 'JSON: quantizable layer name → weight bits, or { "weightBits": w, "activationBits": a } (any subset of the layers)')
    .addOption(new Option('--head <name>', 'precoder head: direct (the paper’s FCL3 outputs the precoder), structured (FCL3 outputs λ_k, p_k; Gram matrix, regularised inverse, Hᴴ product, per-user power as ops) or unfolded (the structured start, then --iterations K WMMSE iterations FCL3 modulates) [default: direct]').choices(PRECODER_HEAD_NAMES))
    .option('--activation-bits <n>', 'activation bits of every layer (1–32)', '16')
    .option('--nt <n>', 'transmit antennas N_T', String(PRECODER_DEFAULTS.nt))
    .option('--nu <n>', 'users N_U', String(PRECODER_DEFAULTS.nu))
    .option('--iterations <I>', `WMMSE iterations: of a paper-count baseline (may be a mean; default ${PAPER_WMMSE_ITERATIONS}), or K of the precoder's unfolded head (${UNFOLDED_ITERATIONS.min}–${UNFOLDED_ITERATIONS.max}; default ${UNFOLDED_ITERATIONS.default})`)
    .addOption(new Option('--accounting <a>', 'baseline op count: paper (eq. 12–13) or measured (our implementation on seeded Rayleigh channels)').choices(['paper', 'measured']).default('paper'))
    .option('--snr-db <dB>', 'SNR of the channels a measured baseline runs on', '15')
    .option('--samples <n>', 'channels a measured baseline runs on', '20')
    .option('--cr <n>', 'compression ratio of a CSI codec (4, 8, 16, 32, 64)', '4')
    .addOption(new Option('--side <side>', 'CSI codec side: encoder (UE), decoder (BS) or both').choices(['encoder', 'decoder', 'both']).default('both'))
    .addOption(new Option('--variant <v>', 'CSI codec: fp (default), bfc (binarised FC), q8 (8-bit everywhere); SLP-DNet: dnet (default), dbnet, dtnet, dsqbnet, dsqtnet').choices(VARIANTS))
    .option('--m <n>', 'SLP-DNet: BS antennas M', String(SLP_DEFAULTS.m))
    .option('--k <n>', 'SLP-DNet: users K', String(SLP_DEFAULTS.k))
    .option('--qr <r>', 'SLP-DNet stochastic variants: quantization ratio (fraction of rows quantized)', String(SLP_DEFAULTS.qr))
    .addOption(presetOption())
    .addOption(hardwareOption())
    .option('--p <n>', help.p ?? 'parallel execution units p (overrides the preset rule)');
}

export interface WorkloadFlags {
  readonly net?: string;
  readonly model?: string;
  readonly baseline?: string;
  readonly cout: string;
  readonly dfcl: string;
  readonly bits: string;
  readonly bitsFile?: string;
  readonly head?: string;
  readonly activationBits: string;
  readonly nt: string;
  readonly nu: string;
  readonly iterations?: string;
  readonly accounting: string;
  readonly snrDb: string;
  readonly samples: string;
  readonly cr: string;
  readonly side: string;
  readonly variant?: string;
  readonly m: string;
  readonly k: string;
  readonly qr: string;
}

/** `--net …` or `--baseline …` as a typed workload; options of another workload are refused. */
export function workloadOf(o: WorkloadFlags, given: Given): WorkloadSpec {
  if (o.net !== undefined && o.baseline !== undefined) throw new InputError('--baseline', o.baseline, 'allowed: either --net or --baseline, not both');
  if (o.model !== undefined) return modelWorkload(o, given);
  const net = o.baseline !== undefined ? undefined : oneOf('--net', o.net ?? 'precoder', NETWORK_NAMES);
  const what = o.baseline !== undefined ? `--baseline ${o.baseline}` : `--net ${net}`;
  // Options that only one kind of workload reads never pass silently under another.
  const only: readonly [string, string, boolean][] = [
    ['head', '--net precoder', net === 'precoder'],
    ['cout', '--net precoder', net === 'precoder'],
    ['dfcl', '--net precoder', net === 'precoder'],
    ['bits', '--net (a network)', net !== undefined],
    ['bitsFile', '--net (a network)', net !== undefined],
    ['activationBits', '--net (a network)', net !== undefined],
    ['cr', 'a CSI codec', net === 'csinet' || net === 'crnet' || net === 'cllwcsinet'],
    ['side', 'a CSI codec', net === 'csinet' || net === 'crnet' || net === 'cllwcsinet'],
    ['m', '--net slpdnet', net === 'slpdnet'],
    ['k', '--net slpdnet', net === 'slpdnet'],
    ['qr', '--net slpdnet', net === 'slpdnet'],
    ['iterations', '--baseline with --accounting paper, or --net precoder --head unfolded', (o.baseline !== undefined && o.accounting === 'paper') || (net === 'precoder' && o.head === 'unfolded')],
    ['accounting', '--baseline', o.baseline !== undefined],
    ['snrDb', '--baseline with --accounting measured', o.baseline !== undefined && o.accounting === 'measured'],
    ['samples', '--baseline with --accounting measured', o.baseline !== undefined && o.accounting === 'measured'],
    ['nt', '--net precoder or --baseline', net === 'precoder' || o.baseline !== undefined],
    ['nu', '--net precoder or --baseline', net === 'precoder' || o.baseline !== undefined],
  ];
  const owners = new Map(only.filter(([, , applies]) => !applies).map(([field, owner]) => [field, owner]));
  refuseGiven(o, given, [...owners.keys()], (field) => `allowed: only with ${owners.get(field)} (${what} does not read it)`);
  const nt = positiveInt('--nt', o.nt);
  const nu = positiveInt('--nu', o.nu);
  if (o.baseline !== undefined) {
    const algorithm = oneOf('--baseline', o.baseline, PAPER_BASELINES);
    const accounting = oneOf('--accounting', o.accounting, ['paper', 'measured'] as const);
    return {
      kind: 'baseline',
      algorithm,
      nt,
      nu,
      count: accounting === 'paper' ? { kind: 'paper', iterations: positiveNumber('--iterations', o.iterations ?? String(PAPER_WMMSE_ITERATIONS)) } : { kind: 'measured', snrDb: finiteNumber('--snr-db', o.snrDb), samples: positiveInt('--samples', o.samples) },
    };
  }
  // Bits on any network: what was typed, applied over the network's own (its variant's).
  const perLayer = o.bitsFile === undefined ? undefined : bitsFileOf(o.bitsFile);
  const bits: BitsRequest = {
    ...(net !== 'precoder' && given('bits') ? { weights: positiveIntList('--bits', o.bits, { max: MAX_BITS }) } : {}),
    ...(net !== 'precoder' && given('activationBits') ? { activations: positiveInt('--activation-bits', o.activationBits, MAX_BITS) } : {}),
    ...(perLayer ? { perLayer } : {}),
  };
  const withRequest = Object.keys(bits).length > 0 ? { bits } : {};
  if (net === 'slpdnet') {
    const variant = oneOf('--variant', o.variant ?? SLP_DEFAULTS.variant, SLP_VARIANTS);
    return { kind: 'slpdnet', config: { m: positiveInt('--m', o.m), k: positiveInt('--k', o.k), variant, qr: fraction('--qr', o.qr) }, ...withRequest };
  }
  if (net !== 'precoder') {
    const variant = oneOf('--variant', o.variant ?? 'fp', CODEC_VARIANTS);
    return { kind: 'codec', config: { net: net!, cr: positiveInt('--cr', o.cr), variant }, side: oneOf('--side', o.side, ['encoder', 'decoder', 'both'] as const) as Side, ...withRequest };
  }
  if (o.variant !== undefined) throw new InputError('--variant', o.variant, 'allowed: only with a CSI codec or --net slpdnet (the precoder has no variants)');
  return {
    kind: 'precoder',
    config: {
      cout: positiveInt('--cout', o.cout),
      dfcl: positiveInt('--dfcl', o.dfcl),
      nt,
      nu,
      bits: precoderBits(o.bits),
      activationBits: positiveInt('--activation-bits', o.activationBits, MAX_BITS),
      head: oneOf('--head', o.head ?? 'direct', PRECODER_HEAD_NAMES),
      ...(o.iterations !== undefined ? { iterations: positiveInt('--iterations', o.iterations, UNFOLDED_ITERATIONS.max) } : {}),
    },
    ...withRequest,
  };
}

/** Flags an ONNX model reads: its file, bits (when it declares none), and the hardware. */
const MODEL_FLAGS = ['bits', 'bitsFile', 'activationBits'];

function modelWorkload(o: WorkloadFlags, given: Given): WorkloadSpec {
  const other = [o.net !== undefined && '--net', o.baseline !== undefined && '--baseline'].find((f): f is string => typeof f === 'string');
  if (other) throw new InputError(other, other === '--net' ? o.net : o.baseline, `allowed: not with --model ${o.model} (one workload at a time)`);
  const foreign = ['head', 'cout', 'dfcl', 'cr', 'side', 'variant', 'm', 'k', 'qr', 'iterations', 'accounting', 'snrDb', 'samples', 'nt', 'nu'];
  refuseGiven(o, given, foreign, () => `allowed: not with --model (the model file says its shapes; it reads ${MODEL_FLAGS.map(flagOf).join(', ')})`);
  const perLayer = o.bitsFile === undefined ? undefined : bitsFileOf(o.bitsFile);
  const bits: BitsRequest = {
    ...(given('bits') ? { weights: positiveIntList('--bits', o.bits, { max: MAX_BITS }) } : {}),
    ...(given('activationBits') ? { activations: positiveInt('--activation-bits', o.activationBits, MAX_BITS) } : {}),
    ...(perLayer ? { perLayer } : {}),
  };
  return { kind: 'model', file: o.model!, ...(Object.keys(bits).length > 0 ? { bits } : {}) };
}

/** Bit widths a layer may take: distinct integers from 1 to 32 (a repeated width is one choice, not two). */
export function bitChoicesOf(raw: string, flag = '--choices'): number[] {
  const choices = positiveIntList(flag, raw, { max: MAX_BITS });
  if (new Set(choices).size !== choices.length) throw new InputError(flag, raw, 'allowed: distinct bit widths (each may appear once)');
  return choices;
}

/** `--archs`: "all" (the paper's eight) or C_outxD_FCL entries. */
export function archsOf(raw: string): { cout: number; dfcl: number }[] {
  if (raw === 'all') return seed000Archs();
  return raw.split(',').map((part) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(part);
    const allowed = `allowed: "all" or comma-separated C_outxD_FCL with 1 ≤ C_out ≤ ${PRECODER_LIMITS.cout} and 1 ≤ D_FCL ≤ ${PRECODER_LIMITS.dfcl}, e.g. 8x512,64x1024`;
    if (!m) throw new InputError('--archs', raw, allowed);
    const arch = { cout: Number(m[1]), dfcl: Number(m[2]) };
    if (arch.cout < 1 || arch.cout > PRECODER_LIMITS.cout || arch.dfcl < 1 || arch.dfcl > PRECODER_LIMITS.dfcl) throw new InputError('--archs', part.trim(), allowed);
    return arch;
  });
}

/** `--deterministic`: JSON without its `timing` parts, so the same inputs give the same bytes. */
export const deterministicOption = (): Option => new Option('--deterministic', 'leave timing out of the JSON (same inputs, same bytes)');

/** --deterministic shapes the JSON output: without --json it has nothing to act on. */
export function checkDeterministic(options: { readonly deterministic?: boolean; readonly json?: boolean }): void {
  if (options.deterministic && !options.json) throw new InputError('--deterministic', true, 'allowed: only with --json');
}

/** One JSON document; `timing` keys (how long, not what) are left out under --deterministic. */
export function jsonDocument(value: unknown, options: { readonly deterministic?: boolean }): string {
  return JSON.stringify(value, (key, v) => (options.deterministic && key === 'timing' ? undefined : v), 2);
}
