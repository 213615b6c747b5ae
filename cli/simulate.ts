/** `codesign simulate`: the event-driven engine on a net, a baseline trace, a GEMM or a topology file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { oneOf, positiveInt, positiveIntList, positiveNumber } from '../core/validate.ts';
import { FULL_PRECISION } from '../nets/graph.ts';
import { ENGINE_DEFAULTS, DATAFLOWS, MODES, arrayForP, parseArray, type EngineConfig } from '../sim/engine/config.ts';
import { compareResult, closedFormTotal, type OpComparison } from '../sim/engine/compare.ts';
import { simulateOps, type EngineResult } from '../sim/engine/engine.ts';
import { gemmOp, lowerGraph, type EngineOp } from '../sim/engine/lower.ts';
import { parseTopology, topologyOps } from '../sim/engine/topology.ts';
import { traceCollector } from '../sim/engine/trace.ts';
import { DEFAULT_PRESET, presetByName, type HardwarePreset } from '../sim/presets.ts';
import { toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { workloadFromOptions, type WorkloadOptions } from './workload.ts';
import { slpAccounting, type SlpAccounting } from '../nets/slp-accounting.ts';
import { slpJson, slpLine } from './energy.ts';

export interface SimulateOptions extends WorkloadOptions {
  readonly gemm?: string;
  readonly topology?: string;
  readonly mode: string;
  readonly dataflow: string;
  readonly array?: string;
  readonly bandwidth: string;
  readonly bandwidthSharing: string;
  readonly batch: string;
  readonly localBufferWords: string;
  readonly vectorWidth: string;
  readonly trace?: string;
}

export interface SimulationJob {
  readonly name: string;
  readonly ops: EngineOp[];
  readonly preset: HardwarePreset;
  readonly configs: readonly EngineConfig[];
  /** p for the √p reuse of ideal mode and the closed form (undefined: the preset's rule). */
  readonly energyP: (config: EngineConfig) => number | undefined;
  /** An SLP-DNet: seed 002's memory and operation accounting, reported beside the engine's. */
  readonly slp?: SlpAccounting;
}

export function simulationJob(o: SimulateOptions): SimulationJob {
  const sources = [o.net, o.baseline, o.gemm, o.topology].filter((s) => s !== undefined).length;
  if (sources > 1) throw new InputError('workload', [o.net, o.baseline, o.gemm, o.topology].filter(Boolean).join(' + '), 'allowed: one of --net, --baseline, --gemm, --topology');
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  const batch = positiveInt('--batch', o.batch);
  const mode = oneOf('--mode', o.mode, MODES);
  const dataflow = oneOf('--dataflow', o.dataflow, DATAFLOWS);
  const bandwidth = /^(unlimited|inf|infinity)$/i.test(o.bandwidth) ? Infinity : positiveNumber('--bandwidth', o.bandwidth);
  const bandwidthSharing = oneOf('--bandwidth-sharing', o.bandwidthSharing, ['per-operand', 'shared'] as const);
  const base = {
    ...ENGINE_DEFAULTS,
    mode,
    dataflow,
    bandwidth,
    bandwidthSharing,
    batch,
    localBufferWords: positiveInt('--local-buffer-words', o.localBufferWords),
    vectorWidth: positiveInt('--vector-width', o.vectorWidth),
  };
  const arrays = arraysFrom(o, preset);
  const configs = arrays.map((a) => ({ ...base, ...a }));
  const explicitP = o.p !== undefined || o.array !== undefined;
  let name: string;
  let ops: EngineOp[];
  let slp: SlpAccounting | undefined;
  if (o.gemm !== undefined) {
    const [M, N, K] = positiveIntList('--gemm', o.gemm, { length: 3 });
    name = `gemm M=${M} N=${N} K=${K}`;
    ops = [gemmOp('gemm', batch * M, N, K, FULL_PRECISION)];
  } else if (o.topology !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.topology, 'utf8');
    } catch (error) {
      throw new InputError('--topology', o.topology, `allowed: a readable SCALE-Sim topology CSV (${(error as Error).message})`);
    }
    name = o.topology;
    ops = topologyOps(parseTopology(text, o.topology), batch);
  } else {
    const workload = workloadFromOptions({ ...o, p: undefined });
    name = workload.graph.name;
    ops = lowerGraph(workload.graph, batch);
    if (workload.slp) slp = slpAccounting(workload.graph);
  }
  return { name, ops, preset, configs, energyP: (c) => (explicitP ? c.rows * c.cols : undefined), ...(slp ? { slp } : {}) };
}

function arraysFrom(o: SimulateOptions, preset: HardwarePreset): { rows: number; cols: number }[] {
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

export interface SimulationOutcome {
  readonly job: SimulationJob;
  readonly runs: readonly { result: EngineResult; comparisons: OpComparison[] }[];
}

export function runSimulation(job: SimulationJob, traceFile?: string): SimulationOutcome {
  const runs = job.configs.map((config, i) => {
    const collector = traceFile !== undefined && i === 0 ? traceCollector(config.clockMHz, 1, job.name) : undefined;
    const result = simulateOps(job.ops, config, job.preset, { p: job.energyP(config), sink: collector?.sink });
    if (collector && traceFile) {
      try {
        writeFileSync(traceFile, JSON.stringify(collector.document()));
      } catch (error) {
        throw new InputError('--trace', traceFile, `allowed: a writable file path (${(error as Error).message})`);
      }
    }
    return { result, comparisons: compareResult(result, job.preset, job.energyP(config)) };
  });
  return { job, runs };
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
      batch: r.config.batch,
      cycles: r.cycles,
      stallCycles: r.stallCycles,
      utilization: r.utilization,
      localBuffer: { ifmapReads: a.localActivationReads, weightReads: a.localWeightReads, outputWrites: a.localOutputWrites },
      mainMemory: { ifmapReads: a.mainActivationReads, weightReads: a.mainWeightReads, outputWrites: a.mainActivationWrites },
      offChip: { weightReads: a.offChipWeightReads, activationReads: a.offChipActivationReads, activationWrites: a.offChipActivationWrites },
      energy_uJ: toMicrojoules(r.energy),
      closedForm_uJ: toMicrojoules(closed),
      energyDelayProduct_uJ_us: (r.energy.total / 1e6) * (r.cycles / r.config.clockMHz),
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
        energy_uJ: toMicrojoules(op.energy),
        closedForm_uJ: toMicrojoules(run.comparisons[i].closedForm),
        ratio: run.comparisons[i].ratio,
        reasons: run.comparisons[i].reasons,
      })),
    };
  };
  if (outcome.runs.length === 1) return one(outcome.runs[0]);
  return {
    workload: outcome.job.name,
    sweep: outcome.runs.map((run) => {
      const r = run.result;
      return {
        p: r.config.rows * r.config.cols,
        rows: r.config.rows,
        cols: r.config.cols,
        cycles: r.cycles,
        stallCycles: r.stallCycles,
        utilization: r.utilization,
        energy_uJ: toMicrojoules(r.energy),
        energyDelayProduct_uJ_us: (r.energy.total / 1e6) * (r.cycles / r.config.clockMHz),
      };
    }),
  };
}

const fmtRatio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '∞');

export function renderSimulation(outcome: SimulationOutcome): string {
  if (outcome.runs.length > 1) {
    const rows = outcome.runs.map(({ result: r }) => [
      r.config.rows * r.config.cols,
      `${r.config.rows}×${r.config.cols}`,
      r.cycles,
      `${(r.utilization * 100).toFixed(1)}%`,
      r.energy.total / 1e6,
      (r.energy.total / 1e6) * (r.cycles / r.config.clockMHz),
    ]);
    return `${outcome.job.name}: sweep of p (${outcome.runs[0].result.config.mode}, ${outcome.runs[0].result.config.dataflow})\n${table(['p', 'array', 'cycles', 'util', 'energy µJ', 'EDP µJ·µs'], rows)}`;
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
        e.compute,
        e.weight,
        e.activation,
        `${fmtRatio(cmp.ratio.compute)}/${fmtRatio(cmp.ratio.weight)}/${fmtRatio(cmp.ratio.activation)}`,
        cmp.reasons.join('; '),
      ];
    });
  const t = toMicrojoules(r.energy);
  const closed = toMicrojoules(closedFormTotal(comparisons, r.config.batch));
  const header = `${outcome.job.name} — ${r.config.mode}, ${r.config.dataflow}, ${r.config.rows}×${r.config.cols} array, bandwidth ${r.config.bandwidth === Infinity ? 'unlimited' : r.config.bandwidth}, batch ${r.config.batch}, ${r.preset}`;
  const summary = `total: ${r.cycles} cycles (${r.stallCycles} stall), utilization ${(r.utilization * 100).toFixed(1)}%, ${t.total.toPrecision(4)} µJ per inference (E_C ${t.compute.toPrecision(4)}, E_W ${t.weight.toPrecision(4)}, E_A ${t.activation.toPrecision(4)}); closed form ${closed.total.toPrecision(4)} µJ (ratio ${(t.total / closed.total).toFixed(2)})`;
  return [header, table(['op', 'cycles', 'stall', 'util', 'ifmap rd', 'weight rd', 'out wr', 'E_C µJ', 'E_W µJ', 'E_A µJ', 'engine÷closed C/W/A', 'why not 1'], rows), summary + (outcome.job.slp ? slpLine(outcome.job.slp) : '')].join('\n');
}
