/** `codesign scenario export`: a split out as .npy (+ JSON sidecar) or .mat, read back here. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asMimo, channelOf, loadDataset } from '../../scenarios/dataset.ts';
import { loadScenario } from '../../scenarios/schema.ts';
import { codesign } from './run.ts';

/** A .npy file's header dictionary and data bytes (format 1.0, as NumPy writes and reads it). */
function readNpy(file: string): { descr: string; shape: number[]; fortran: boolean; data: Buffer } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  expect([bytes[6], bytes[7]]).toEqual([1, 0]);
  const length = bytes.readUInt16LE(8);
  expect((10 + length) % 64).toBe(0);
  const header = bytes.subarray(10, 10 + length).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, fortran: /'fortran_order': True/.test(header), data: bytes.subarray(10 + length) };
}

describe('codesign scenario export', () => {
  it('writes H as complex64 [samples, N_U, N_T] with its LOS flags and a sidecar; the values are the channels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-export-'));
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify({ name: 'export-tiny', model: 'rayleigh', nt: 6, nu: 3, snrDb: 10, seed: 9, split: { train: 2, validation: 2, test: 5 } }));
    const r = await codesign('scenario', 'export', file, '--split', 'test', '--out', join(dir, 'h.npy'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const H = readNpy(join(dir, 'h.npy'));
    expect(H).toMatchObject({ descr: '<c8', shape: [5, 3, 6], fortran: false });
    const values = new Float32Array(H.data.buffer.slice(H.data.byteOffset, H.data.byteOffset + H.data.byteLength));
    const ds = asMimo(loadDataset(loadScenario(file), 'test'));
    for (let i = 0; i < 5; i++) {
      const { H: h } = channelOf(ds, i);
      for (let k = 0; k < 3; k++) {
        for (let n = 0; n < 6; n++) {
          const at = 2 * ((i * 3 + k) * 6 + n);
          expect(values[at]).toBe(Math.fround(h.re[k * 6 + n]));
          expect(values[at + 1]).toBe(Math.fround(h.im[k * 6 + n]));
        }
      }
    }
    expect(readNpy(join(dir, 'h.los.npy'))).toMatchObject({ descr: '|u1', shape: [5, 3] });
    const sidecar = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
    expect(sidecar).toMatchObject({ scenario: 'export-tiny', split: 'test', samples: 5, seed: 9, noiseVar: ds.noiseVar, power: ds.power, files: { H: 'h.npy', los: 'h.los.npy' } });

    const m = await codesign('scenario', 'export', file, '--format', 'mat', '--out', join(dir, 'h.mat'));
    expect(m.code, m.stderr).toBe(0);
    const bytes = readFileSync(join(dir, 'h.mat'));
    expect(bytes.subarray(0, 19).toString('ascii')).toBe('MATLAB 5.0 MAT-file');
    expect(bytes.subarray(126, 128).toString('ascii')).toBe('IM');
    expect(bytes.readUInt32LE(128)).toBe(14); // the first variable is a miMATRIX
  });

  it.each([
    [['--format', 'mat', '--out', 'x.npy'], /--out: got "x\.npy"; allowed: a file ending in \.mat/],
    [['--out', '/no/such/dir/x.npy'], /--out: .*allowed: the export file in an existing folder/],
    [['--split', 'dev', '--out', 'x.npy'], /--split/],
  ])('bad input %j is refused before any work', async (args, message) => {
    const r = await codesign('scenario', 'export', 'rayleigh', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
