/**
 * Arrays out to the tools radio researchers load data with: NumPy `.npy` (format 1.0) and MATLAB
 * level-5 `.mat`. Little-endian, C order in .npy; MATLAB stores column-major, so the writer
 * transposes. Only what the exports need: float32 real or complex arrays, uint8, float64 scalars.
 */

export interface NumericArray {
  readonly shape: readonly number[];
  /** Real part, or the whole array (row-major). */
  readonly re: Float32Array | Uint8Array | Float64Array;
  /** Imaginary part (complex arrays only), row-major. */
  readonly im?: Float32Array;
}

const DESCR: Record<string, string> = { Float32Array: '<f4', Float64Array: '<f8', Uint8Array: '|u1' };

/** A .npy file: magic, version 1.0, a header padded to a multiple of 64 bytes, then the data. */
export function npy(a: NumericArray): Buffer {
  const complex = a.im !== undefined;
  const descr = complex ? '<c8' : DESCR[a.re.constructor.name];
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  let body: Buffer;
  if (complex) {
    const interleaved = new Float32Array(2 * a.re.length);
    for (let i = 0; i < a.re.length; i++) {
      interleaved[2 * i] = a.re[i];
      interleaved[2 * i + 1] = a.im![i];
    }
    body = Buffer.from(interleaved.buffer);
  } else body = Buffer.from(a.re.buffer, a.re.byteOffset, a.re.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

// MAT-file level 5 constants (MathWorks, "MAT-File Format", R2021a, ch. 1).
const mi = { INT8: 1, UINT8: 2, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, MATRIX: 14 } as const;
const mx = { DOUBLE: 6, SINGLE: 7, UINT8: 9 } as const;

/** One data element: an 8-byte tag (type, byte count) and the data padded to 8 bytes. */
function element(type: number, data: Buffer): Buffer {
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return Buffer.concat([tag, data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
}

/** Row-major → column-major (MATLAB's order) for an array of `shape`. */
function columnMajor<T extends Float32Array | Uint8Array | Float64Array>(data: T, shape: readonly number[]): T {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const n = shape.length;
  const stridesRow = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const stridesCol = shape.map((_, i) => shape.slice(0, i).reduce((a, b) => a * b, 1));
  const index = new Array<number>(n).fill(0);
  for (let r = 0; r < data.length; r++) {
    let rest = r;
    let c = 0;
    for (let d = 0; d < n; d++) {
      index[d] = Math.floor(rest / stridesRow[d]);
      rest -= index[d] * stridesRow[d];
      c += index[d] * stridesCol[d];
    }
    out[c] = data[r];
  }
  return out;
}

function matrix(name: string, a: NumericArray): Buffer {
  const shape = a.shape.length === 1 ? [a.shape[0], 1] : a.shape;
  const cls = a.re instanceof Float64Array ? mx.DOUBLE : a.re instanceof Uint8Array ? mx.UINT8 : mx.SINGLE;
  const type = a.re instanceof Float64Array ? mi.DOUBLE : a.re instanceof Uint8Array ? mi.UINT8 : mi.SINGLE;
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(cls | (a.im ? 0x800 : 0), 0);
  const dims = Buffer.alloc(4 * shape.length);
  shape.forEach((d, i) => dims.writeInt32LE(d, 4 * i));
  const bytes = (x: Float32Array | Uint8Array | Float64Array) => {
    const c = columnMajor(x, shape);
    return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  };
  const parts = [element(mi.UINT32, flags), element(mi.INT32, dims), element(mi.INT8, Buffer.from(name, 'ascii')), element(type, bytes(a.re))];
  if (a.im) parts.push(element(mi.SINGLE, bytes(a.im)));
  return element(mi.MATRIX, Buffer.concat(parts));
}

/** A level-5 .mat file holding the named arrays (names are MATLAB identifiers). */
export function mat(variables: Readonly<Record<string, NumericArray>>, description: string): Buffer {
  const header = Buffer.alloc(128, ' ');
  header.write(`MATLAB 5.0 MAT-file, ${description}`.slice(0, 116), 0, 'ascii');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'ascii');
  return Buffer.concat([header, ...Object.entries(variables).map(([name, a]) => matrix(name, a))]);
}
