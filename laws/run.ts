/**
 * Running laws: each law's property checked with fast-check, seeded; a failure comes back shrunk,
 * in words, with a reproducer (seed and shrink path) that replays exactly that case.
 */
import fc from 'fast-check';
import { InputError } from '../core/errors.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { ENERGY_LAWS } from './energy.ts';
import { ENGINE_LAWS } from './engine.ts';
import type { Law, LawContext } from './law.ts';

export const ALL_LAWS: readonly Law[] = [...ENERGY_LAWS, ...ENGINE_LAWS];
export const LAW_NAMES = ALL_LAWS.map((l) => l.name);

/** What replays one failure: the law, fast-check's seed and shrink path, the run count. */
export interface Reproducer {
  readonly law: string;
  readonly seed: number;
  readonly path: string;
  readonly runs: number;
}

export interface LawOutcome {
  readonly law: string;
  readonly statement: string;
  readonly group: Law['group'];
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Cases checked (0 when skipped). */
  readonly runs: number;
  readonly reason?: string;
  readonly counterexample?: string;
  readonly reproducer?: Reproducer;
  readonly timing: { readonly ms: number };
}

export interface LawRun {
  readonly runs: number;
  readonly seed: number;
  /** A fixed hardware description: laws it does not promise are skipped, with why. */
  readonly preset?: HardwarePreset;
  readonly replay?: Reproducer;
}

export function lawByName(name: string, field = 'only'): Law {
  const law = ALL_LAWS.find((l) => l.name === name);
  if (!law) throw new InputError(field, name, `allowed: ${LAW_NAMES.join(', ')}`);
  return law;
}

export function checkLaw(law: Law, ctx: LawContext, o: LawRun): LawOutcome {
  const base = { law: law.name, statement: law.statement, group: law.group };
  const reason = o.preset ? law.skip?.(o.preset) : undefined;
  if (reason !== undefined) return { ...base, status: 'skipped', runs: 0, reason, timing: { ms: 0 } };
  const t0 = performance.now();
  const replay = o.replay?.law === law.name ? o.replay : undefined;
  let details;
  try {
    details = fc.check(law.property(ctx), replay ? { seed: replay.seed, path: replay.path, numRuns: replay.runs } : { seed: o.seed, numRuns: o.runs });
  } catch (error) {
    // fast-check refuses a path its generator never took ("Unable to replay, got wrong path=…").
    if (replay && /unable to replay/i.test((error as Error).message)) throw new InputError('replay', replay.path, `allowed: a path law ${law.name}'s cases reach at seed ${replay.seed} (this one does not: the reproducer is damaged, edited, or from another version of codesign)`);
    throw error;
  }
  const ms = performance.now() - t0;
  if (!details.failed) return { ...base, status: 'passed', runs: details.numRuns, timing: { ms } };
  const words = details.counterexample ? law.explain(details.counterexample, ctx) : 'no counterexample recorded';
  // A property that returned false is the counterexample; one that threw says what it threw.
  const thrown = details.errorInstance instanceof Error && !/returning false/.test(details.errorInstance.message);
  const error = thrown ? ` (threw: ${(details.errorInstance as Error).message.split('\n')[0]})` : '';
  return {
    ...base,
    status: 'failed',
    runs: details.numRuns,
    counterexample: `${words}${error}`,
    reproducer: { law: law.name, seed: details.seed, path: details.counterexamplePath ?? '', runs: replay?.runs ?? o.runs },
    timing: { ms },
  };
}
