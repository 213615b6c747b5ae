/** `codesign energy`: the closed-form model (seed 000 eq. 7–14) op by op, with the inference memory. */
import type { Command } from 'commander';
import type { InferenceMemory } from '../../nets/memory.ts';
import type { SlpAccounting } from '../../nets/slp-accounting.ts';
import { energyReportJson, microjoules, toMicrojoules } from '../../sim/report.ts';
import type { EnergyOutcome } from '../../studies/energy.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { InputError } from '../../core/errors.ts';
import { positiveInt } from '../../core/validate.ts';
import { hardwareOf, workloadOf, workloadOptions, type WorkloadFlags } from '../options.ts';

export function register(program: Command, io: Io): void {
  workloadOptions(program.command('energy').description('price a network or a classical precoder with the closed-form energy model (seed 000, eq. 7–14)'))
    .option('--json', 'print exactly one JSON document on stdout')
    .addHelpText('after', '\nSweeps in one run: --bits takes several configurations separated by ";" (e.g. "16;8;4" or "8,8,8,8;4,4,4,4"), --p and --cr comma lists; every combination is priced and printed as one table (one JSON array with --json).')
    .action(async (options: WorkloadFlags & { preset: string; hardware?: string; p?: string; json?: boolean }, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const preset = hardwareOf(options, given);
      // A sweep: every combination of the listed values, each parsed as a single run's options.
      const axes = {
        bits: given('bits') ? options.bits.split(';') : [options.bits],
        p: options.p === undefined ? [undefined] : options.p.split(','),
        cr: given('cr') ? options.cr.split(',') : [options.cr],
      };
      const points = axes.bits.flatMap((bits) => axes.p.flatMap((p) => axes.cr.map((cr) => ({ bits, p, cr }))));
      if (points.length > MAX_SWEEP_POINTS) throw new InputError('--bits', `${points.length} combinations`, `allowed: at most ${MAX_SWEEP_POINTS} points in one sweep`);
      const studies = points.map((point) => ({
        point,
        study: {
          workload: workloadOf({ ...options, bits: point.bits, cr: point.cr }, given),
          preset,
          p: point.p === undefined ? undefined : positiveInt('--p', point.p),
        },
      }));
      const { priceWorkload } = await import('../../studies/energy.ts');
      if (studies.length === 1) {
        io.stdout.write(renderEnergy(priceWorkload(studies[0].study), options.json === true) + '\n');
        return;
      }
      const rows = studies.map(({ point, study }) => ({ point, outcome: priceWorkload(study) }));
      io.stdout.write(renderSweep(rows, options.json === true) + '\n');
    });
}

/** Points one `energy` sweep may price (each takes microseconds to milliseconds). */
const MAX_SWEEP_POINTS = 10_000;

/** One row per point of a sweep: what varied, then the energy and the memory. */
export function renderSweep(rows: readonly { point: { bits: string; p?: string; cr: string }; outcome: EnergyOutcome }[], json: boolean): string {
  if (json) {
    return JSON.stringify(
      rows.map(({ point, outcome }) => ({ graph: outcome.report.graph, preset: outcome.report.preset, bits: point.bits, p: outcome.report.ops.find((op) => op.counts.macs > 0)?.p ?? null, cr: point.cr, energy_uJ: toMicrojoules(outcome.report.energy), macs: outcome.report.totals.macs, weights: outcome.report.totals.weights, memory: memoryJson(outcome.memory) })),
      null,
      2,
    );
  }
  const first = rows[0].outcome.report;
  return `${first.graph.replace(/\(.*$/, '')} sweep on ${first.preset}: ${rows.length} points (closed-form model, seed 000 eq. 7–14)\n${table(
    ['graph', 'bits', 'p', 'MACs', 'E_C µJ', 'E_W µJ', 'E_A µJ', 'total µJ', 'memory kB'],
    rows.map(({ point, outcome }) => {
      const e = toMicrojoules(outcome.report.energy);
      return [outcome.report.graph, point.bits, point.p ?? 'rule', outcome.report.totals.macs, e.compute, e.weight, e.activation, e.total, outcome.memory.totalBytes / 1024];
    }),
  )}`;
}

export function memoryJson(m: InferenceMemory) {
  return { weight_bits: m.weightBits, peakActivation_bits: m.peakActivationBits, total_kB: m.totalBytes / 1024 };
}

/** Seed 002's accounting, as `energy` and `simulate` print it. */
export function slpJson(a: SlpAccounting) {
  return {
    inferenceMemory_MB: a.inferenceMemory_MB,
    slpAccounting: { quantizedWeights: a.quantizedWeights, floatWeights: a.floatWeights, quantizedMacs: a.quantizedMacs, floatMacs: a.floatMacs, equivalentOps: a.equivalentOps },
  };
}

export function slpLine(a: SlpAccounting): string {
  return `\nseed-002 accounting: inference memory ${a.inferenceMemory_MB.toFixed(5)} MB (${a.quantizedWeights} quantized + ${a.floatWeights} float weights); products ${a.quantizedMacs} quantized + ${a.floatMacs} float = ${Math.round(a.equivalentOps)} eq.-29 operations`;
}

export function renderEnergy(outcome: EnergyOutcome, json: boolean): string {
  const { report } = outcome;
  if (json) {
    return JSON.stringify(
      {
        ...energyReportJson(report),
        memory: memoryJson(outcome.memory),
        ...(outcome.slp ? slpJson(outcome.slp) : {}),
        ...(outcome.sides
          ? {
              sides: Object.fromEntries(
                Object.entries(outcome.sides).map(([side, s]) => [side, { energy_uJ: toMicrojoules(s.report.energy), macs: s.report.totals.macs, weights: s.report.totals.weights, memory: memoryJson(s.memory) }]),
              ),
            }
          : {}),
      },
      null,
      2,
    );
  }
  const rows = report.ops
    .filter((op) => op.energy.total > 0 || op.counts.weights > 0)
    .map((op) => {
      const e = toMicrojoules(op.energy);
      return [op.name, op.kind, `${op.precision.weightBits}/${op.precision.activationBits}`, op.p, op.counts.macs, op.counts.weights, op.counts.activations, e.compute, e.weight, e.activation, e.total];
    });
  const t = toMicrojoules(report.energy);
  rows.push(['total', '', '', '', report.totals.macs, report.totals.weights, report.totals.activations, t.compute, t.weight, t.activation, t.total]);
  const header = ['op', 'kind', 'bits w/a', 'p', 'MACs', 'weights', 'activations', 'E_C µJ', 'E_W µJ', 'E_A µJ', 'total µJ'];
  const sides = outcome.sides
    ? '\n' +
      table(
        ['side', 'MACs', 'weights', 'energy µJ', 'memory kB'],
        (['encoder', 'decoder'] as const).map((side) => {
          const s = outcome.sides![side];
          return [`${side} (${side === 'encoder' ? 'UE' : 'BS'})`, s.report.totals.macs, s.report.totals.weights, microjoules(s.report.energy.total), s.memory.totalBytes / 1024];
        }),
      )
    : '';
  return `${report.graph} on ${report.preset} (closed-form model, seed 000 eq. 7–14)\n${table(header, rows)}\ninference memory: ${(outcome.memory.totalBytes / 1024).toFixed(1)} kB (weights ${(outcome.memory.weightBits / 8192).toFixed(1)} kB + peak activations ${(outcome.memory.peakActivationBits / 8192).toFixed(1)} kB)${sides}${outcome.slp ? slpLine(outcome.slp) : ''}`;
}
