/**
 * NumPy's .npz (a zip of .npy arrays, stored or deflated) read without a dependency: the zip's
 * central directory, then each .npy's header ('<f4', '<i8', …, C order) and data. What a user's
 * data file can hold for `search --model --data`.
 */
import { inflateRawSync } from 'node:zlib';
import { InputError } from './errors.ts';

export interface NpyArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The values as doubles (int64 converted; exact below 2⁵³). */
  readonly data: Float64Array;
}

const READERS: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  '<f4': { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  '<f8': { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  '<i8': { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  '<i4': { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  '<i2': { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  '|i1': { bytes: 1, read: (v, at) => v.getInt8(at) },
  '|u1': { bytes: 1, read: (v, at) => v.getUint8(at) },
  '|b1': { bytes: 1, read: (v, at) => v.getUint8(at) },
};

export function readNpy(bytes: Uint8Array, where: string): NpyArray {
  const bad = (allowed: string) => new InputError(where, `${bytes.length} bytes`, `allowed: ${allowed}`);
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw bad('a .npy array (magic \\x93NUMPY)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw bad(`a .npy header with descr and shape (got ${header.trim()})`);
  if (fortran) throw new InputError(`${where}: fortran_order`, true, 'allowed: C order (np.ascontiguousarray before saving)');
  const reader = READERS[descr];
  if (!reader) throw new InputError(`${where}: dtype`, descr, `allowed: ${Object.keys(READERS).join(', ')}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((p, d) => p * d, 1);
  const offset = start + headerLength;
  if (bytes.length < offset + count * reader.bytes) throw bad(`${count} values of ${descr} after the header (the file is cut)`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = reader.read(view, offset + i * reader.bytes);
  return { dtype: descr, shape, data };
}

/** Every array of an .npz, by name (without the .npy). */
export function readNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = () => new InputError(file, `${bytes.length} bytes`, 'allowed: a NumPy .npz file (np.savez or np.savez_compressed)');
  // The end-of-central-directory record: the last signature 0x06054b50 (a comment may follow it).
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw notZip();
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const arrays = new Map<string, NpyArray>();
  for (let e = 0; e < entries; e++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw notZip();
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (view.getUint32(local, true) !== 0x04034b50) throw notZip();
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    if (method !== 0 && method !== 8) throw new InputError(`${file}: ${name}`, `compression method ${method}`, 'allowed: stored or deflated (np.savez, np.savez_compressed)');
    const npy = method === 0 ? raw : new Uint8Array(inflateRawSync(raw));
    arrays.set(name.replace(/\.npy$/, ''), readNpy(npy, `${file}: ${name}`));
  }
  return arrays;
}
