import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS, eachBuffer, type Dataflow } from '../sim/engine/config.ts';
import { simulateOps } from '../sim/engine/engine.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import { parseTopology } from '../sim/engine/topology.ts';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { readReference } from './reference.ts';

interface Row {
  name: string;
  M: number;
  N: number;
  K: number;
  rows: number;
  cols: number;
  dataflow: Dataflow;
  total_cycles: number;
  sram_ifmap_reads: number;
  sram_filter_reads: number;
  sram_ofmap_writes: number;
}

const csv = readReference('scalesim/gemm-calc.csv').trim().split('\n');
const header = csv[0].split(',');
const rows: Row[] = csv.slice(1).map((line) => {
  const cells = line.split(',');
  const get = (k: string) => cells[header.indexOf(k)];
  return {
    name: get('name'),
    M: +get('M'),
    N: +get('N'),
    K: +get('K'),
    rows: +get('rows'),
    cols: +get('cols'),
    dataflow: get('dataflow') as Dataflow,
    total_cycles: +get('total_cycles'),
    sram_ifmap_reads: +get('sram_ifmap_reads'),
    sram_filter_reads: +get('sram_filter_reads'),
    sram_ofmap_writes: +get('sram_ofmap_writes'),
  };
});

describe('systolic mode against SCALE-Sim v2 (gemm-calc.csv, unlimited bandwidth)', () => {
  it('has the reference rows', () => expect(rows.length).toBe(108));

  it.each(rows.map((r) => [`${r.name} ${r.rows}×${r.cols} ${r.dataflow}`, r] as const))('%s: cycles, ifmap, filter and output counts', (_, r) => {
    const config = { ...ENGINE_DEFAULTS, rows: r.rows, cols: r.cols, dataflow: r.dataflow, localBufferWords: eachBuffer(1 << 30) };
    const op = simulateOps([gemmOp(r.name, r.M, r.N, r.K, DEFAULT_PRECISION)], config, KASALAEE_2025).ops[0];
    expect(op.scaleSimCycles).toBe(r.total_cycles);
    expect(op.cycles).toBe(r.total_cycles + 1); // SCALE-Sim reports the index of the last cycle
    expect(op.stallCycles).toBe(0);
    expect(op.accesses.localActivationReads).toBe(r.sram_ifmap_reads);
    expect(op.accesses.localWeightReads).toBe(r.sram_filter_reads);
    // SCALE-Sim's OS count adds R + C writes of padded tile entries per fold; ours counts real writes.
    const padded = r.dataflow === 'os' ? op.folds * (r.rows + r.cols) : 0;
    expect(op.accesses.localOutputWrites + padded).toBe(r.sram_ofmap_writes);
  });
});

describe('SCALE-Sim topology files', () => {
  it('parses ResNet-18 with the no-padding convention', () => {
    const layers = parseTopology(readReference('scalesim/resnet18-topology.csv'));
    expect(layers).toHaveLength(21);
    expect(layers[20]).toMatchObject({ name: "FC", M: 1, N: 1000, K: 512 });
    // Conv1: 224×224, 7×7, stride 2 → SCALE-Sim's ⌈(224 − 7 + 2)/2⌉ = 110 per side (⌊217/2⌋ + 1 would be 109); K = 7·7·3
    expect(layers[0]).toMatchObject({ name: "Conv1", M: 110 * 110, N: 64, K: 147 });
    // Every strided layer gets SCALE-Sim's size; stride 1 is the same either way.
    const rows = readReference('scalesim/resnet18-topology.csv').trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.trim()));
    rows.filter((r) => r[1] !== '' && !Number.isNaN(Number(r[7]))).forEach((r, i) => {
      const [h, w, fh, fw, , , stride] = r.slice(1, 8).map(Number);
      if (!Number.isFinite(stride)) return;
      expect(layers[i].M, r[0]).toBe(Math.ceil((h - fh + stride) / stride) * Math.ceil((w - fw + stride) / stride));
    });
  });

  it('parses the GEMM format and rejects malformed files with the line and field', () => {
    expect(parseTopology('Layer Name, M, N, K,\nfc, 1, 512, 1024,\n')).toEqual([{ name: 'fc', M: 1, N: 512, K: 1024 }]);
    expect(() => parseTopology('Layer Name, M, N, K,\nfc, 1, -5, 1024,\n', 'x.csv')).toThrow(/x\.csv: line 2, field n: got "-5"; allowed: a positive decimal integer ≤ 2147483647/);
    expect(() => parseTopology('what, ever\nfc,1\n', 'x.csv')).toThrow(/x\.csv: header/);
    expect(() => parseTopology('Layer Name, M, N, K,\nfc, 1, 2\n', 'x.csv')).toThrow(/line 2: got "fc, 1, 2"; allowed: 4 comma-separated fields/);
  });
});
