/**
 * Recording and submitting work. Every op appends a dispatch to one open compute pass of one
 * command encoder; nothing reaches the GPU until a readback, `flush()`, or a full batch submits
 * it. Within a compute pass each dispatch sees the writes of the ones before it.
 */
import { gpuDevice, throwIfDeviceFailed } from './device.js';
import { compiled, settleCompileChecks, type Kernel } from './pipelines.js';
import { acquireBuffer, recycleReleased, releaseBuffer, READBACK_USAGE, UNIFORM_USAGE } from './pool.js';

/** A binding: a whole buffer, or a byte range of one. */
export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

/** Submit automatically after this many dispatches, to bound the memory held by a batch. */
const MAX_DISPATCHES_PER_BATCH = 512;

/** The device the open batch belongs to; a batch left over from a shut-down device is dropped. */
let batchDevice: GPUDevice | null = null;
let encoder: GPUCommandEncoder | null = null;
let pass: GPUComputePassEncoder | null = null;
let dispatchesInBatch = 0;
/** Uniform buffers of the open batch, returned to the pool once it is submitted. */
let batchUniforms: GPUBuffer[] = [];

function openEncoder(): GPUCommandEncoder {
  const device = gpuDevice();
  if (batchDevice !== device) discardBatch();
  batchDevice = device;
  encoder ??= device.createCommandEncoder({ label: 'shadergrad batch' });
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
 * given, fills its uniform binding (which must be the last one).
 */
export function encodeDispatch(
  kernel: Kernel,
  buffers: BufferBinding[],
  params: ArrayBuffer | null,
  workgroups: readonly number[],
): void {
  const device = gpuDevice();
  if (batchDevice !== device) openEncoder();
  const { pipeline, layout } = compiled(kernel);
  const entries: GPUBindGroupEntry[] = buffers.map((b, binding) => ({
    binding,
    resource: 'buffer' in b ? b : { buffer: b },
  }));
  if (params) {
    const uniform = acquireBuffer(params.byteLength, UNIFORM_USAGE, 'params');
    device.queue.writeBuffer(uniform, 0, params);
    entries.push({ binding: entries.length, resource: { buffer: uniform, size: params.byteLength } });
    batchUniforms.push(uniform);
  }
  if (entries.length !== kernel.bindings.length) {
    throw new Error(
      `shadergrad: kernel ${kernel.name} takes ${kernel.bindings.length} bindings, got ${entries.length}`,
    );
  }
  const [x, y = 1, z = 1] = workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  if (x > limit || y > limit || z > limit) {
    throw new Error(
      `shadergrad: kernel ${kernel.name}: dispatch of ${x} x ${y} x ${z} workgroups exceeds the limit of ${limit} per dimension`,
    );
  }
  const p = openPass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, device.createBindGroup({ label: kernel.name, layout, entries }));
  p.dispatchWorkgroups(x, y, z);
  if (++dispatchesInBatch >= MAX_DISPATCHES_PER_BATCH) flush();
}

/** Records a buffer-to-buffer copy (ends the open compute pass). */
export function copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  // NOTE: WebGPU rejects a copy whose source and destination are the same buffer (a validation
  // error that would invalidate the whole batch). Onto the same bytes it is a no-op (`t.copy_(t)`,
  // `m.loadStateDict(m.stateDict())`); between two ranges of one buffer it is refused here.
  if (bytes === 0 || (src === dst && srcOffset === dstOffset)) return;
  if (src === dst)
    throw new Error(`copyBuffer: source and destination are ranges of the same buffer (${srcOffset}, ${dstOffset})`);
  closePass();
  openEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
}

/** Submits everything recorded so far. */
export function flush(): void {
  if (batchDevice !== gpuDevice()) discardBatch();
  closePass();
  if (encoder) {
    gpuDevice().queue.submit([encoder.finish()]);
    encoder = null;
  }
  dispatchesInBatch = 0;
  for (const u of batchUniforms.splice(0)) releaseBuffer(u);
  recycleReleased();
  throwIfDeviceFailed();
}

/** Drops recorded work without submitting it (used when the device goes away). */
export function discardBatch(): void {
  pass = null;
  encoder = null;
  dispatchesInBatch = 0;
  batchUniforms = [];
}

/** Reads `bytes` bytes from the start of `buffer`, after all recorded work. */
export async function readBuffer(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  const staging = acquireBuffer(Math.max(bytes, 4), READBACK_USAGE, 'readback');
  copyBuffer(buffer, offset, staging, 0, Math.ceil(bytes / 4) * 4);
  flush();
  try {
    await politeWait(staging.mapAsync(GPUMapMode.READ, 0, Math.max(bytes, 4)));
  } catch (e) {
    await settleCompileChecks();
    throwIfDeviceFailed();
    throw e;
  }
  await settleCompileChecks();
  const data = staging.getMappedRange(0, Math.max(bytes, 4)).slice(0, bytes);
  staging.unmap();
  releaseBuffer(staging);
  throwIfDeviceFailed();
  return data;
}

/** Resolves once the GPU has finished all submitted work. */
export async function synchronize(): Promise<void> {
  flush();
  await politeWait(gpuDevice().queue.onSubmittedWorkDone());
  await settleCompileChecks();
  throwIfDeviceFailed();
}

let waiters = 0;
let savedSetImmediate: typeof setImmediate | null = null;
let polite = true;

/** Whether waits poll politely (see `politeWait`). On by default; for benchmarking the effect. */
export function setPoliteWaiting(on: boolean): void {
  polite = on;
}

/**
 * Awaits a WebGPU promise. In Node, Dawn polls for completion from a `setImmediate` loop while
 * a promise is pending, which keeps one CPU core busy; on a software driver that core is one
 * the GPU work needed. While we wait, its ticks are spaced by 1 ms timers instead.
 */
export async function politeWait<T>(promise: Promise<T>): Promise<T> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode || !polite) return promise;
  if (waiters++ === 0) {
    savedSetImmediate = globalThis.setImmediate;
    globalThis.setImmediate = ((fn: (...a: unknown[]) => void, ...args: unknown[]) =>
      setTimeout(fn, 1, ...args)) as unknown as typeof setImmediate;
  }
  try {
    return await promise;
  } finally {
    if (--waiters === 0) globalThis.setImmediate = savedSetImmediate!;
  }
}

/** Workgroup counts for `n` invocations of size `workgroupSize`, folded into 2-D past 65535. */
export function gridFor(n: number, workgroupSize: number): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}
