/**
 * Reading `torch.save` files, as torch/serialization.py writes them:
 *
 * - zip (torch >= 1.6): `<root>/data.pkl` (the object pickle, whose tensors point to storages
 *   by persistent id `('storage', StorageType, key, location, numel)`), `<root>/data/<key>`
 *   (raw little-endian storage bytes), `<root>/byteorder`, `<root>/version`, ...
 * - legacy (torch < 1.6, or `_use_new_zipfile_serialization=False`): five things back to back:
 *   the magic-number pickle, the protocol-version pickle, the sys_info pickle, the object pickle
 *   (ids `('storage', StorageType, key, location, numel, view_metadata)`), the pickled list of
 *   storage keys, then each storage as an int64 element count followed by its raw bytes.
 * - tar (early PyTorch 0.1.x, 2017): recognised and refused.
 *
 * Parsing builds a tree of Maps, arrays and `LazyTensor`s; nothing is executed (see pickle.ts).
 */
import { unpickle, PickleGlobal, type Builder } from './pickle.js';
import { LazyTensor, ELEMENT_SIZE, type SourceDType, type StorageRef } from './records.js';
import {
  readZip,
  scanLocalHeaders,
  readEntry,
  isZip,
  loadInflate,
  ZipError,
  InflateBudget,
  type ZipArchive,
} from './zip.js';
import { ByteBudget, type ReadLimits } from './limits.js';

/** torch's storage classes and the element type each one holds. */
const STORAGE_TYPES: Record<string, SourceDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const DTYPE_OBJECTS: Record<string, SourceDType> = {
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** The globals a state_dict or training checkpoint may name, each rebuilt as plain data. */
function torchGlobals(): Map<string, Builder | null> {
  const g = new Map<string, Builder | null>();
  const ints = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === 'number' || typeof v === 'bigint');
  const rebuild = ([storage, offset, size, stride]: unknown[]) => {
    if (!(storage instanceof StoredRef)) throw new Error('unpickle: _rebuild_tensor without a storage');
    if (!ints([offset]) || !ints(size) || !ints(stride))
      throw new Error(`the offset, size and stride of a tensor must be integers and lists of integers`);
    return new LazyTensor(
      storage.ref,
      Number(offset),
      (size as number[]).map(Number),
      (stride as number[]).map(Number),
    );
  };
  g.set('torch._utils._rebuild_tensor', rebuild);
  g.set('torch._utils._rebuild_tensor_v2', rebuild); // (storage, offset, size, stride, requires_grad, hooks[, metadata])
  g.set('torch._utils._rebuild_parameter', ([data]) => data); // (data, requires_grad, hooks): a Parameter is its data
  g.set('torch._utils._rebuild_parameter_with_state', ([data]) => data);
  g.set('collections.OrderedDict', (args) => new Map((args?.[0] as Array<[unknown, unknown]>) ?? []));
  g.set('builtins.set', (args) => new Set((args?.[0] as unknown[]) ?? []));
  g.set('builtins.frozenset', (args) => new Set((args?.[0] as unknown[]) ?? []));
  g.set('torch.Size', (args) => [...((args?.[0] as number[]) ?? [])]);
  // Numpy scalars (e.g. a best accuracy computed with numpy) and the bytes they carry: protocol 2
  // pickles Python 3 bytes as _codecs.encode(latin-1 text, 'latin1').
  g.set('_codecs.encode', ([text, encoding]) => {
    if (encoding !== 'latin1' && encoding !== 'latin-1')
      throw new Error(`unpickle: _codecs.encode with encoding ${String(encoding)}`);
    return Uint8Array.from(String(text), (c) => c.charCodeAt(0));
  });
  g.set('numpy.dtype', ([code]) => ({ numpyDtype: String(code) }));
  g.set('numpy.core.multiarray.scalar', numpyScalar);
  g.set('numpy._core.multiarray.scalar', numpyScalar);
  for (const name of [...Object.keys(STORAGE_TYPES), 'UntypedStorage']) g.set(`torch.${name}`, null);
  for (const name of Object.keys(DTYPE_OBJECTS)) g.set(`torch.${name}`, null);
  return g;
}

/** numpy.core.multiarray.scalar(dtype, raw bytes) -> a number (little-endian numeric dtypes). */
function numpyScalar([dtype, raw]: unknown[]): number | bigint | boolean {
  const code = (dtype as { numpyDtype?: string })?.numpyDtype;
  if (!(raw instanceof Uint8Array) || !code) throw new Error('unpickle: a numpy scalar without a dtype and bytes');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Record<string, () => number | bigint | boolean> = {
    f8: () => dv.getFloat64(0, true),
    f4: () => dv.getFloat32(0, true),
    i8: () => dv.getBigInt64(0, true),
    u8: () => dv.getBigUint64(0, true),
    i4: () => dv.getInt32(0, true),
    u4: () => dv.getUint32(0, true),
    i2: () => dv.getInt16(0, true),
    u2: () => dv.getUint16(0, true),
    i1: () => dv.getInt8(0),
    u1: () => dv.getUint8(0),
    b1: () => dv.getUint8(0) !== 0,
  };
  if (!read[code]) throw new Error(`unpickle: unsupported numpy scalar dtype ${code}`);
  const v = read[code]();
  return typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

/** A persistent-id storage, as the pickle sees it (only `_rebuild_tensor*` may consume it). */
class StoredRef {
  constructor(readonly ref: StorageRef) {}
}

/** `('storage', StorageType, key, location, numel[, view_metadata])` -> a storage reference. */
function storageFromPid(pid: unknown, file: string, seen: Map<string, SourceDType>): StoredRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage') {
    throw new Error(
      `${file}: unsupported persistent id ${JSON.stringify(Array.isArray(pid) ? pid[0] : pid)} (only tensor storages can be loaded; was a whole nn.Module saved? save its state_dict() instead)`,
    );
  }
  const [, type, key, , numel, view] = pid as unknown[];
  const count = (x: unknown) =>
    (typeof x === 'number' || typeof x === 'bigint') && Number.isSafeInteger(Number(x)) && Number(x) >= 0;
  if ((typeof key !== 'string' && typeof key !== 'number') || !count(numel) || (Array.isArray(view) && !count(view[1])))
    throw new Error(`${file}: a storage's persistent id is malformed (its key, element count or view offset)`);
  const typeName = type instanceof PickleGlobal ? type.name : String(type);
  const dtype = typeName === 'UntypedStorage' ? 'uint8' : (STORAGE_TYPES[typeName] ?? DTYPE_OBJECTS[typeName]);
  if (!dtype) throw new Error(`${file}: unsupported storage type ${typeName}`);
  seen.set(String(key), dtype);
  const ref: StorageRef = { key: String(key), dtype, numel: Number(numel), base: 0 };
  // Legacy storage views: (view_key, offset, view_size) into the root storage.
  if (Array.isArray(view)) ref.base = Number(view[1]);
  return new StoredRef(ref);
}

export interface TorchFile {
  /** The object tree (Maps, arrays, numbers, strings, LazyTensors). */
  root: unknown;
  /** A storage's bytes by key, or throws naming what is missing. */
  storage(ref: StorageRef, path: string): Uint8Array;
  format: 'zip' | 'legacy';
  /** Set when the file is cut short (only `inspect` accepts that): the problem, in words. */
  truncated?: string;
}

export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

export function isLegacyTorch(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x80 || bytes.length < 14) return false;
  try {
    return unpickle(bytes.subarray(0, 64), { name: '', globals: new Map() }).value === LEGACY_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Reads a zip-format torch.save file. With `allowTruncated`, a missing central directory is
 * tolerated. Deflated records may inflate to `maxTensorBytes` together (limits.ts's default:
 * 4 x the file's size + 16 MiB), checked on their declared sizes before inflating.
 */
export async function readTorchZip(
  bytes: Uint8Array,
  file: string,
  allowTruncated = false,
  limits: ReadLimits = {},
): Promise<TorchFile> {
  let zip: ZipArchive;
  let truncated: string | undefined;
  try {
    zip = readZip(bytes);
  } catch (e) {
    if (!(e instanceof ZipError) || !allowTruncated || !e.message.startsWith('truncated')) throw wrap(e, file);
    truncated = e.message;
    zip = scanLocalHeaders(bytes);
  }
  const pkl = [...zip.entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pkl)
    throw new Error(
      `${file}: ${truncated ? `${truncated}, and data.pkl is not complete` : 'a zip, but not a torch.save archive (no data.pkl record)'}`,
    );
  const root = pkl.slice(0, -'data.pkl'.length);
  const inflate = [...zip.entries.values()].some((e) => e.method !== 0) ? await loadInflate() : null;
  const budget = new InflateBudget(
    new ByteBudget(file, bytes.length, limits).limit,
    `pass { maxTensorBytes } to allow more than 4 x the file's size + 16 MiB`,
  );
  const entry = (name: string) => {
    const e = zip.entries.get(root + name);
    return e ? readEntry(bytes, e, inflate, budget) : null;
  };
  let order: Uint8Array | null = null;
  try {
    order = entry('byteorder');
    const seen = new Map<string, SourceDType>();
    const value = unpickle(entry('data.pkl')!, {
      name: file,
      globals: torchGlobals(),
      persistentLoad: (pid) => storageFromPid(pid, file, seen),
    }).value;
    if (order && new TextDecoder().decode(order).trim() === 'big')
      throw new Error(`${file}: written on a big-endian machine; only little-endian checkpoints are supported`);
    return {
      root: value,
      format: 'zip',
      truncated,
      storage: (ref) => {
        let data: Uint8Array | null;
        try {
          data = entry(`data/${ref.key}`);
        } catch (e) {
          throw wrap(e, file);
        }
        if (!data)
          throw new Error(
            `${truncated ? 'truncated: ' : ''}${file}: the data record ${root}data/${ref.key} is missing`,
          );
        return data;
      },
    };
  } catch (e) {
    throw wrap(e, file);
  }
}

/** Reads a legacy (pre-zip) torch.save stream. */
export function readTorchLegacy(bytes: Uint8Array, file: string, allowTruncated = false): TorchFile {
  const plain = { name: file, globals: new Map<string, Builder | null>() };
  let pos = unpickle(bytes, plain).end; // magic number
  const protocol = unpickle(bytes, plain, pos);
  if (protocol.value !== 1001)
    throw new Error(`${file}: legacy torch file with unsupported protocol version ${String(protocol.value)}`);
  const sysInfo = unpickle(bytes, plain, protocol.end);
  const info = sysInfo.value instanceof Map ? sysInfo.value : new Map();
  if (info.get('little_endian') === false)
    throw new Error(`${file}: written on a big-endian machine; only little-endian checkpoints are supported`);
  const seen = new Map<string, SourceDType>();
  const main = unpickle(
    bytes,
    { name: file, globals: torchGlobals(), persistentLoad: (pid) => storageFromPid(pid, file, seen) },
    sysInfo.end,
  );
  const keys = unpickle(bytes, plain, main.end);
  pos = keys.end;
  const storages = new Map<string, Uint8Array>();
  let truncated: string | undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const k of keys.value as unknown[]) {
    const key = String(k);
    const dtype = seen.get(key);
    if (!dtype)
      throw new Error(`${file}: storage '${key}' is listed but no tensor uses it, so its element size is unknown`);
    const size = ELEMENT_SIZE[dtype];
    const count = pos + 8 <= bytes.length ? Number(dv.getBigInt64(pos, true)) : 0;
    const end = pos + 8 + count * size;
    if (end > bytes.length) {
      truncated = `truncated: ${file}: storage '${key}' needs bytes ${pos + 8}..${end}, the file has ${bytes.length}`;
      if (!allowTruncated) throw new Error(truncated);
      break;
    }
    storages.set(key, bytes.subarray(pos + 8, end));
    pos = end;
  }
  return {
    root: main.value,
    format: 'legacy',
    truncated,
    storage: (ref) => {
      const data = storages.get(ref.key);
      if (!data) throw new Error(`${truncated ?? `${file}: storage '${ref.key}' is not in the file's storage list`}`);
      return data;
    },
  };
}

/**
 * Detects the torch format by content and reads it. Any error is reported with the file's name
 * (a RangeError from a field pointing outside the file is a corrupt file, said as such).
 */
export async function readTorch(
  bytes: Uint8Array,
  file: string,
  allowTruncated = false,
  limits: ReadLimits = {},
): Promise<TorchFile> {
  try {
    return await detectAndRead(bytes, file, allowTruncated, limits);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof Error && msg.includes(file)) throw e;
    throw new Error(`${file}: corrupt torch file (${msg})`);
  }
}

async function detectAndRead(
  bytes: Uint8Array,
  file: string,
  allowTruncated: boolean,
  limits: ReadLimits,
): Promise<TorchFile> {
  if (isZip(bytes)) return readTorchZip(bytes, file, allowTruncated, limits);
  if (isLegacyTorch(bytes)) return readTorchLegacy(bytes, file, allowTruncated);
  if (isTar(bytes)) {
    throw new Error(
      `${file}: this is the tar format of early PyTorch (0.1.x, 2017), which is not supported; load it with torch and re-save it: torch.save(torch.load(f), 'new.pth')`,
    );
  }
  throw new Error(
    `${file}: not a checkpoint (${bytes.length} bytes): neither a torch.save zip or legacy file nor safetensors`,
  );
}

function wrap(e: unknown, file: string): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (msg.includes(file)) return e as Error;
  return new Error(
    e instanceof ZipError
      ? `${msg.startsWith('truncated') ? 'truncated' : 'bad zip'}: ${file}: ${msg.replace(/^(truncated|bad zip): /, '')}`
      : `${file}: ${msg}`,
  );
}
