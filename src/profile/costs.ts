/**
 * What a launch does, from what it was given: FLOPs for the kernels that do arithmetic at scale
 * (the products and convolutions, by the formula of their uniforms and workgroup grid), and for
 * every launch the bytes of its storage bindings (each bound range counted once: a lower bound
 * on the traffic of a memory-bound kernel, which reads its inputs and writes its output once).
 * Kernel names of the table (src/kernels.ts) carry a version: `matmul_07_vec4_8x4_uniform_rows`
 * is family `matmul`, version `07`.
 */
import type { Launch } from '../gpu/launch_observer.js';
import { requestedBytes } from '../gpu/pool.js';

type Uniforms = Launch['uniforms'];
const u = (values: Uniforms, name: string): number => {
  const v = values[name];
  return typeof v === 'number' ? v : NaN;
};

/** A kernel name split into family and version: `conv2d_02_implicit_uniform_rows` -> ['conv2d', '02']. */
export function kernelVersion(name: string): { family: string; version: string } {
  const m = /^(.*?)_(\d\d)(?:_|$)/.exec(name);
  return m ? { family: m[1], version: m[2] } : { family: name, version: '' };
}

/**
 * Floating-point operations of one launch (a multiply-add counts 2), or 0 for kernels counted by
 * bytes. Products C[b] = A[b] B[b]: 2 m n k per batch entry (the grid's z). Convolution forward
 * and its dx (TRANSPOSED): 2 N groups rows reduce taps P, P the output pixels of the forward
 * convolution. The weight gradient: 2 N groups rows cg taps oh ow.
 */
export function launchFlops(launch: Launch): number {
  const { kernel, uniforms: p, grid } = launch;
  const { family } = kernelVersion(kernel.name);
  const c = kernel.constants ?? {};
  let flops = 0;
  if (family === 'matmul' && 'a_batch_stride' in p) flops = 2 * u(p, 'm') * u(p, 'n') * u(p, 'k') * (grid[2] ?? 1);
  else if (family === 'matmul') flops = 2 * u(p, 'm') * u(p, 'n') * u(p, 'k');
  else if (family === 'conv2d' && 'reduce' in p) {
    const pixels = c.TRANSPOSED ? u(p, 'src_h') * u(p, 'src_w') : u(p, 'out_h') * u(p, 'out_w');
    flops = 2 * (grid[2] ?? 1) * u(p, 'groups') * u(p, 'rows') * u(p, 'reduce') * (c.KH ?? 1) * (c.KW ?? 1) * pixels;
  } else if (family === 'conv2d_backward_weight') {
    const taps = u(p, 'kh') * u(p, 'kw');
    flops = 2 * u(p, 'n') * u(p, 'groups') * u(p, 'rows') * u(p, 'cg') * taps * u(p, 'oh') * u(p, 'ow');
  }
  return Number.isFinite(flops) ? flops : 0;
}

/** Bytes of the launch's storage bindings: ranges by their size, whole buffers by the bytes their tensor asked for. */
export function launchBytes(launch: Launch): number {
  let bytes = 0;
  for (const b of launch.buffers) bytes += 'buffer' in b ? b.size : requestedBytes(b);
  return bytes;
}
