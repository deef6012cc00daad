/**
 * Recording and submitting work. Every op appends a dispatch to one open compute pass of one
 * command encoder; nothing reaches the GPU until a readback, `flush()`, or a full batch submits
 * it. Within a compute pass each dispatch sees the writes of the ones before it.
 */
import { gpuDevice, isInitialised, throwIfDeviceFailed } from './device.js';
import { compiled, settleCompileChecks, type Kernel } from './pipelines.js';
import { refuseRunaway, trackSubmit, waitForRoom } from './inflight.js';
import { politeWait } from './wait.js';
import { acquireBuffer, checkDevice, recycleReleased, releaseBuffer, READBACK_USAGE } from './pool.js';
import { launchCollector, launchObserver, type BufferBinding } from './launch_observer.js';
import { validateBindings, validateCopy } from './validate.js';
import {
  beginBatch,
  currentBatch,
  endBatch,
  noteWrites,
  settleBatchChecks,
  throwIfBatchFailed,
  throwIfLost,
} from './batch_errors.js';
import { ASSERT_BYTES, checkAsserts, noteDependencies, pendingAsserts, throwUnreported } from './asserts.js';
import { UniformArena } from './uniform_arena.js';

export { politeWait, setPoliteWaiting } from './wait.js';

export type { BufferBinding } from './launch_observer.js';

/** Submit automatically after this many dispatches, to bound the memory held by a batch. */
const MAX_DISPATCHES_PER_BATCH = 512;

/** The device the open batch belongs to; a batch left over from a shut-down device is dropped. */
let batchDevice: GPUDevice | null = null;
let encoder: GPUCommandEncoder | null = null;
let pass: GPUComputePassEncoder | null = null;
let dispatchesInBatch = 0;
/** Uniform buffers of the open batch, returned to the pool once it is submitted. */
let batchUniforms: GPUBuffer[] = [];
/** The open batch's uniforms, packed into one buffer written once at submit (uniform_arena.ts). */
let arena: { device: GPUDevice; uniforms: UniformArena } | null = null;

function uniformArena(device: GPUDevice): UniformArena {
  if (arena?.device !== device) {
    const align = device.limits.minUniformBufferOffsetAlignment;
    arena = { device, uniforms: new UniformArena(MAX_DISPATCHES_PER_BATCH * align, align) };
  }
  return arena.uniforms;
}

function openEncoder(): GPUCommandEncoder {
  const device = gpuDevice();
  if (batchDevice !== device) discardBatch();
  batchDevice = device;
  if (!encoder) {
    beginBatch(device);
    encoder = device.createCommandEncoder({ label: 'shadergrad batch' });
  }
  return encoder;
}

function openPass(): GPUComputePassEncoder {
  pass ??= openEncoder().beginComputePass({ label: 'shadergrad ops' });
  return pass;
}

function closePass(): void {
  pass?.end();
  pass = null;
}

/**
 * Records one dispatch. `buffers` fill the kernel's storage bindings in order; `params`, if
 * given, fills its uniform binding (which must be the last one); `uniforms` are its fields by
 * name, for a launch observer (the profiler).
 */
export function encodeDispatch(
  kernel: Kernel,
  buffers: BufferBinding[],
  params: ArrayBuffer | null,
  workgroups: readonly number[],
  uniforms: Readonly<Record<string, number | readonly number[]>> = {},
): void {
  const device = gpuDevice();
  if (batchDevice !== device) openEncoder();
  const bindings = buffers.length + (params ? 1 : 0);
  if (bindings !== kernel.bindings.length)
    throw new Error(`shadergrad: kernel ${kernel.name} takes ${kernel.bindings.length} bindings, got ${bindings}`);
  validateBindings(
    kernel.label ?? kernel.name,
    kernel.bindings,
    buffers,
    device.limits.minStorageBufferOffsetAlignment,
  );
  const [x, y = 1, z = 1] = workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  if (![x, y, z].every((v) => Number.isInteger(v) && v > 0 && v <= limit)) {
    throw new Error(
      `shadergrad: kernel ${kernel.name}: a dispatch of ${x} x ${y} x ${z} workgroups is not within 1 to ${limit} per dimension`,
    );
  }
  const collect = launchCollector();
  if (collect) return collect(kernel); // a dry run (warm-up): nothing is recorded
  const { pipeline, layout } = compiled(kernel);
  const entries: GPUBindGroupEntry[] = buffers.map((b, binding) => ({
    binding,
    resource: 'buffer' in b ? b : { buffer: b },
  }));
  if (params) {
    let resource = uniformArena(device).place(params);
    if (!resource) {
      flush(); // this batch's uniforms are full: the dispatch starts the next batch
      resource = uniformArena(device).place(params)!;
    }
    entries.push({ binding: entries.length, resource });
  }
  const bound = buffers.map((b) => ('buffer' in b ? b.buffer : b));
  const written = bound.filter((_, i) => kernel.bindings[i] === 'write');
  const observer = launchObserver();
  if (observer) {
    // A pass of its own, so that its timestamps bracket this launch alone.
    const timestampWrites = observer.beginLaunch({ kernel, uniforms, params, buffers, grid: [x, y, z] });
    closePass();
    pass = openEncoder().beginComputePass({ label: kernel.name, timestampWrites });
  }
  const p = openPass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, device.createBindGroup({ label: kernel.name, layout, entries }));
  p.dispatchWorkgroups(x, y, z);
  noteWrites(kernel.label ?? kernel.name, written);
  noteDependencies(bound, written);
  if (observer) {
    closePass();
    observer.endLaunch();
  }
  if (++dispatchesInBatch >= MAX_DISPATCHES_PER_BATCH) flush();
}

/** Records a buffer-to-buffer copy (ends the open compute pass). A copy onto itself is a no-op. */
export function copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  if (bytes === 0 || (src === dst && srcOffset === dstOffset)) return;
  validateCopy(src, srcOffset, dst, dstOffset, bytes);
  closePass();
  openEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  noteWrites('copy', [dst]);
  noteDependencies([src], [dst]);
}

/** Submits everything recorded so far. */
export function flush(): void {
  if (batchDevice !== gpuDevice()) discardBatch();
  closePass();
  if (encoder) {
    const device = gpuDevice();
    const uniforms = uniformArena(device).upload(device.queue);
    if (uniforms) batchUniforms.push(uniforms);
    device.queue.submit([encoder.finish()]);
    encoder = null;
    endBatch(device);
    trackSubmit(device);
  }
  dispatchesInBatch = 0;
  for (const u of batchUniforms.splice(0)) releaseBuffer(u);
  recycleReleased();
  throwIfDeviceFailed();
  refuseRunaway();
}

/** Drops recorded work without submitting it (used when the device goes away). */
export function discardBatch(): void {
  pass = null;
  encoder = null;
  dispatchesInBatch = 0;
  batchUniforms = [];
  arena?.uniforms.discard();
}

/**
 * Reads `bytes` bytes of `buffer` from `offset`, after all recorded work. Throws instead if the
 * device refused the batch that wrote them (or this readback's), or if `buffer` depends on a
 * launch that raised a device-side assert (src/gpu/asserts.ts).
 */
export async function readBuffer(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  checkDevice(buffer, 'readback');
  throwIfLost(buffer, 'readback');
  const device = gpuDevice();
  const aligned = Math.ceil(bytes / 4) * 4;
  const asserts = pendingAsserts(device);
  const total = Math.max(aligned + (asserts ? ASSERT_BYTES : 0), 4);
  const staging = acquireBuffer(total, READBACK_USAGE, 'readback');
  copyBuffer(buffer, offset, staging, 0, aligned);
  if (asserts) copyBuffer(asserts.buffer, 0, staging, aligned, ASSERT_BYTES);
  const batch = currentBatch();
  try {
    flush();
    await politeWait(staging.mapAsync(GPUMapMode.READ, 0, total));
  } catch (e) {
    releaseBuffer(staging);
    await settleCompileChecks();
    await settleBatchChecks();
    throwIfDeviceFailed();
    throw e;
  }
  await settleCompileChecks();
  await settleBatchChecks();
  const mapped = staging.getMappedRange(0, total);
  const data = mapped.slice(0, bytes);
  const words = asserts ? new Uint32Array(mapped.slice(aligned, aligned + ASSERT_BYTES)) : null;
  staging.unmap();
  releaseBuffer(staging);
  throwIfDeviceFailed();
  throwIfBatchFailed(batch, 'readback');
  throwIfLost(buffer, 'readback');
  checkAsserts(device, words, asserts?.upTo ?? 0, buffer);
  return data;
}

/**
 * Submits what was recorded and resolves once at most a few submitted batches (2 by default)
 * are unfinished on the GPU: call it once per step in a loop that never reads a value back, so
 * that recording cannot outrun the GPU (a DataLoader does it for you). See `src/gpu/inflight.ts`.
 */
export async function throttle(): Promise<void> {
  if (!isInitialised()) return;
  flush();
  await waitForRoom();
  throwIfDeviceFailed();
}

/**
 * Resolves once the GPU has finished all submitted work; throws a device-side assert that no
 * readback has thrown yet (once).
 */
export async function synchronize(): Promise<void> {
  flush();
  const device = gpuDevice();
  await politeWait(device.queue.onSubmittedWorkDone());
  await settleCompileChecks();
  await settleBatchChecks();
  throwIfDeviceFailed();
  const asserts = pendingAsserts(device);
  if (asserts) await readBuffer(asserts.buffer, 0);
  throwUnreported(device);
}

/** Workgroup counts for `n` invocations of size `workgroupSize`, folded into 2-D past 65535. */
export function gridFor(n: number, workgroupSize: number): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}
