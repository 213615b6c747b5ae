/** `codesign presets`: the shipped hardware tables (hardware/*.json), each with its form, MAC energy and machine. */
import type { Command } from 'commander';
import { PRESETS, macEnergyOf, type HardwarePreset } from '../../sim/presets.ts';
import { describeDatapath } from '../../sim/datapath.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';

function machine(p: HardwarePreset): string {
  const a = p.architecture;
  if (!a) return `p = ${p.parallelism.atReference} (${p.parallelism.rule}); no machine (simulate flags)`;
  const bw = a.bandwidthWordsPerCycle === Infinity ? 'unlimited' : `${a.bandwidthWordsPerCycle} w/c`;
  const datapath = a.datapath && a.datapath.kind !== 'fixed' ? `, ${describeDatapath(a.datapath)}` : '';
  return `${a.rows}×${a.cols} ${a.dataflow}, buffers ${a.localBuffersKB.ifmap}/${a.localBuffersKB.filter}/${a.localBuffersKB.output} KB, ${bw}, ${a.wordBits}-bit words, ${a.clockMHz} MHz${datapath}`;
}

export function register(program: Command, io: Io): void {
  program
    .command('presets')
    .description('list the shipped hardware tables (hardware/*.json; use one with --preset NAME or --hardware NAME)')
    .option('--json', 'print the tables as JSON (each is a valid hardware file)')
    .action((options: { json?: boolean }) => {
      if (options.json) io.stdout.write(JSON.stringify(PRESETS, (_k, v) => (v === Infinity ? 'unlimited' : v), 2) + '\n');
      else {
        // Both operands at the width: a precision-scalable datapath prices the pair, not one width.
        const mac = (p: HardwarePreset, bits: number) => macEnergyOf(p, { weightBits: bits, activationBits: bits }).toPrecision(3);
        const rows = PRESETS.map((p) => [p.name, p.form ?? 'relative', mac(p, 8), mac(p, 16), machine(p), p.summary]);
        io.stdout.write(table(['table', 'form', 'MAC 8b pJ', 'MAC 16b pJ', 'machine', 'summary'], rows) + '\n');
      }
    });
}
