/**
 * What a `codesign worker` runs, one job per thread of its pool: a kind of job by name and the
 * study that does it. Every long unit of work is one: a dedicated training of a search point,
 * a precoder (or supernet) training, a codec training, an SLP-DNet training, and the rating of
 * a supernet checkpoint over all its bit configurations. A job's configuration is the study's
 * typed config, so a job runs exactly what the command would run here.
 */
import { FileError, InputError, ShapeError } from '../core/errors.ts';
import trainPoint from '../search/train-worker.ts';
import { INPUT_ERROR_MARK, type TrainingJob } from '../search/training-job.ts';
import { evaluateSupernet, type SupernetSweep } from './eval.ts';
import { trainCodec, trainPrecoder, trainSlp, type CodecTraining, type PrecoderTraining, type SlpTraining } from './train.ts';

/** Job kinds by name; `jobDir` is the job's own checkpoint directory (shared storage). */
export const JOB_KINDS = {
  'train-point': (job: TrainingJob, jobDir: string) => trainPoint({ ...job, outDir: jobDir }),
  'train-precoder': (c: PrecoderTraining) => trainPrecoder(c),
  'train-codec': (c: CodecTraining) => trainCodec(c),
  'train-slp': (c: SlpTraining) => trainSlp(c),
  'eval-supernet': (c: SupernetSweep) => evaluateSupernet(c),
} as const;

export type JobKind = keyof typeof JOB_KINDS;

export default async function runJob(task: { kind: string; data: never; jobDir: string }): Promise<unknown> {
  const run = (JOB_KINDS as Record<string, (data: never, jobDir: string) => Promise<unknown>>)[task.kind];
  if (!run) throw new Error(`${INPUT_ERROR_MARK}job kind ${task.kind}; allowed: ${Object.keys(JOB_KINDS).join(', ')}`);
  try {
    return await run(task.data, task.jobDir);
  } catch (error) {
    // A wrong option, file or shape fails the same way on every attempt (the mark crosses the thread).
    if (error instanceof InputError || error instanceof FileError || error instanceof ShapeError) throw new Error(INPUT_ERROR_MARK + error.message);
    throw error;
  }
}
