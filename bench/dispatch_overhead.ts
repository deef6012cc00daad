/**
 * What one compute dispatch costs on this adapter when the work is nothing: N launches of the
 * copy probe (shaders/probe_copy_peak.wgsl) over 64 vec4s, one workgroup each, timed from the
 * first call to the GPU being done, in microseconds per dispatch. Browser-safe: the benchmark
 * page runs it (web/bench/suite.ts) and Node runs it (bench/dispatch_node.ts), so the two paths
 * to the same driver compare dispatch by dispatch:
 *   - shadergrad: N `dispatch` calls through the library (a uniform written by queue.writeBuffer,
 *     a bind group and a dispatch each; a submit every 512), then `synchronize`;
 *   - raw, one bind group: one pass, setBindGroup once, N dispatchWorkgroups, one submit;
 *   - raw, a bind group each: as above with createBindGroup before every dispatch;
 *   - raw, a writeBuffer + bind group each: what the library records, without its bookkeeping;
 *   - raw, a submit each: N / 10 dispatches, each in its own command buffer and submit.
 * Shapes are tiny, so these are the fixed costs a small network's training step pays per kernel.
 */
import { K } from '../src/kernels.js';
import { dispatch } from '../src/gpu/kernel.js';
import { synchronize } from '../src/gpu/commands.js';
import { gpuDevice } from '../src/gpu/device.js';
import { compiled, type Kernel } from '../src/gpu/pipelines.js';
import { acquireBuffer, releaseBuffer, UNIFORM_USAGE } from '../src/gpu/pool.js';
import { median } from './timing.js';

/** One variant's cost. */
export interface DispatchCost {
  name: string;
  /** Microseconds per dispatch (median over the timed repetitions). */
  us: number;
}

const VEC4S = 64;
const probe: Kernel = {
  name: 'probe_copy_peak',
  label: 'probe_copy_peak',
  source: K.probe_copy_peak.source,
  bindings: K.probe_copy_peak.bindings,
  entryPoint: 'main',
  constants: { WG: VEC4S },
  aliases: {},
};

/** Microseconds per dispatch of `record(n)` + waiting for the GPU, median of `reps` after a warm-up. */
async function perDispatch(n: number, reps: number, record: (n: number) => void): Promise<number> {
  const device = gpuDevice();
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    await synchronize();
    const start = performance.now();
    record(n);
    await synchronize();
    await device.queue.onSubmittedWorkDone();
    if (i > 0) times.push(((performance.now() - start) * 1000) / n);
  }
  return median(times);
}

/** The variants above, `n` dispatches each (default 1,000), `reps` timed repetitions. */
export async function dispatchOverhead(n = 1000, reps = 3): Promise<DispatchCost[]> {
  const device = gpuDevice();
  const { pipeline, layout } = compiled(probe);
  const src = acquireBuffer(VEC4S * 16);
  const dst = acquireBuffer(VEC4S * 16);
  const params = new Uint32Array([VEC4S, 0, 0, 0]);
  const shared = acquireBuffer(16, UNIFORM_USAGE, 'params');
  device.queue.writeBuffer(shared, 0, params);
  const entries = (uniform: GPUBuffer): GPUBindGroupEntry[] => [
    { binding: 0, resource: { buffer: src } },
    { binding: 1, resource: { buffer: dst } },
    { binding: 2, resource: { buffer: uniform } },
  ];
  /** One pass of `n` dispatches; `each` prepares the bind group of dispatch i (null: keep the first). */
  const rawPass = (n: number, each: (i: number) => GPUBindGroup | null) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    for (let i = 0; i < n; i++) {
      const group = each(i);
      if (group) pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
  };
  const one = device.createBindGroup({ layout, entries: entries(shared) });
  const uniforms = Array.from({ length: n }, () => acquireBuffer(16, UNIFORM_USAGE, 'params'));
  const results: DispatchCost[] = [];
  const time = async (name: string, record: (n: number) => void, count = n) =>
    results.push({ name, us: await perDispatch(count, reps, record) });
  try {
    await time('shadergrad dispatch (uniform + bind group each)', (k) => {
      for (let i = 0; i < k; i++) dispatch(K.probe_copy_peak, { WG: VEC4S }, { n: VEC4S }, [src, dst], [1]);
    });
    await time('raw WebGPU, one bind group', (k) => rawPass(k, (i) => (i === 0 ? one : null)));
    await time('raw WebGPU, a bind group each', (k) =>
      rawPass(k, () => device.createBindGroup({ layout, entries: entries(shared) })),
    );
    await time('raw WebGPU, writeBuffer + bind group each', (k) =>
      rawPass(k, (i) => {
        device.queue.writeBuffer(uniforms[i], 0, params);
        return device.createBindGroup({ layout, entries: entries(uniforms[i]) });
      }),
    );
    await time(
      'raw WebGPU, a submit each',
      (k) => {
        for (let i = 0; i < k; i++) rawPass(1, () => one);
      },
      Math.max(1, Math.round(n / 10)),
    );
  } finally {
    for (const b of [src, dst, shared, ...uniforms]) releaseBuffer(b);
  }
  return results;
}
