/** The event-driven engine on a workload, a bare GEMM or a SCALE-Sim topology, with the closed form beside it. */
import { readFileSync } from 'node:fs';
import { errnoWords, writeWhole } from '../core/files.ts';
import { InputError } from '../core/errors.ts';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { slpAccounting, type SlpAccounting } from '../nets/slp-accounting.ts';
import type { EngineConfig } from '../sim/engine/config.ts';
import { compareResult, type OpComparison } from '../sim/engine/compare.ts';
import { simulateOps, type EngineResult } from '../sim/engine/engine.ts';
import { gemmOp, lowerGraph, type EngineOp } from '../sim/engine/lower.ts';
import { parseTopology, topologyOps } from '../sim/engine/topology.ts';
import { traceCollector, type TraceDocument } from '../sim/engine/trace.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { buildWorkload, type WorkloadSpec } from './workload.ts';

/** What runs on the engine. */
export type SimulationSource =
  | { readonly kind: 'workload'; readonly workload: WorkloadSpec }
  | { readonly kind: 'gemm'; readonly M: number; readonly N: number; readonly K: number }
  | { readonly kind: 'topology'; readonly file: string };

export interface SimulationStudy {
  readonly source: SimulationSource;
  readonly preset: HardwarePreset;
  /** One engine configuration per run of the sweep (arrays, dataflows, batches). */
  readonly configs: readonly EngineConfig[];
  /** Price the √p reuse of ideal mode and the closed form at the array's p (else the preset's rule). */
  readonly explicitP: boolean;
  /** Chrome trace-event JSON of the first configuration's run. */
  readonly traceFile?: string;
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

/** The work lowered for one batch size, run on every configuration of that batch. */
export function simulationJob(c: SimulationStudy, batch = c.configs[0]?.batch ?? 1): SimulationJob {
  if (c.configs.length === 0) throw new InputError('configs', 0, 'allowed: at least one engine configuration');
  let name: string;
  let ops: EngineOp[];
  let slp: SlpAccounting | undefined;
  const s = c.source;
  if (s.kind === 'gemm') {
    name = `gemm M=${s.M} N=${s.N} K=${s.K}`;
    ops = [gemmOp('gemm', batch * s.M, s.N, s.K, DEFAULT_PRECISION)];
  } else if (s.kind === 'topology') {
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
    } catch (error) {
      throw new InputError('topology', s.file, `allowed: a readable SCALE-Sim topology CSV (${(error as Error).message})`);
    }
    name = s.file;
    ops = topologyOps(parseTopology(text, s.file), batch);
  } else {
    const workload = buildWorkload(s.workload);
    name = workload.graph.name;
    ops = lowerGraph(workload.graph, batch);
    if (workload.slp) slp = slpAccounting(workload.graph);
  }
  return { name, ops, preset: c.preset, configs: c.configs.filter((config) => config.batch === batch), energyP: (config) => (c.explicitP ? config.rows * config.cols : undefined), ...(slp ? { slp } : {}) };
}

export interface SimulationOutcome {
  readonly job: SimulationJob;
  readonly runs: readonly { result: EngineResult; comparisons: OpComparison[] }[];
}

export function runSimulation(job: SimulationJob, traceFile?: string): SimulationOutcome {
  // With --trace every run of a sweep is traced, each as its own process (pid) of one trace file.
  const traces: TraceDocument[] = [];
  const runs = job.configs.map((config, i) => {
    const collector = traceFile !== undefined ? traceCollector(config.clockMHz, i + 1, `${job.name}: run ${i + 1} of ${job.configs.length}, ${config.rows}×${config.cols} array, batch ${config.batch}`) : undefined;
    const result = simulateOps(job.ops, config, job.preset, { p: job.energyP(config), sink: collector?.sink });
    if (collector) traces.push(collector.document());
    return { result, comparisons: compareResult(result, job.preset, job.energyP(config)) };
  });
  if (traceFile !== undefined) {
    const document = { traceEvents: traces.flatMap((t) => t.traceEvents), displayTimeUnit: 'ns', otherData: { runs: traces.map((t) => t.otherData) } };
    try {
      writeWhole(traceFile, JSON.stringify(document));
    } catch (error) {
      throw new InputError('trace', traceFile, `allowed: a writable file path (${errnoWords(error)})`);
    }
  }
  return { job, runs };
}

/** Every configuration of the study, its work lowered once per batch size, in the study's order. */
export function simulate(c: SimulationStudy): SimulationOutcome {
  const jobs = new Map([...new Set(c.configs.map((config) => config.batch))].map((batch) => [batch, simulationJob(c, batch)]));
  const runs = new Map([...jobs].map(([batch, job]) => [batch, runSimulation(job, batch === c.configs[0].batch ? c.traceFile : undefined).runs]));
  const next = new Map([...jobs.keys()].map((batch) => [batch, 0]));
  const ordered = c.configs.map((config) => {
    const i = next.get(config.batch)!;
    next.set(config.batch, i + 1);
    return runs.get(config.batch)![i];
  });
  return { job: jobs.get(c.configs[0].batch)!, runs: ordered };
}
