/**
 * Tensors larger than one storage binding. A buffer may hold up to `maxBufferSize` bytes (4 GiB
 * on llvmpipe) but a shader may bind at most `maxStorageBufferBindingSize` of it (128 MiB), so a
 * VGG16 classifier weight (4096 x 25088 floats, 392 MiB) cannot be bound whole. Kernels whose
 * invocations each touch the same element of every operand (elementwise ops, optimiser updates,
 * fills) run in chunks instead: one dispatch per run of rows, each operand bound as the byte
 * range `{buffer, offset, size}` those rows occupy. Offsets are multiples of the device's
 * `minStorageBufferOffsetAlignment`. Tensors that fit are bound whole, exactly as before.
 * Products (ops/matmul.ts: blocks of rows of each operand), strided copies (ops/shape.ts) and
 * reductions (ops/reduce.ts) size their blocks with the same helpers.
 */
import { gpuDevice } from './device.js';
import type { BufferBinding } from './commands.js';

let testLimit: number | null = null;
/** The device's limits, read once per device (each read of `device.limits` costs ~0.5 us in Dawn's Node binding). */
let cached: { device: GPUDevice; binding: number; align: number } | null = null;

function limits(): { binding: number; align: number } {
  const device = gpuDevice();
  if (cached?.device !== device) {
    cached = {
      device,
      binding: device.limits.maxStorageBufferBindingSize,
      align: device.limits.minStorageBufferOffsetAlignment,
    };
  }
  return cached;
}

/**
 * Test only: pretend bindings are limited to `bytes` (null restores the device's limit), so
 * that chunking is exercised on small tensors. Only chunk sizes change; a buffer that has to be
 * bound whole is still checked against the real limit.
 */
export function setBindingLimitForTesting(bytes: number | null): void {
  testLimit = bytes;
}

/** The device's largest storage binding in bytes. */
export function deviceBindingLimit(): number {
  return limits().binding;
}

/** The largest byte range a chunk binds (the device limit, or the test limit when lower). */
export function bindingLimit(): number {
  const device = deviceBindingLimit();
  return testLimit === null ? device : Math.min(device, testLimit);
}

/** Byte alignment of binding offsets. */
export function offsetAlignment(): number {
  return limits().align;
}

/** Whether a buffer can be bound whole under the binding limit in force. */
export function fitsBinding(buffer: GPUBuffer): boolean {
  return buffer.size <= bindingLimit();
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The smallest row count whose multiples start every operand at an aligned byte offset, for
 * operands advancing `rowBytes[i]` bytes per row (0: not advancing).
 */
export function rowAlignment(rowBytes: readonly number[]): number {
  const align = offsetAlignment();
  let rows = 1;
  for (const b of rowBytes) {
    if (b === 0) continue;
    const need = align / gcd(align, b % align || align);
    rows = (rows * need) / gcd(rows, need);
  }
  return rows;
}

/**
 * Rows per chunk (at most `total`) so that every operand's range of `rowBytes * rows` bytes
 * fits a binding and every chunk starts aligned, or an error naming `op` when not even one
 * aligned step fits.
 */
export function rowsPerChunk(op: string, rowBytes: readonly number[], total: number): number {
  const widest = Math.max(...rowBytes);
  if (widest * total <= bindingLimit()) return total;
  const step = rowAlignment(rowBytes);
  const rows = Math.floor(bindingLimit() / widest / step) * step;
  if (rows < 1) {
    throw new Error(
      `${op}: rows of ${widest} bytes cannot be split into aligned ranges within the ${bindingLimit()}-byte storage binding limit`,
    );
  }
  return rows;
}

/** One operand of a chunked launch: its buffer and how many bytes it advances per row (0: bound whole). */
export interface ChunkOperand {
  buffer: GPUBuffer;
  rowBytes: number;
}

/**
 * Runs `launch` over `rows` rows in chunks whose bound ranges fit the binding limit. Each call
 * receives the first row, the row count and the bindings, in operand order. When every buffer
 * fits, there is one call over all rows with the whole buffers (the usual fast path). Operands
 * with `rowBytes` 0 (broadcast ones, small tables) are always bound whole.
 */
export function forEachChunk(
  op: string,
  rows: number,
  operands: readonly ChunkOperand[],
  launch: (start: number, count: number, bindings: BufferBinding[]) => void,
): void {
  if (operands.every((o) => fitsBinding(o.buffer))) {
    launch(
      0,
      rows,
      operands.map((o) => o.buffer),
    );
    return;
  }
  for (const o of operands) {
    if (o.rowBytes === 0 && o.buffer.size > deviceBindingLimit()) {
      throw new Error(
        `${op}: an operand of ${o.buffer.size} bytes is read whole (broadcast) and exceeds the ${deviceBindingLimit()}-byte storage binding limit`,
      );
    }
  }
  const per = rowsPerChunk(
    op,
    operands.map((o) => o.rowBytes),
    rows,
  );
  for (let start = 0; start < rows; start += per) {
    const count = Math.min(per, rows - start);
    launch(
      start,
      count,
      operands.map((o) => (o.rowBytes === 0 ? o.buffer : range(o.buffer, start * o.rowBytes, count * o.rowBytes))),
    );
  }
}

/** The byte range `[offset, offset + size)` of `buffer` as a binding (sizes rounded up to 4). */
export function range(buffer: GPUBuffer, offset: number, size: number): BufferBinding {
  return { buffer, offset, size: Math.max(4, Math.ceil(size / 4) * 4) };
}
