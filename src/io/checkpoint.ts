/**
 * Training checkpoints, as PyTorch's "saving and loading a general checkpoint" recipe:
 *
 *   await sg.save('ckpt.safetensors', { model, optimizer, scheduler, epoch, bestAcc });
 *   const ck = await sg.load('ckpt.safetensors');
 *   ck.restore({ model, optimizer, scheduler });   // and the random-number stream
 *   for (let epoch = ck.epoch + 1; ...)
 *
 * The file is safetensors: the model's tensors under `model.<key>`, each optimizer state tensor
 * under `optimizer.<param index>.<name>`, and JSON strings in `__metadata__` for the rest
 * (optimizer steps and hyper-parameters, scheduler state, epoch, RNG state, extra values).
 * Saving is atomic (see files.ts). Restoring resumes bit for bit: same weights, optimizer
 * moments, learning rate and random stream (dropout masks) as if training had never stopped.
 */
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { getRngState, setRngState } from '../ops/create.js';
import type { Tensor } from '../tensor.js';
import { readSource, writeAtomic } from './files.js';
import { isSafetensors, readSafetensors, encodeSafetensors } from './safetensors.js';
import { materializeTensor, type TensorRecord } from './records.js';
import { ByteBudget } from './limits.js';
import { checkMetadata, checkOptimizerState, checkSchedulerState, type OptimizerMeta } from './restore_checks.js';
import { toGpu, toRecords } from './upload.js';

/** The `format` metadata value that marks a training checkpoint. */
export const CHECKPOINT_FORMAT = 'shadergrad.checkpoint';

/** Anything with PyTorch's scheduler state API (StepLR, CosineAnnealingLR, ...). */
export interface SchedulerLike {
  stateDict(): object;
  loadStateDict(state: never): void;
}

/** What `save` writes (read back by `load`): a model, optimizer, scheduler, epoch and any extra JSON values. */
export interface CheckpointContents {
  /** A module, or a state dict (name -> tensor). */
  model?: Module | Map<string, Tensor>;
  optimizer?: Optimizer<{ lr: number }>;
  scheduler?: SchedulerLike;
  epoch?: number;
  /** Any other JSON-serialisable values (best accuracy, config, ...). */
  [extra: string]: unknown;
}

/**
 * Writes a training checkpoint (model, optimizer, scheduler, epoch, the random-number state
 * and any extra JSON values) as one safetensors file, atomically. As `torch.save({...}, path)`.
 */
export async function save(path: string, contents: CheckpointContents): Promise<void> {
  const { model, optimizer, scheduler, epoch, ...extra } = contents;
  const tensors = new Map<string, TensorRecord>();
  const state = model ? (model instanceof Map ? model : model.stateDict()) : new Map<string, Tensor>();
  for (const [key, r] of await toRecords(state)) tensors.set(`model.${key}`, r);
  let optimizerMeta: unknown = null;
  if (optimizer) {
    const sd = await optimizer.stateDict();
    const params = sd.state.map((s, i) => {
      if (!s) return null;
      for (const [name, data] of Object.entries(s.tensors))
        tensors.set(`optimizer.${i}.${name}`, { dtype: 'float32', shape: [data.length], data, sourceDtype: 'float32' });
      return { step: s.step, tensors: Object.keys(s.tensors) };
    });
    optimizerMeta = { type: optimizer.constructor.name, params, groups: sd.groups };
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: '1',
    epoch: JSON.stringify(epoch ?? null),
    rng: JSON.stringify(getRngState()),
    optimizer: JSON.stringify(optimizerMeta),
    scheduler: JSON.stringify(scheduler ? scheduler.stateDict() : null),
    extra: JSON.stringify(extra),
  };
  await writeAtomic(path, encodeSafetensors(tensors, metadata));
}

/** A loaded training checkpoint, on the CPU until `restore` copies it into live objects. */
export class Checkpoint {
  constructor(
    /** The model's tensors by state-dict key (CPU records). */
    readonly modelState: Map<string, TensorRecord>,
    /** The optimizer's class name and state dict, or null if none was saved. */
    readonly optimizerState: (OptimizerState & { type: string }) | null,
    /** The scheduler's state dict, or null if none was saved. */
    readonly schedulerState: object | null,
    /** The `epoch` given to `save`, or null. */
    readonly epoch: number | null,
    /** The tensor random-number generator's state when saved (seed, draws so far); `restore` sets it back unless `rng: false`. */
    readonly rngState: { seed: number; stream: number } | null,
    /** Every other value given to `save` (best accuracy, config, ...). */
    readonly extra: Record<string, unknown>,
    /** Where the checkpoint was read from (for error messages). */
    readonly file: string,
  ) {}

  /**
   * Loads the saved state into `model` (strict, all or nothing: checked before anything is
   * written), `optimizer` and `scheduler`, and restores the random-number stream (`rng: false`
   * to skip). Everything is checked before any of them changes.
   */
  restore(targets: {
    model?: Module;
    optimizer?: Optimizer<{ lr: number }>;
    scheduler?: SchedulerLike;
    rng?: boolean;
  }): void {
    const { model, optimizer, scheduler } = targets;
    // Everything that can be checked without changing anything is checked first; the model's
    // loadStateDict then checks its part before writing; what follows cannot fail.
    if (optimizer) {
      if (!this.optimizerState) throw new Error(`${this.file}: the checkpoint holds no optimizer state`);
      checkOptimizerState(this.file, this.optimizerState, optimizer);
    }
    if (scheduler && !this.schedulerState) throw new Error(`${this.file}: the checkpoint holds no scheduler state`);
    if (scheduler) checkSchedulerState(this.file, this.schedulerState!, scheduler.stateDict());
    if (model) {
      const loaded = toGpu(this.modelState);
      try {
        model.loadStateDict(loaded);
      } finally {
        for (const t of loaded.values()) t.dispose();
      }
    }
    optimizer?.loadStateDict(this.optimizerState!);
    scheduler?.loadStateDict(this.schedulerState as never);
    if (targets.rng !== false && this.rngState) setRngState(this.rngState);
  }
}

/** Reads a checkpoint written by `save` (everything checked on the CPU; no GPU work). */
export async function load(source: string | Uint8Array, options: { name?: string } = {}): Promise<Checkpoint> {
  const { bytes, file } = await readSource(source, options.name);
  if (!isSafetensors(bytes))
    throw new Error(
      `${file}: not a shadergrad checkpoint (expected a safetensors file written by sg.save; for torch.save files use sg.io.load or sg.io.readCheckpoint)`,
    );
  const st = readSafetensors(bytes, file);
  if (st.metadata.format !== CHECKPOINT_FORMAT)
    throw new Error(
      `${file}: a safetensors file, but not a shadergrad checkpoint (no format=${CHECKPOINT_FORMAT} metadata); use sg.io.load for plain weights`,
    );
  const json = (key: string) => {
    try {
      return JSON.parse(st.metadata[key] ?? 'null');
    } catch {
      throw new Error(`${file}: bad checkpoint metadata '${key}'`);
    }
  };
  const meta = Object.fromEntries(
    ['epoch', 'rng', 'optimizer', 'scheduler', 'extra'].map((key) => [key, json(key)]),
  ) as Record<string, unknown>;
  checkMetadata(file, meta);
  const budget = new ByteBudget(file, bytes.length);
  const records = new Map<string, TensorRecord>();
  for (const [name, lazy] of st.tensors)
    records.set(name, materializeTensor(lazy, st.storage(name), `${file}, tensor '${name}'`, { budget }));
  const modelState = new Map<string, TensorRecord>();
  for (const [name, r] of records) if (name.startsWith('model.')) modelState.set(name.slice('model.'.length), r);
  const opt = meta.optimizer as OptimizerMeta | null;
  let optimizerState: (OptimizerState & { type: string }) | null = null;
  if (opt) {
    const state = opt.params.map((p, i) => {
      if (!p) return null;
      const tensors: Record<string, Float32Array> = {};
      for (const name of p.tensors) {
        const r = records.get(`optimizer.${i}.${name}`);
        if (!r) throw new Error(`${file}: optimizer tensor optimizer.${i}.${name} is missing`);
        tensors[name] = r.data as Float32Array;
      }
      return { step: p.step, tensors };
    });
    optimizerState = { type: opt.type, state, groups: opt.groups };
  }
  return new Checkpoint(
    modelState,
    optimizerState,
    meta.scheduler as object | null,
    meta.epoch as number | null,
    meta.rng as { seed: number; stream: number } | null,
    (meta.extra as Record<string, unknown> | null) ?? {},
    file,
  );
}
