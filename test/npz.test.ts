/** NumPy .npz files read without a dependency: stored and deflated members, dtypes, and bad files named. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readNpz } from '../core/npz.ts';

/** A .npy of little-endian doubles (format 1.0), as numpy writes it. */
function npy(shape: readonly number[], values: readonly number[], descr = '<f8', fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const body = new Uint8Array(values.length * 8);
  const view = new DataView(body.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  return new Uint8Array([...head, ...body]);
}

/** A zip of the given members, stored or deflated (CRCs left 0: the reader does not check them, as numpy's does not need to). */
function zip(members: readonly { name: string; data: Uint8Array; deflate: boolean }[]): Uint8Array {
  const parts: number[] = [];
  const central: number[] = [];
  const u16 = (a: number[], v: number) => a.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (a: number[], v: number) => a.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  for (const m of members) {
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const name = new TextEncoder().encode(m.name);
    const offset = parts.length;
    u32(parts, 0x04034b50); u16(parts, 20); u16(parts, 0); u16(parts, m.deflate ? 8 : 0); u16(parts, 0); u16(parts, 0); u32(parts, 0); u32(parts, body.length); u32(parts, m.data.length); u16(parts, name.length); u16(parts, 0);
    parts.push(...name, ...body);
    u32(central, 0x02014b50); u16(central, 20); u16(central, 20); u16(central, 0); u16(central, m.deflate ? 8 : 0); u16(central, 0); u16(central, 0); u32(central, 0); u32(central, body.length); u32(central, m.data.length); u16(central, name.length); u16(central, 0); u16(central, 0); u16(central, 0); u16(central, 0); u32(central, 0); u32(central, offset);
    central.push(...name);
  }
  const end: number[] = [];
  u32(end, 0x06054b50); u16(end, 0); u16(end, 0); u16(end, members.length); u16(end, members.length); u32(end, central.length); u32(end, parts.length); u16(end, 0);
  return new Uint8Array([...parts, ...central, ...end]);
}

describe('readNpz', () => {
  it('reads the classifier fixture numpy wrote (float32 inputs, int64 labels)', () => {
    const arrays = readNpz(readFileSync(join(import.meta.dirname, 'fixtures/onnx/classifier-data.npz')), 'classifier-data.npz');
    expect(arrays.get('inputs')!.shape).toEqual([300, 1, 8, 8]);
    expect(arrays.get('inputs')!.dtype).toBe('<f4');
    const labels = arrays.get('labels')!;
    expect(labels.dtype).toBe('<i8');
    expect(labels.shape).toEqual([300]);
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('reads stored and deflated members alike', () => {
    const values = [1.5, -2, 3.25, 1e-300, 7, 8];
    for (const deflate of [false, true]) {
      const a = readNpz(zip([{ name: 'x.npy', data: npy([2, 3], values), deflate }]), 'x.npz').get('x')!;
      expect(a.shape).toEqual([2, 3]);
      expect([...a.data]).toEqual(values);
    }
  });

  it('names the file, the member and what is allowed', () => {
    expect(() => readNpz(new TextEncoder().encode('inputs,labels\n1,2\n'), 'table.csv')).toThrow(/table\.csv: got "\d+ bytes"; allowed: a NumPy \.npz file/);
    expect(() => readNpz(zip([{ name: 'x.npy', data: npy([2], [1, 2], '<c16'), deflate: false }]), 'x.npz')).toThrow(/x\.npz: x\.npy: dtype: got "<c16"; allowed: <f4, <f8/);
    expect(() => readNpz(zip([{ name: 'x.npy', data: npy([2], [1, 2], '<f8', true), deflate: false }]), 'x.npz')).toThrow(/fortran_order: got true; allowed: C order/);
    expect(() => readNpz(zip([{ name: 'x.npy', data: npy([4], [1, 2]), deflate: false }]), 'x.npz')).toThrow(/allowed: 4 values of <f8 after the header \(the file is cut\)/);
  });
});
