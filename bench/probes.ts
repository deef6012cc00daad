/**
 * The adapter's measured peaks, so every other figure can be read as a fraction of what this
 * GPU (or software driver) can do: an FMA-only kernel for arithmetic (workgroup 1024, 8
 * independent vec4 accumulators, no memory traffic) and a vec4 copy for memory bandwidth.
 * These are measuring instruments, not library kernels, so their WGSL lives here.
 */
import fmaProbe from './probes/fma_peak.wgsl';
import copyProbeSource from './probes/copy_peak.wgsl';
import { encodeDispatch, synchronize } from '../src/gpu/commands.js';
import { Tensor } from '../src/tensor.js';
import { median } from './timing.js';

async function timeDispatch(run: () => void, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await synchronize();
    const start = performance.now();
    run();
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** GFLOP/s of pure FMAs. */
export async function fmaPeak(runs = 5): Promise<number> {
  const groups = 64;
  const wg = 1024;
  const iters = 2048;
  const out = Tensor.empty([groups * wg * 4]);
  const kernel = { name: 'fma_peak', source: fmaProbe, bindings: ['write', 'uniform'] as const, constants: { WG: wg } };
  const params = new Uint32Array([iters, 0, 0, 0]).buffer;
  const seconds = await timeDispatch(() => encodeDispatch(kernel, [out.buffer], params, [groups]), runs);
  out.dispose();
  return (groups * wg * iters * 8 * 4 * 2) / seconds / 1e9;
}

/** A vec4 copy of `floats` floats (a multiple of 4) as a launch to time alongside other work; dispose() frees its buffers. */
export function copyProbe(floats: number): { run: () => void; dispose: () => void } {
  const src = Tensor.empty([floats]);
  const dst = Tensor.empty([floats]);
  const vec4s = floats / 4;
  const wg = 256;
  const x = Math.min(65535, Math.ceil(vec4s / wg));
  const y = Math.ceil(vec4s / wg / x);
  const kernel = {
    name: 'copy_peak',
    source: copyProbeSource,
    bindings: ['read', 'write', 'uniform'] as const,
    constants: { WG: wg },
  };
  const params = new Uint32Array([vec4s, 0, 0, 0]).buffer;
  return {
    run: () => encodeDispatch(kernel, [src.buffer, dst.buffer], params, [x, y]),
    dispose: () => {
      src.dispose();
      dst.dispose();
    },
  };
}

/** GB/s of a vec4 copy (bytes read + bytes written) of `floats` floats. */
export async function copyPeak(floats: number, runs = 5): Promise<number> {
  const probe = copyProbe(floats);
  const seconds = await timeDispatch(probe.run, runs);
  probe.dispose();
  return (2 * floats * 4) / seconds / 1e9;
}
