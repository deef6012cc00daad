/**
 * Device-side asserts, as CUDA's in PyTorch: a kernel that meets data it cannot handle (a class
 * index out of range that was computed on the GPU, so no check on the CPU could see it) records
 * it in a small buffer instead of writing NaN silently, and the next readback (or
 * `sg.synchronize()`) throws, naming the op and the bad value.
 *
 * The buffer holds 4 u32: [flag, bad value (i32 bits), site, bound]. A kernel sets it with
 *   if (atomicExchange(&asserts[0], site) == 0u) { atomicStore(&asserts[1], ...); ... }
 * so the first failure wins. `site` is the index of the op's name in `SITES` plus 1.
 */
import { STORAGE_USAGE } from './pool.js';

/** Ops that may raise a device-side assert; a kernel is told its site as a uniform. */
const SITES: string[] = [];

let device: GPUDevice | null = null;
let buffer: GPUBuffer | null = null;
/** Launches that bound the buffer since it was last read back (0: nothing to check). */
let armed = 0;

/** The number a kernel writes to name `op` in the assert buffer. */
export function assertSite(op: string): number {
  let i = SITES.indexOf(op);
  if (i < 0) i = SITES.push(op) - 1;
  return i + 1;
}

/** The assert buffer of `dev` (16 zero bytes at first), to bind as `array<atomic<u32>>`; arms the check. */
export function assertBuffer(dev: GPUDevice): GPUBuffer {
  if (device !== dev || !buffer) {
    device = dev;
    buffer = dev.createBuffer({ label: 'shadergrad asserts', size: 16, usage: STORAGE_USAGE });
    armed = 0;
  }
  armed++;
  return buffer;
}

/** The buffer to read back with the next readback, or null when no launch may have set it. */
export function armedAssertBuffer(dev: GPUDevice): { buffer: GPUBuffer; armed: number } | null {
  return device === dev && buffer && armed > 0 ? { buffer, armed } : null;
}

/**
 * Checks the 4 words read back from the assert buffer: throws the assert they hold (and clears
 * the buffer), or disarms it when no launch used it since it was copied (`armedThen`).
 */
export function checkAsserts(dev: GPUDevice, words: Uint32Array, armedThen: number): void {
  if (words[0] === 0) {
    if (armed === armedThen) armed = 0;
    return;
  }
  dev.queue.writeBuffer(buffer!, 0, new Uint32Array(4));
  const op = SITES[words[0] - 1] ?? 'a kernel';
  const value = words[1] | 0;
  throw new Error(`shadergrad: ${op}: Target ${value} is out of bounds (classes: ${words[3]}; a device-side assert).`);
}
