/**
 * The safetensors header checked as the format's reference parser (safetensors' Rust
 * `SafeTensors::read_metadata` / `Metadata::validate`) checks it, every message naming the file
 * and the tensor:
 *
 * - the header length is at most 100,000,000 bytes and fits in the file; the header is UTF-8
 *   JSON starting with '{', an object;
 * - `__metadata__`, when present, maps strings to strings;
 * - each entry is `{dtype: known name, shape: [integers >= 0], data_offsets: [begin, end]}` with
 *   integer offsets, begin <= end, and end - begin = numel x element size;
 * - sorted by offset, the tensors are contiguous from 0 with no gap and no overlap, and the last
 *   one ends exactly where the file does.
 */
import { ELEMENT_SIZE, type SourceDType } from './records.js';

/** The reference parser's cap on the header (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

export const DTYPES: Record<string, SourceDType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** One checked header entry. */
export interface HeaderEntry {
  name: string;
  dtype: SourceDType;
  /** The dtype as the file names it (F32, ...). */
  fileDtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));

/** Parses and checks the header of a file whose data section has `dataBytes` bytes. */
export function parseHeader(
  json: Uint8Array,
  dataBytes: number,
  file: string,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new Error(`${file}: bad safetensors header JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new Error(`${file}: bad safetensors header: a JSON object was expected, not ${show(header)}`);
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info))
        throw new Error(`${file}: bad safetensors header: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string')
          throw new Error(`${file}: bad safetensors header: __metadata__ '${k}' is ${show(v)}, not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(checkEntry(name, info, file));
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      const what = e.begin > at ? `a gap of ${e.begin - at} bytes before it` : `it overlaps the tensor before it`;
      throw new Error(
        `${file}: bad safetensors data offsets: tensor '${e.name}' starts at byte ${e.begin}, expected ${at} (${what}); tensors must be contiguous`,
      );
    }
    at = e.end;
  }
  if (at > dataBytes) {
    const last = sorted[sorted.length - 1];
    throw new Error(
      `truncated: ${file}: tensor '${last.name}' needs data bytes ${last.begin}..${last.end}, the file has ${dataBytes}`,
    );
  }
  if (at < dataBytes)
    throw new Error(
      `${file}: bad safetensors data: the tensors cover ${at} bytes, the data section has ${dataBytes} (the file has ${dataBytes - at} bytes no tensor describes)`,
    );
  return { entries, metadata }; // in the header's order, as the file lists them
}

/** Checks one `{dtype, shape, data_offsets}` entry. */
function checkEntry(name: string, info: unknown, file: string): HeaderEntry {
  const bad = (what: string) => new Error(`${file}: bad safetensors header: tensor '${name}' ${what}`);
  if (typeof info !== 'object' || info === null || Array.isArray(info))
    throw bad(`is ${show(info)}, not an object {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad(`has dtype ${show(dtype)}, not a string`);
  const type = DTYPES[dtype];
  if (!type) throw new Error(`${file}: tensor '${name}' has unsupported safetensors dtype ${dtype}`);
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw bad(`has shape ${show(shape)}, not a list of integers >= 0`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
    throw bad(`has data_offsets ${show(offsets)}, not [begin, end] with integers 0 <= begin <= end`);
  const numel = shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = numel * ELEMENT_SIZE[type];
  if (!Number.isSafeInteger(bytes)) throw bad(`has shape [${shape.join(', ')}], too many elements`);
  const [begin, end] = offsets as [number, number];
  if (end - begin !== bytes) {
    throw new Error(
      `byte-length mismatch in ${file}, tensor '${name}': ${dtype} [${shape.join(', ')}] needs ${bytes} bytes, data_offsets give ${end - begin}`,
    );
  }
  return { name, dtype: type, fileDtype: dtype, shape, begin, end };
}
