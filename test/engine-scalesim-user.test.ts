import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS, eachBuffer, type Dataflow, type EngineConfig } from '../sim/engine/config.ts';
import { simulateOps, type OpStats } from '../sim/engine/engine.ts';
import { parseTopology, topologyOps } from '../sim/engine/topology.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { readReference } from './reference.ts';

const csv = readReference('scalesim/gemm-user.csv').trim().split('\n');
const header = csv[0].split(',');
const rows = csv.slice(1).map((line) => {
  const cells = line.split(',');
  return Object.fromEntries(header.map((h, i) => [h, h === 'name' || h === 'dataflow' ? cells[i] : Number(cells[i])])) as Record<string, number> & { name: string; dataflow: Dataflow };
});

/** SCALE-Sim's setting: one-byte words, every element one word, sram_kb KB per buffer. */
const userConfig = (r: (typeof rows)[number]): EngineConfig => ({
  ...ENGINE_DEFAULTS,
  rows: r.rows,
  cols: r.cols,
  dataflow: r.dataflow,
  bandwidth: r.bandwidth,
  localBufferWords: eachBuffer(r.sram_kb * 1024),
  wordBits: 8,
  packing: 'word',
  memoryModel: 'scalesim',
});

/** Our counts in SCALE-Sim's columns. */
function scaleSimColumns(op: OpStats, dataflow: Dataflow, rows: number, cols: number) {
  const a = op.accesses;
  // SCALE-Sim's OS count adds R + C writes of padded tile entries per fold; ours counts real writes.
  const padded = dataflow === 'os' ? op.folds * (rows + cols) : 0;
  return {
    total_cycles: op.scaleSimCycles,
    stall_cycles: op.stallCycles,
    sram_ifmap_reads: a.localActivationReads,
    sram_filter_reads: a.localWeightReads,
    sram_ofmap_writes: a.localOutputWrites + padded,
    dram_ifmap_reads: a.mainActivationReads,
    dram_filter_reads: a.mainWeightReads,
    dram_ofmap_writes: a.mainActivationWrites,
  };
}

const COLUMNS = ['total_cycles', 'stall_cycles', 'sram_ifmap_reads', 'sram_filter_reads', 'sram_ofmap_writes', 'dram_ifmap_reads', 'dram_filter_reads', 'dram_ofmap_writes'] as const;
const reference = (r: Record<string, unknown>) => Object.fromEntries(COLUMNS.map((k) => [k, r[k]]));

describe('finite bandwidth against SCALE-Sim v2 (gemm-user.csv, USER bandwidth mode)', () => {
  it('has the reference rows', () => expect(rows.length).toBe(36));

  it.each(rows.map((r) => [`${r.name} ${r.M}×${r.N}×${r.K} ${r.rows}×${r.cols} ${r.dataflow} ${r.sram_kb} KB ${r.bandwidth} w/c`, r] as const))('%s', (_, r) => {
    const op = simulateOps([gemmOp(r.name, r.M, r.N, r.K, DEFAULT_PRECISION)], userConfig(r), KASALAEE_2025).ops[0];
    expect(scaleSimColumns(op, r.dataflow, r.rows, r.cols)).toEqual(reference(r));
    expect(op.cycles).toBe(r.total_cycles + 1);
  });
});

/** Runs of SCALE-Sim v2 made here by bench/scalesim/run_scalesim.py and not given to us: 60 random GEMMs, 6 strided convolutions. */
const extra = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'scalesim', 'user-extra.json'), 'utf8')) as {
  gemm: (Record<string, number> & { name: string; dataflow: Dataflow })[];
  conv: (Record<string, number> & { name: string; dataflow: Dataflow })[];
};

describe('the same on SCALE-Sim runs outside the shared set', () => {
  it('60 random GEMMs (bandwidths 1–16 words/cycle, 1–4 KB, all dataflows)', () => {
    expect(extra.gemm.length).toBe(60);
    for (const r of extra.gemm) {
      const op = simulateOps([gemmOp(r.name, r.M, r.N, r.K, DEFAULT_PRECISION)], userConfig(r as never), KASALAEE_2025).ops[0];
      expect(scaleSimColumns(op, r.dataflow, r.rows, r.cols), r.name).toEqual(reference(r));
    }
  });

  it('strided convolutions from a topology file: overlapping windows share input addresses', () => {
    for (const r of extra.conv) {
      const csv = `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n${r.name}, ${r.ifmap_h}, ${r.ifmap_w}, ${r.filter_h}, ${r.filter_w}, ${r.channels}, ${r.filters}, ${r.stride},\n`;
      const op = simulateOps(topologyOps(parseTopology(csv), 1), userConfig(r as never), KASALAEE_2025).ops[0];
      expect(scaleSimColumns(op, r.dataflow, r.rows, r.cols), r.name).toEqual(reference(r));
    }
  });
});
