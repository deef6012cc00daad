/**
 * The adapter's measured peaks, so that every figure can be read as a fraction of what this GPU
 * (or software driver) can do: an FMA-only kernel for arithmetic (workgroups of 1024, 8
 * independent vec4 accumulators, no memory traffic) and a vec4 copy for memory bandwidth
 * (bytes read + bytes written). Each is timed by the median of a few synchronised runs after
 * one warm-up. The profiler measures them once per device; `bench/` prints them.
 */
import { dispatch } from '../gpu/kernel.js';
import { gridFor, synchronize } from '../gpu/commands.js';
import { gpuDevice } from '../gpu/device.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';

/** GFLOP/s of FMAs and GB/s of a large copy, as measured on this adapter. */
export interface Peaks {
  /** Arithmetic peak, GFLOP/s (a multiply-add counts 2). */
  gflops: number;
  /** Copy bandwidth, GB/s (bytes read + bytes written). */
  gbps: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median seconds of `runs` synchronised runs of `launch`, after one warm-up. */
async function timeLaunch(launch: () => void, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await synchronize();
    const start = performance.now();
    launch();
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** GFLOP/s of pure FMAs: 64 workgroups of 1024 invocations, `iters` rounds of 8 vec4 FMAs each. */
export async function fmaPeak(runs = 5, iters = 2048): Promise<number> {
  const [groups, wg] = [64, Math.min(1024, gpuDevice().limits.maxComputeInvocationsPerWorkgroup)];
  const out = Tensor.empty([groups * wg * 4]);
  const launch = () => dispatch(K.probe_fma_peak, { WG: wg }, { iters }, [out.buffer], [groups]);
  const seconds = await timeLaunch(launch, runs);
  out.dispose();
  return (groups * wg * iters * 8 * 4 * 2) / seconds / 1e9;
}

/** A vec4 copy of `floats` floats (a multiple of 4), as a launch to time alongside other work; dispose() frees its buffers. */
export function copyProbe(floats: number): { run: () => void; dispose: () => void } {
  const src = Tensor.empty([floats]);
  const dst = Tensor.empty([floats]);
  const vec4s = floats / 4;
  const wg = 256;
  return {
    run: () => dispatch(K.probe_copy_peak, { WG: wg }, { n: vec4s }, [src.buffer, dst.buffer], gridFor(vec4s, wg)),
    dispose: () => {
      src.dispose();
      dst.dispose();
    },
  };
}

/** GB/s of a vec4 copy (bytes read + bytes written) of `floats` floats. */
export async function copyPeak(floats = 1 << 24, runs = 5): Promise<number> {
  const probe = copyProbe(floats);
  const seconds = await timeLaunch(probe.run, runs);
  probe.dispose();
  return (2 * floats * 4) / seconds / 1e9;
}

let cached: { device: GPUDevice; peaks: Peaks } | null = null;

/** Both peaks, measured once per device (about a second on a software driver), as the profiler reports shares of them. */
export async function adapterPeaks(): Promise<Peaks> {
  const device = gpuDevice();
  if (cached?.device !== device)
    cached = { device, peaks: { gflops: await fmaPeak(3), gbps: await copyPeak(1 << 24, 3) } };
  return cached.peaks;
}
