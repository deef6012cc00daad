/**
 * Multi-tensor optimiser steps (PyTorch's `foreach` implementation): one launch updates several
 * parameters of a group instead of one launch per parameter. WebGPU has no arrays of buffers,
 * so each parameter of a launch takes its own bindings ("slots": SGD binds param, grad and
 * momentum buffer, 5 slots; Adam param, grad, m, v and vmax, 3 slots: 15 storage buffers each),
 * and a group of P parameters costs ceil(P / slots) launches. The slots are laid end to end over
 * the launch's workgroups, each padded to whole workgroups, so a workgroup finds its parameter
 * with a few comparisons and no division (shaders/optim/02_*_multi_tensor.wgsl).
 *
 * Used where the device allows 15 storage buffers per shader stage and every buffer fits one
 * binding; otherwise (browsers at WebGPU's default limit of 8, VGG's 392 MiB classifier weight)
 * the optimisers fall back to their one-parameter kernels, which give the same numbers.
 */
import { gridFor } from '../gpu/commands.js';
import { fitsBinding } from '../gpu/chunks.js';
import { gpuDevice } from '../gpu/device.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';

const WG = 256;
/** Storage buffers a multi-tensor launch binds: 5 SGD slots of 3, or 3 Adam slots of 5. */
const STORAGE_PER_LAUNCH = 15;

/**
 * Parameters of at most this many elements go into multi-tensor launches; larger ones keep
 * their own launch. On llvmpipe a kernel runs every `case` of its slot switch under a lane mask
 * (no real branch), so each element pays for all the slots: worth it where the launch, not the
 * elements, costs (biases, norms, small convolutions), a loss on large tensors (measured by
 * bench/optim_steps.ts).
 */
export const MULTI_TENSOR_MAX_ELEMENTS = 1 << 16;

let forced: boolean | null = null;
let maxElements = MULTI_TENSOR_MAX_ELEMENTS;

/**
 * Forces the multi-tensor path on or off (null: decide from the device) and sets the largest
 * parameter it takes; tests and bench/optim_steps.ts compare the paths.
 */
export function setMultiTensor(on: boolean | null, largest = MULTI_TENSOR_MAX_ELEMENTS): void {
  forced = on;
  maxElements = largest;
}

/** Whether this device can run the multi-tensor kernels. */
export function multiTensorAvailable(): boolean {
  return forced ?? gpuDevice().limits.maxStorageBuffersPerShaderStage >= STORAGE_PER_LAUNCH;
}

/** One parameter's update: its element count and its buffers in slot order (null: unused state). */
export interface SlotItem {
  n: number;
  /** Writable operands (the parameter, its state tensors); null where the state is not kept. */
  written: Array<GPUBuffer | null>;
  grad: GPUBuffer;
}

/** Whether `item` goes into a multi-tensor launch: small enough, non-empty, every buffer bound whole. */
export function multiTensorItem(item: SlotItem): boolean {
  if (item.n === 0 || item.n > maxElements) return false;
  return fitsBinding(item.grad) && item.written.every((b) => b === null || fitsBinding(b));
}

/**
 * Splits `items` into launches of at most `slots`, keeping apart parameters that share a
 * buffer (tied weights written twice in one launch would race; the one-parameter kernels
 * updated them one after the other).
 */
export function launchRuns<T extends SlotItem>(items: readonly T[], slots: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let written = new Set<GPUBuffer>();
  let read = new Set<GPUBuffer>();
  for (const item of items) {
    const mine = item.written.filter((b): b is GPUBuffer => b !== null);
    const clash = mine.some((b) => written.has(b) || read.has(b)) || written.has(item.grad);
    if (run.length === slots || clash) {
      runs.push(run);
      run = [];
      written = new Set();
      read = new Set();
    }
    run.push(item);
    mine.forEach((b) => written.add(b));
    read.add(item.grad);
  }
  if (run.length) runs.push(run);
  return runs;
}

/** Per slot: element count and first workgroup (`wg_start[slots]` = the launch's total). */
function layout(run: readonly SlotItem[], slots: number): { n: number[]; wgStart: number[]; total: number } {
  const n: number[] = [];
  const wgStart: number[] = [];
  let total = 0;
  for (let k = 0; k < slots; k++) {
    wgStart.push(total);
    n.push(run[k]?.n ?? 0);
    total += Math.ceil((run[k]?.n ?? 0) / WG);
  }
  wgStart.push(total);
  return { n, wgStart, total };
}

/**
 * The bindings of one launch, slot by slot: each slot's writable operands around its gradient,
 * with a one-element placeholder of its own for state that is not kept and for unused slots
 * (bindings may not share a buffer that one of them writes: gpu/validate.ts).
 */
function bindings(run: readonly SlotItem[], slots: number, written: number, gradAt: number): GPUBuffer[] {
  const placeholders: Tensor[] = [];
  const placeholder = () => {
    placeholders.push(Tensor.empty([1]));
    return placeholders[placeholders.length - 1].buffer;
  };
  const out: GPUBuffer[] = [];
  for (let k = 0; k < slots; k++) {
    const slot = (run[k]?.written ?? new Array<null>(written).fill(null)).map((b) => b ?? placeholder());
    slot.splice(gradAt, 0, run[k]?.grad ?? placeholder());
    out.push(...slot);
  }
  // Freed now, reused only by work recorded after this launch (the pool's rule).
  for (const t of placeholders) t.dispose();
  return out;
}

/** SGD's options as the kernel's uniform fields. */
export interface SgdUniforms {
  nesterov: number;
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
}

/** Records SGD updates of `items` ([param, momentum buffer] written; `first`: first step of each). */
export function sgdMultiTensor(items: ReadonlyArray<SlotItem & { first: boolean }>, uniforms: SgdUniforms): void {
  const SLOTS = 5;
  for (const run of launchRuns(items, SLOTS)) {
    const { n, wgStart, total } = layout(run, SLOTS);
    const first_step = run.map((it) => (it.first ? 1 : 0));
    dispatch(
      K.sgd_multi_tensor,
      { WG },
      { n, wg_start: wgStart, first_step, ...uniforms },
      bindings(run, SLOTS, 2, 1),
      gridFor(total * WG, WG),
    );
  }
}

/** Adam's options as the kernel's uniform fields. */
export interface AdamUniforms {
  amsgrad: number;
  decoupled: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
}

/** Records Adam updates of `items` ([param, m, v, vmax] written; `step`: each one's step count, after this step). */
export function adamMultiTensor(items: ReadonlyArray<SlotItem & { step: number }>, uniforms: AdamUniforms): void {
  const SLOTS = 3;
  for (const run of launchRuns(items, SLOTS)) {
    const { n, wgStart, total } = layout(run, SLOTS);
    // Bias corrections in float64 per parameter, as adam.ts passes them to adam_step.wgsl.
    const step_size = run.map((it) => uniforms.lr / (1 - uniforms.beta1 ** it.step));
    const bc2_sqrt = run.map((it) => Math.sqrt(1 - uniforms.beta2 ** it.step));
    dispatch(
      K.adam_multi_tensor,
      { WG },
      { n, wg_start: wgStart, step_size, bc2_sqrt, ...uniforms },
      bindings(run, SLOTS, 4, 1),
      gridFor(total * WG, WG),
    );
  }
}
