/**
 * safetensors (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`
 * (offsets relative to the end of the header), then the raw little-endian tensor bytes.
 */
import { LazyTensor, contiguousStrides, type TensorRecord } from './records.js';
import { MAX_HEADER_BYTES, parseHeader } from './safetensors_header.js';

export interface SafetensorsFile {
  tensors: Map<string, LazyTensor>;
  metadata: Record<string, string>;
  storage(key: string): Uint8Array;
}

/**
 * True when the bytes start like a safetensors file: a header length, then '{' (no zip or pickle
 * has '{' there). A header longer than the file is a truncated safetensors file, one over the
 * format's cap an error (see readSafetensors).
 */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && bytes[8] === 0x7b;
}

/** Reads a safetensors file's header (checked as the reference parser does, see safetensors_header.ts). */
export function readSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  if (bytes.length < 8)
    throw new Error(`truncated: ${file} is ${bytes.length} bytes, shorter than a safetensors header length`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    throw new Error(
      `${file}: the safetensors header claims ${declared} bytes, over the format's cap of ${MAX_HEADER_BYTES}`,
    );
  const headerLen = Number(declared);
  if (8 + headerLen > bytes.length)
    throw new Error(
      `truncated: ${file}: the safetensors header needs ${headerLen} bytes, the file has ${bytes.length - 8} after the length`,
    );
  const data = bytes.subarray(8 + headerLen);
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + headerLen), data.length, file);
  const tensors = new Map<string, LazyTensor>();
  const ranges = new Map<string, [number, number]>();
  for (const { name, dtype, shape, begin, end } of entries) {
    const numel = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, new LazyTensor({ key: name, dtype, numel, base: 0 }, 0, shape, contiguousStrides(shape)));
    ranges.set(name, [begin, end]);
  }
  return { tensors, metadata, storage: (key) => data.subarray(...ranges.get(key)!) };
}

/** Encodes float32/int32 records as a safetensors file (header padded with spaces to 8 bytes). */
export function encodeSafetensors(tensors: Map<string, TensorRecord>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = {
      dtype: t.dtype === 'int32' ? 'I32' : 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors.values()) {
    // Typed arrays are little-endian on every platform WebGPU runs on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
