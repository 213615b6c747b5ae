/**
 * ONNX's protobuf messages, decoded and encoded with protobufjs from the official schema
 * (`onnx.proto3`, shipped beside this file from github.com/onnx/onnx at f754691, Apache-2.0).
 * Only the fields codesign reads or writes are typed here; the schema decodes the rest.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Protobuf from 'protobufjs';

export interface TensorShapeDim {
  readonly dimValue?: number;
  readonly dimParam?: string;
}

export interface ValueInfo {
  readonly name: string;
  readonly type?: { readonly tensorType?: { readonly elemType?: number; readonly shape?: { readonly dim?: readonly TensorShapeDim[] } } };
}

export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly floatData?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly int64Data?: readonly number[];
  readonly rawData?: Uint8Array;
}

export interface Attribute {
  readonly name: string;
  readonly type?: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: Tensor;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
}

export interface Node {
  readonly name?: string;
  readonly opType: string;
  readonly domain?: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attribute?: readonly Attribute[];
}

export interface GraphProto {
  readonly name?: string;
  readonly node: readonly Node[];
  readonly initializer?: readonly Tensor[];
  readonly input: readonly ValueInfo[];
  readonly output: readonly ValueInfo[];
}

export interface Model {
  readonly irVersion: number;
  readonly opsetImport: readonly { readonly domain?: string; readonly version: number }[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly graph: GraphProto;
  readonly metadataProps?: readonly { readonly key: string; readonly value: string }[];
}

/** ONNX TensorProto.DataType values codesign meets. */
export const DATA_TYPE = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, DOUBLE: 11, UINT32: 12, UINT4: 21, INT4: 22 } as const;

/** Bits of an integer element type (the width a QDQ pair or a QLinear op declares). */
export const INTEGER_BITS: Readonly<Record<number, number>> = { 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 12: 32, 21: 4, 22: 4 };

export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

let modelType: Protobuf.Type | undefined;

function model(): Protobuf.Type {
  // Loaded on first use: `codesign energy` without --model starts 40 ms sooner.
  const protobuf = createRequire(import.meta.url)('protobufjs') as typeof Protobuf;
  modelType ??= protobuf.loadSync(fileURLToPath(new URL('./onnx.proto3', import.meta.url))).lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes a ModelProto; throws protobufjs's error on bytes that are not one. */
export function decodeModel(bytes: Uint8Array): Model {
  const t = model();
  return t.toObject(t.decode(bytes), { longs: Number, defaults: false, arrays: true }) as Model;
}

export function encodeModel(m: Model): Uint8Array {
  const t = model();
  const problem = t.verify(m);
  if (problem) throw new Error(`ONNX model does not fit the schema: ${problem}`);
  return t.encode(t.fromObject(m)).finish();
}

/** An attribute's value by name, or undefined. */
export function attribute(node: Node, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** A tensor's values as numbers (float, integer or raw little-endian data). */
export function tensorValues(t: Tensor): number[] {
  if (t.floatData && t.floatData.length > 0) return [...t.floatData];
  if (t.int64Data && t.int64Data.length > 0) return [...t.int64Data];
  if (t.int32Data && t.int32Data.length > 0) return [...t.int32Data];
  const raw = t.rawData;
  if (!raw || raw.length === 0) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  switch (t.dataType) {
    case DATA_TYPE.FLOAT:
      for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getFloat32(i, true));
      break;
    case DATA_TYPE.DOUBLE:
      for (let i = 0; i < raw.byteLength; i += 8) out.push(view.getFloat64(i, true));
      break;
    case DATA_TYPE.INT64:
      for (let i = 0; i < raw.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
      break;
    case DATA_TYPE.INT32:
      for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getInt32(i, true));
      break;
    case DATA_TYPE.INT8:
      for (let i = 0; i < raw.byteLength; i++) out.push(view.getInt8(i));
      break;
    case DATA_TYPE.UINT8:
      for (let i = 0; i < raw.byteLength; i++) out.push(view.getUint8(i));
      break;
    default:
      break;
  }
  return out;
}

/** A float32 tensor with raw little-endian data. */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): Tensor {
  const data = Float32Array.from(values as ArrayLike<number>);
  return { name, dims: [...dims], dataType: DATA_TYPE.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): Tensor {
  return { name, dims: [...dims], dataType: DATA_TYPE.INT64, int64Data: [...values] };
}
