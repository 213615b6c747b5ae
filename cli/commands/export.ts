/** `codesign export`: a network of the registry (or a trained checkpoint) as an ONNX file. */
import { outputFile } from '../../core/files.ts';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import type { Io } from '../io.ts';
import { refuseGiven, seedOf, workloadOf, workloadOptions, type WorkloadFlags } from '../options.ts';

const NETWORK_FLAGS = ['net', 'model', 'baseline', 'cout', 'dfcl', 'bits', 'bitsFile', 'head', 'activationBits', 'nt', 'nu', 'cr', 'side', 'variant', 'm', 'k', 'qr'];
const PRICING_FLAGS = ['preset', 'hardware', 'p', 'iterations', 'accounting', 'snrDb', 'samples'];

export function register(program: Command, io: Io): void {
  workloadOptions(program.command('export').description('write one of our networks as an ONNX model (opset 17, NCHW, symbolic batch), with trained weights from --checkpoint or seeded initial ones; bits in its metadata'))
    .option('--checkpoint <dir>', 'a directory written by codesign train: its network and trained weights')
    .option('--seed <s>', 'seed of the initial weights (without --checkpoint)', '1')
    .requiredOption('--out <file.onnx>', 'the ONNX file to write')
    .option('--json', 'print the outcome as JSON')
    .action(async (o: WorkloadFlags & { checkpoint?: string; seed: string; out: string; json?: boolean }, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      refuseGiven(o, given, PRICING_FLAGS, () => 'allowed: not with export (it writes a network, it does not price one)');
      if (o.checkpoint !== undefined) {
        refuseGiven(o, given, [...NETWORK_FLAGS, 'seed'], () => `allowed: not with --checkpoint ${o.checkpoint} (the checkpoint says its network and weights)`);
      }
      if (o.baseline !== undefined) throw new InputError('--baseline', o.baseline, 'allowed: a network (--net); a classical precoder has no ONNX form');
      if (o.model !== undefined) throw new InputError('--model', o.model, 'allowed: a network of the registry (--net) or --checkpoint; an ONNX model is already one');
      if (!/\.onnx$/i.test(o.out)) throw new InputError('--out', o.out, 'allowed: a file name ending in .onnx');
      outputFile(o.out, '--out', 'the ONNX file');
      const source = o.checkpoint !== undefined ? { kind: 'checkpoint' as const, dir: o.checkpoint } : { kind: 'network' as const, workload: workloadOf(o, given), seed: seedOf(o.seed) };
      const { exportNetwork } = await import('../../studies/export.ts');
      const r = await exportNetwork({ source, out: o.out });
      const summary = { graph: r.graph.name, file: r.file, bytes: r.bytes, weights: r.weights, ops: r.graph.ops.length, opset: 17 };
      io.stdout.write((o.json ? JSON.stringify(summary, null, 2) : `${r.graph.name} → ${r.file} (${r.bytes.toLocaleString('en-US')} bytes, ${r.graph.ops.length} ops, ONNX opset 17, ${r.weights} weights, bits in its metadata)`) + '\n');
    });
}
