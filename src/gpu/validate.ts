/**
 * Checks made before a command is recorded, so that a batch never holds a command the device
 * would refuse (WebGPU drops the whole batch for one invalid command, and the valid work before
 * it with it). What the device's validation checks for our commands, with the op's name:
 * bindings inside their buffers, storage offsets aligned, no writable binding overlapping another
 * binding of the same buffer, copies aligned, inside both buffers and not onto themselves.
 */
import type { BindingKind } from './pipelines.js';
import { throwIfLost } from './batch_errors.js';
import { checkDevice } from './pool.js';

/** A binding as `encodeDispatch` takes it: a whole buffer, or a byte range of one. */
type Binding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

interface Range {
  buffer: GPUBuffer;
  start: number;
  end: number;
  writable: boolean;
}

/** Throws (naming `op`) unless every binding is a valid, non-aliasing range of a live buffer. */
export function validateBindings(
  op: string,
  kinds: readonly BindingKind[],
  buffers: readonly Binding[],
  alignment: number,
): void {
  const ranges: Range[] = buffers.map((b, i) => {
    const whole = !('buffer' in b);
    const buffer = whole ? b : b.buffer;
    const start = whole ? 0 : b.offset;
    const size = whole ? buffer.size : b.size;
    if (!Number.isInteger(start) || !Number.isInteger(size) || start < 0 || size <= 0 || start + size > buffer.size)
      throw new Error(
        `shadergrad: ${op}: binding ${i} (bytes ${start} to ${start + size}) is outside its buffer of ${buffer.size} bytes`,
      );
    if (start % alignment !== 0)
      throw new Error(`shadergrad: ${op}: binding ${i} starts at byte ${start}, not a multiple of ${alignment}`);
    if (size % 4 !== 0) throw new Error(`shadergrad: ${op}: binding ${i} has ${size} bytes, not a multiple of 4`);
    checkDevice(buffer, op);
    if (kinds[i] !== 'write') throwIfLost(buffer, op);
    return { buffer, start, end: start + size, writable: kinds[i] === 'write' };
  });
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const [a, b] = [ranges[i], ranges[j]];
      if (a.buffer !== b.buffer || !(a.writable || b.writable)) continue;
      if (a.start < b.end && b.start < a.end)
        throw new Error(
          `shadergrad: ${op}: bindings ${i} and ${j} overlap in one buffer and one of them is written (an output may not alias an input)`,
        );
    }
  }
}

/** Throws unless the copy is aligned, inside both buffers and not between overlapping ranges of one buffer. */
export function validateCopy(
  src: GPUBuffer,
  srcOffset: number,
  dst: GPUBuffer,
  dstOffset: number,
  bytes: number,
): void {
  const where = `copy of ${bytes} bytes from byte ${srcOffset} to byte ${dstOffset}`;
  if ([srcOffset, dstOffset, bytes].some((v) => !Number.isInteger(v) || v < 0 || v % 4 !== 0))
    throw new Error(`shadergrad: ${where}: offsets and size must be non-negative multiples of 4`);
  if (srcOffset + bytes > src.size || dstOffset + bytes > dst.size)
    throw new Error(`shadergrad: ${where}: outside the source (${src.size} bytes) or destination (${dst.size} bytes)`);
  if (src === dst && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes)
    throw new Error(`shadergrad: ${where}: source and destination overlap in the same buffer`);
  checkDevice(src, 'copy');
  checkDevice(dst, 'copy');
  throwIfLost(src, 'copy');
}
