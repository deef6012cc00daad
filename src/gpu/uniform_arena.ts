/**
 * The uniforms of one batch, packed into one buffer. Each dispatch's `struct Params` bytes are
 * placed at the next offset that the adapter's `minUniformBufferOffsetAlignment` allows, in a
 * host-side copy; the whole copy goes to the GPU with one `queue.writeBuffer` just before the
 * batch is submitted (commands.ts), and each bind group binds its own range. One write per batch
 * instead of one per dispatch: on a browser's WebGPU (every call crosses to the GPU process) and
 * on software drivers each write is a staging copy of its own, which costs as much as a small
 * kernel (bench/dispatch_overhead.ts measures it).
 */
import { acquireBuffer, UNIFORM_USAGE } from './pool.js';

export class UniformArena {
  private readonly staging: Uint8Array<ArrayBuffer>;
  private used = 0;
  private buffer: GPUBuffer | null = null;

  /** `capacity` bytes per batch, offsets aligned to `align` bytes. */
  constructor(
    private readonly capacity: number,
    private readonly align: number,
  ) {
    this.staging = new Uint8Array(capacity);
  }

  /** The binding of `params` in this batch's buffer, or null when the batch has no room left (flush, then place again). */
  place(params: ArrayBuffer): GPUBufferBinding | null {
    const offset = Math.ceil(this.used / this.align) * this.align;
    if (offset + params.byteLength > this.capacity) return null;
    this.buffer ??= acquireBuffer(this.capacity, UNIFORM_USAGE, 'params');
    this.staging.set(new Uint8Array(params), offset);
    this.used = offset + params.byteLength;
    return { buffer: this.buffer, offset, size: params.byteLength };
  }

  /** Writes what was placed (call before submitting the batch); returns the buffer, to release once submitted. */
  upload(queue: GPUQueue): GPUBuffer | null {
    const buffer = this.buffer;
    if (buffer) queue.writeBuffer(buffer, 0, this.staging, 0, Math.ceil(this.used / 4) * 4);
    this.discard();
    return buffer;
  }

  /** Forgets what was placed (the batch was dropped). */
  discard(): void {
    this.buffer = null;
    this.used = 0;
  }
}
