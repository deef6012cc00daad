/**
 * `sg.io`: PyTorch checkpoints (zip and legacy `torch.save` files) and safetensors; training
 * checkpoints with optimizer state are `saveCheckpoint` / `loadCheckpoint` (checkpoint.ts, also
 * `sg.save` / `sg.load`). Formats are detected by content, never by extension. Reading never
 * executes code from the file (see pickle.ts), and is all or nothing: everything is parsed and
 * checked on the CPU before the first GPU tensor is made.
 *
 *   const weights = await sg.io.load('resnet20.th', { stripPrefix: 'module.' });
 *   model.loadStateDict(weights);
 *   await sg.io.save('model.safetensors', model.stateDict());
 */
import type { Tensor } from '../tensor.js';
import { readSource, writeAtomic, type ReadProgress } from './files.js';
import { toGpu, toRecords } from './upload.js';
import { isSafetensors, readSafetensors, encodeSafetensors } from './safetensors.js';
import { readTorch } from './torch.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';
import { LazyTensor, isLazy, type StorageRef, type TensorRecord } from './records.js';
import { ByteBudget, maxWalkNodes, type ReadLimits } from './limits.js';
import { RecordCache, materialize, walkTensors } from './walk.js';
import { checkOptions } from '../args.js';

export type { TensorRecord, SourceDType } from './records.js';
export type { ReadProgress } from './files.js';
export type { ReadLimits } from './limits.js';
/** Training checkpoints, also exported at the top level as `sg.save` / `sg.load`. */
export { save as saveCheckpoint, load as loadCheckpoint, Checkpoint, type CheckpointContents } from './checkpoint.js';

interface Parsed {
  file: string;
  format: 'zip' | 'legacy' | 'safetensors';
  /** The object tree with LazyTensors. */
  root: unknown;
  storage(ref: StorageRef, path: string): Uint8Array;
  metadata?: Record<string, string>;
  truncated?: string;
  /** The file's size in bytes (the limits scale with it). */
  size: number;
}

/** Reads and parses any supported file (no tensor data is decoded yet). */
async function parseFile(
  source: string | Uint8Array,
  options: { name?: string; allowTruncated?: boolean; onProgress?: ReadProgress } & ReadLimits = {},
): Promise<Parsed> {
  const { bytes, file } = await readSource(source, options.name, options.onProgress);
  if (isSafetensors(bytes)) {
    const st = readSafetensors(bytes, file);
    return {
      file,
      format: 'safetensors',
      root: st.tensors,
      storage: (ref) => st.storage(ref.key),
      metadata: st.metadata,
      size: bytes.length,
    };
  }
  const t = await readTorch(bytes, file, options.allowTruncated ?? false, { maxTensorBytes: options.maxTensorBytes });
  return { file, format: t.format, root: t.root, storage: t.storage, truncated: t.truncated, size: bytes.length };
}

/** The keys that wrap a model's state_dict in training checkpoints. */
const WRAPPERS = ['state_dict', 'model_state_dict', 'model'];

/**
 * Unwraps `{state_dict: ...}`-style wrappers, as transfer-learning code does by hand, and the
 * `model.` tensors of a training checkpoint written by `sg.save`.
 */
function unwrap(root: unknown, metadata?: Record<string, string>): unknown {
  if (metadata?.format === CHECKPOINT_FORMAT && root instanceof Map) {
    return new Map(
      [...root].filter(([k]) => String(k).startsWith('model.')).map(([k, v]) => [String(k).slice('model.'.length), v]),
    );
  }
  while (root instanceof Map) {
    const key = WRAPPERS.find((k) => root instanceof Map && root.get(k) instanceof Map);
    if (!key) break;
    root = root.get(key);
  }
  return root;
}

/**
 * Loads a state dict: `.pth`/`.pt`/`.th` (zip or legacy `torch.save`) or `.safetensors`, detected
 * by content. A dict holding `state_dict`, `model_state_dict` or `model` is unwrapped (and a
 * training checkpoint from `sg.save` gives its model's tensors); nested
 * dicts become dotted keys; non-tensor entries are skipped. floating dtypes become float32,
 * integer and bool dtypes int32 (int64 values outside int32 are an error naming the key).
 * `stripPrefix: 'module.'` removes nn.DataParallel's prefix. As `torch.load(f)` + unwrapping.
 *
 * All or nothing: the file is parsed and every tensor decoded and checked on the CPU first; the
 * GPU tensors are made at the end (and disposed again if making one fails). Errors name the
 * file (or `name`, or "<bytes>") and the problem.
 *
 * Large files: the file is read by ranges (`onProgress(bytesRead, fileSize)` after each 64 MiB)
 * into one buffer, and float32/int32 tensors stored contiguously and aligned are uploaded from
 * views of it, not copies, so host memory peaks near the file's size (files up to 4 GiB).
 * Keys that share one storage view (tied weights) get the same GPU tensor.
 *
 * Untrusted files: time and memory stay proportional to the file (see limits.ts); decoded
 * tensors may take at most `maxTensorBytes` (default 4 x the file's size + 16 MiB), which only
 * files repeating data through expanded (stride-0) views reach.
 */
export async function load(
  source: string | Uint8Array,
  options: { stripPrefix?: string; name?: string; onProgress?: ReadProgress } & ReadLimits = {},
): Promise<Map<string, Tensor>> {
  checkOptions('io.load', options, {
    stripPrefix: 'string',
    name: 'string',
    onProgress: 'function',
    maxTensorBytes: 'number',
  });
  const parsed = await parseFile(source, options);
  const cache = new RecordCache(parsed.storage, parsed.file, new ByteBudget(parsed.file, parsed.size, options), true);
  const records = new Map<string, TensorRecord>();
  const tree = unwrap(parsed.root, parsed.metadata);
  for (const [path, lazy] of walkTensors(tree, isLazy, parsed.file, maxWalkNodes(parsed.size))) {
    const key =
      options.stripPrefix && path.startsWith(options.stripPrefix) ? path.slice(options.stripPrefix.length) : path;
    if (records.has(key))
      throw new Error(`${parsed.file}: two tensors are named '${key}' after stripping '${options.stripPrefix}'`);
    records.set(key, cache.get(lazy, path));
  }
  return toGpu(records);
}

/**
 * The whole object tree of a checkpoint on the CPU, for content that is not a plain state dict
 * (a training checkpoint with optimizer state, epoch and loss): dicts become Maps, lists arrays,
 * tensors `TensorRecord`s `{dtype, shape, data, sourceDtype}`. A safetensors file gives a Map of
 * records (its `__metadata__` is under the key `__metadata__` when present). Containers and
 * tensors the file shares by reference stay shared, as `torch.load` gives them; `maxTensorBytes`
 * as for `load`.
 */
export async function readCheckpoint(
  source: string | Uint8Array,
  options: { name?: string } & ReadLimits = {},
): Promise<unknown> {
  checkOptions('io.readCheckpoint', options, { name: 'string', maxTensorBytes: 'number' });
  const parsed = await parseFile(source, options);
  const budget = new ByteBudget(parsed.file, parsed.size, options);
  const tree = materialize(parsed.root, new RecordCache(parsed.storage, parsed.file, budget), parsed.file);
  if (parsed.metadata && Object.keys(parsed.metadata).length)
    (tree as Map<string, unknown>).set('__metadata__', new Map(Object.entries(parsed.metadata)));
  return tree;
}

/**
 * Saves a state dict as safetensors (F32 and I32), atomically: the bytes go to a temporary file
 * that is fsynced and renamed over `path`. `metadata` lands in `__metadata__` (strings only).
 * As `safetensors.torch.save_file(state_dict, path, metadata)`.
 */
export async function save(
  path: string,
  stateDict: Map<string, Tensor> | Record<string, Tensor>,
  options: { metadata?: Record<string, string> } = {},
): Promise<void> {
  checkOptions('io.save', options, { metadata: 'object' });
  await writeAtomic(path, await toSafetensors(stateDict, options));
}

/**
 * The bytes `save` writes, for where there is no file system (a browser's download): a state
 * dict as safetensors (F32 and I32) with string `metadata`. As `safetensors.torch.save(state_dict, metadata)`.
 */
export async function toSafetensors(
  stateDict: Map<string, Tensor> | Record<string, Tensor>,
  options: { metadata?: Record<string, string> } = {},
): Promise<Uint8Array> {
  return encodeSafetensors(await toRecords(stateDict), options.metadata);
}

/** One tensor of a weight file as `inspect` lists it: dotted name, stored dtype and shape. */
export interface InspectEntry {
  name: string;
  /** The dtype stored in the file (float16, int64, ...). */
  dtype: string;
  shape: number[];
}

/** The tensors of a file, plus its format and, for a cut-off file, what is missing. */
export type InspectResult = InspectEntry[] & { format: string; truncated?: string };

/**
 * Lists every tensor (dotted name, stored dtype, shape) without decoding data or touching the
 * GPU. A zip whose central directory is gone but whose data.pkl is complete is still listed,
 * with `truncated` saying so.
 */
export async function inspect(source: string | Uint8Array, options: { name?: string } = {}): Promise<InspectResult> {
  checkOptions('io.inspect', options, { name: 'string' });
  const parsed = await parseFile(source, { ...options, allowTruncated: true });
  const found = [...walkTensors(parsed.root, isLazy, parsed.file, maxWalkNodes(parsed.size))];
  const list = found.map(([name, t]: [string, LazyTensor]) => ({ name, dtype: t.storage.dtype, shape: [...t.shape] }));
  let truncated = parsed.truncated;
  if (truncated) {
    const present = found.filter(([path, t]) => {
      try {
        return parsed.storage(t.storage, path).length > 0 || t.storage.numel === 0;
      } catch {
        return false;
      }
    }).length;
    truncated += `; the tensor list is complete but the data is truncated: only ${present} of ${found.length} tensors have their data`;
  }
  return Object.assign(list, { format: parsed.format, truncated });
}
