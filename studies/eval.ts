/**
 * Evaluating a trained checkpoint on a scenario's test split: a precoder's sum rate next to the
 * classical set on the same samples, every configuration of a supernet, or a codec's NMSE and ρ
 * (optionally with noise on the codeword); each with its energy on a hardware preset.
 */
import { InputError } from '../core/errors.ts';
import { doneOfTotal, SILENT, type Progress } from '../core/progress.ts';
import { MAX_BITS } from '../nets/builder.ts';
import type { Graph } from '../nets/graph.ts';
import { isCodecGraph, sideOf } from '../nets/csi.ts';
import { quantizedLayers, withBits } from '../nets/layers.ts';
import { channelOf } from '../scenarios/dataset.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { CLASSICAL_WMMSE_CAP } from '../baselines/run.ts';
import { classicalSetWithProgress } from './classical-energy.ts';
import { priceGraph } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { microjoules, toMicrojoules } from '../sim/report.ts';
import { initBackend, tf } from '../train/backend.ts';
import { evaluateCodec, trainedCodewordBits } from '../train/codec.ts';
import { evaluateAllConfigs, finetune } from '../train/supernet.ts';
import { modelFromCheckpoint, sampleRates } from '../train/trainer.ts';
import type { BitAssignment, GraphModel } from '../train/model.ts';
import type { MimoDataset } from '../scenarios/dataset.ts';
import { precoderHeadOf } from '../nets/heads.ts';
import { estimate, pairedDifference, verdictOf } from '../core/stats.ts';
import { classicalPoint } from './report-numbers.ts';
import { csiSplit, mimoSplit, splitLabel } from './train.ts';

/** A checkpoint on a scenario's first `samples` test samples, priced on a preset. */
interface CheckpointOnScenario {
  readonly checkpoint: string;
  readonly scenario: Scenario;
  readonly samples: number;
  readonly preset: HardwarePreset;
}

export interface PrecoderEvaluation extends CheckpointOnScenario {
  /** Weight bits per quantized layer (a supernet evaluates any configuration); absent = as trained. */
  readonly bits?: readonly number[];
  /** Refine `bits` for this many steps first (supernet). */
  readonly finetuneSteps?: number;
}

/** The checkpoint's network must read what the scenario holds, before a tensor is made. */
function expectInput(graph: Graph, shape: readonly number[], c: CheckpointOnScenario, dispose: () => void): void {
  const input = graph.ops.find((op) => op.kind === 'input');
  if (input && input.outputShape.join('×') === shape.join('×')) return;
  dispose();
  throw new InputError('checkpoint', c.checkpoint, `holds ${graph.name}, which reads [${input?.outputShape.join('×') ?? '?'}] inputs; allowed: a network for ${c.scenario.name}'s [${shape.join('×')}] ${c.scenario.model === 'cost2100' ? 'CSI images' : 'channels'}`);
}

function checkBits(bits: readonly number[], layers: number, checkpoint: string): void {
  if (bits.length !== layers || bits.some((b) => !Number.isInteger(b) || b < 1 || b > MAX_BITS)) {
    throw new InputError('bits', bits, `allowed: ${layers} integers from 1 to ${MAX_BITS}, one per quantized layer of ${checkpoint}`);
  }
}

export async function evaluatePrecoder(c: PrecoderEvaluation, progress: Progress = SILENT) {
  if (c.finetuneSteps !== undefined && c.bits === undefined) throw new InputError('finetune', c.finetuneSteps, 'allowed: together with bits (the configuration to refine)');
  await initBackend();
  const { model, graph, state } = modelFromCheckpoint(c.checkpoint);
  if (c.bits) {
    checkBits(c.bits, model.quantizedLayers.length, c.checkpoint);
    // Only a supernet evaluates bits it was not trained at, and only among the widths it trained.
    const choices = state.settings?.supernetChoices ?? null;
    const trained = quantizedLayers(graph).map((name) => graph.ops.find((op) => op.name === name)!.precision.weightBits);
    if (choices === null && c.bits.some((b, i) => b !== trained[i])) {
      model.dispose();
      throw new InputError('bits', c.bits, `allowed: ${trained.join(',')} (${c.checkpoint} was trained at those bits; a supernet checkpoint, codesign train --supernet, evaluates others)`);
    }
    if (choices !== null && c.bits.some((b) => !choices.includes(b))) {
      model.dispose();
      throw new InputError('bits', c.bits, `allowed: widths the supernet trained, each of ${choices.join(', ')}`);
    }
  }
  const assignment = c.bits ? new Map(model.quantizedLayers.map((name, i) => [name, c.bits![i]])) : undefined;
  const test = mimoSplit(c.scenario, 'test', progress, c.samples);
  expectInput(graph, [2, test.nt, test.nu], c, () => model.dispose());
  if (c.finetuneSteps !== undefined) {
    await finetune(model, c.bits!, mimoSplit(c.scenario, 'train', progress), mimoSplit(c.scenario, 'validation', progress), c.finetuneSteps, { batchSize: 100, learningRate: 1e-3, seed: 1 });
  }
  const perSample = await sampleRates(model, test, assignment);
  const rate = estimate(perSample);
  // The classical side on the same test samples: MRT, ZF, RZF, equal-power RZF, WMMSE (best start and each start),
  // each with the paired difference DNN − classical over the same samples.
  const channels = Array.from({ length: test.count }, (_, i) => channelOf(test, i));
  const classical = classicalSetWithProgress(channels, c.scenario.model === 'cost2100' ? 0 : c.scenario.snrDb, { tolerances: [1e-5], maxIter: CLASSICAL_WMMSE_CAP }, progress).map((s) => {
    const d = pairedDifference(perSample, s.perSample!);
    return { ...classicalPoint(s, c.preset), dnnMinusThis: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) } };
  });
  const priceable = c.bits ? withBits(graph, { weights: c.bits }) : graph;
  const energy = priceGraph(priceable, c.preset);
  const alone = await structureAlone(model, priceable, test, perSample, assignment, c.preset);
  model.dispose();
  tf.disposeVariables();
  return {
    scenario: c.scenario.name,
    samples: test.count,
    graph: graph.name,
    bits: c.bits ?? null,
    split: splitLabel(c.scenario),
    sumRate: rate.mean,
    sumRateCi95: rate.halfWidth,
    structureAlone: alone,
    classical,
    energy_uJ: toMicrojoules(energy.energy),
  };
}

/**
 * A model-driven head's structure alone: the same network with FCL3's outputs at zero (the
 * structured head: equal-power RZF; the unfolded head: K WMMSE iterations with the closed-form
 * regulariser from equal-power RZF — classical algorithms that need no trunk), its rate on the
 * same samples, the network's paired difference to it, and its energy (the head's ops and the
 * power normalisation only). Null for the direct head, whose FCL3 is the precoder.
 */
async function structureAlone(model: GraphModel, graph: Graph, test: MimoDataset, perSample: Float64Array, assignment: BitAssignment | undefined, preset: HardwarePreset) {
  const head = precoderHeadOf(graph);
  if (head === 'direct') return null;
  for (const name of ['fc3/kernel', 'fc3/bias']) {
    const v = model.trainable.get(name)!;
    v.assign(tf.zerosLike(v));
  }
  const alone = await sampleRates(model, test, assignment);
  const rate = estimate(alone);
  const d = pairedDifference(perSample, alone);
  const ops = new Set(graph.ops.filter((op) => op.name.startsWith('head.') || op.name === 'powernorm').map((op) => op.name));
  const report = priceGraph(graph, preset);
  const energy = report.ops.filter((o) => ops.has(o.name)).reduce((s, o) => s + o.energy.total, 0);
  return {
    label: head === 'structured' ? 'equal-power RZF (the structured head with FCL3 at zero)' : `WMMSE with the closed-form regulariser, ${graph.name.match(/iterations=(\d+)/)?.[1]} iterations from equal-power RZF (the unfolded head with FCL3 at zero)`,
    sumRate: rate.mean,
    sumRateCi95: rate.halfWidth,
    dnnMinusThis: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) },
    energy_uJ: microjoules(energy),
  };
}

export interface SupernetSweep extends CheckpointOnScenario {
  /** Bit widths each layer takes. */
  readonly choices: readonly number[];
}

/** Every weight-bit configuration of a supernet checkpoint, with its sum rate and energy. */
export async function evaluateSupernet(c: SupernetSweep, progress: Progress = SILENT) {
  await initBackend();
  const { model, graph } = modelFromCheckpoint(c.checkpoint);
  const test = mimoSplit(c.scenario, 'test', progress, c.samples);
  expectInput(graph, [2, test.nt, test.nu], c, () => model.dispose());
  const rates = await evaluateAllConfigs(model, test, c.choices, test.count, doneOfTotal(progress, 'configurations'));
  model.dispose();
  return rates.map((r) => {
    const energy = microjoules(priceGraph(withBits(graph, { weights: r.bits }), c.preset).energy.total);
    return { bits: r.bits, sumRate: r.sumRate, energy_uJ: energy, efficiency: r.sumRate / energy };
  });
}

export interface CodecEvaluation extends CheckpointOnScenario {
  /** Also evaluate with AWGN on the codeword at these SNRs (dB). */
  readonly codewordSnrDb: readonly number[];
}

/**
 * A codec checkpoint's NMSE and ρ on the test split, clean and with AWGN on the codeword at each
 * SNR (the imperfect-feedback sweep), with the energy of each side.
 */
export async function evaluateCodecCheckpoint(c: CodecEvaluation, progress: Progress = SILENT) {
  await initBackend();
  const { model, graph } = modelFromCheckpoint(c.checkpoint);
  const test = csiSplit(c.scenario, 'test', progress);
  expectInput(graph, [2, test.rows, test.cols], c, () => model.dispose());
  if (!isCodecGraph(graph)) {
    model.dispose();
    throw new InputError('checkpoint', c.checkpoint, `holds ${graph.name}, not a CSI codec; allowed: a checkpoint of codesign train --net csinet|crnet|cllwcsinet`);
  }
  const rows = [];
  // A codec trained with a quantized codeword is evaluated as it sends: quantized to those bits.
  const bits = trainedCodewordBits(model);
  const task = progress.task('codeword SNRs', 1 + c.codewordSnrDb.length);
  for (const snrDb of [undefined, ...c.codewordSnrDb]) {
    const r = await evaluateCodec(model, test, { limit: c.samples, channel: { ...(bits !== undefined ? { bits } : {}), ...(snrDb !== undefined ? { snrDb } : {}) }, seed: 7 });
    // ρ compares frequency responses of angular-delay maps; a site's maps are spatial (one subcarrier): no ρ.
    rows.push({ codewordSnr_dB: snrDb ?? null, nmseDb: r.nmseDb, rho: c.scenario.model === 'site' ? null : r.rho });
    task.tick(1);
  }
  task.end();
  model.dispose();
  const side = (which: 'encoder' | 'decoder') => microjoules(priceGraph(sideOf(graph, which), c.preset).energy.total);
  return { scenario: c.scenario.name, samples: Math.min(c.samples, test.count), graph: graph.name, codewordBits: bits ?? null, rows, energy_uJ: { encoder: side('encoder'), decoder: side('decoder') } };
}
