/**
 * The two ways the profiler times launches, each a launch observer (gpu/launch_observer.ts):
 *
 * - `timestamp`: on adapters with the `timestamp-query` feature, each launch runs in its own
 *   compute pass whose `timestampWrites` record the GPU clock at the pass's start and end; the
 *   query sets are resolved and read back once at the end. Work is batched as usual.
 * - `sync`: otherwise, the work runs as usual and each launch is then replayed alone, submitted
 *   and awaited (`flush` + `onSubmittedWorkDone`): its time is from submit to done, so it
 *   includes the submit's overhead (tens of microseconds). Waits poll without the 1 ms
 *   politeness of commands.ts meanwhile, so that the end is seen when it happens.
 */
import { flush, politeWait, synchronize, readBuffer, setPoliteWaiting } from '../gpu/commands.js';
import { gpuDevice } from '../gpu/device.js';
import { compiled } from '../gpu/pipelines.js';
import { acquireBuffer, releaseBuffer, UNIFORM_USAGE } from '../gpu/pool.js';
import type { Launch, LaunchObserver } from '../gpu/launch_observer.js';

/** A launch observer that also says how long each launch took, once `finish()` resolves. */
export interface LaunchTimer extends LaunchObserver {
  readonly mode: 'timestamp' | 'sync';
  /** Called with each launch, in order (the profiler describes it). */
  onLaunch: (launch: Launch) => void;
  /** Milliseconds per launch, in launch order; frees what the timer holds. */
  finish(): Promise<number[]>;
}

/** WebGPU's largest query set. */
const QUERIES_PER_SET = 4096;

/** Times each launch with a pair of GPU timestamps. */
export class TimestampTimer implements LaunchTimer {
  readonly mode = 'timestamp';
  onLaunch: (launch: Launch) => void = () => undefined;
  private sets: GPUQuerySet[] = [];
  private launches = 0;

  beginLaunch(launch: Launch): GPUComputePassTimestampWrites {
    this.onLaunch(launch);
    const slot = (this.launches++ * 2) % QUERIES_PER_SET;
    if (slot === 0) this.sets.push(gpuDevice().createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET }));
    return { querySet: this.sets.at(-1)!, beginningOfPassWriteIndex: slot, endOfPassWriteIndex: slot + 1 };
  }

  endLaunch(): void {}

  async finish(): Promise<number[]> {
    flush();
    const device = gpuDevice();
    const times: number[] = [];
    for (const [i, set] of this.sets.entries()) {
      const count = Math.min(QUERIES_PER_SET, this.launches * 2 - i * QUERIES_PER_SET);
      const resolved = device.createBuffer({
        size: count * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      const encoder = device.createCommandEncoder({ label: 'profiler timestamps' });
      encoder.resolveQuerySet(set, 0, count, resolved, 0);
      device.queue.submit([encoder.finish()]);
      const ticks = new BigUint64Array(await readBuffer(resolved, count * 8));
      for (let j = 0; j < count; j += 2) times.push(Number(ticks[j + 1] - ticks[j]) / 1e6);
      resolved.destroy();
      set.destroy();
    }
    this.sets = [];
    return times;
  }
}

/**
 * Times each launch by replaying it alone once the profiled work is done: the same pipeline,
 * uniform and grid on scratch buffers of the same sizes (the originals may hold other tensors by
 * then, and a replayed optimiser step must not move the weights), submitted by itself and
 * timed from submit to `onSubmittedWorkDone`. Kernels whose time depends on the values (few do)
 * are timed on whatever the scratch buffers hold.
 */
export class SyncTimer implements LaunchTimer {
  readonly mode = 'sync';
  onLaunch: (launch: Launch) => void = () => undefined;
  private launches: Launch[] = [];

  beginLaunch(launch: Launch): undefined {
    this.onLaunch(launch);
    this.launches.push(launch);
    return undefined;
  }

  endLaunch(): void {}

  async finish(): Promise<number[]> {
    await synchronize();
    const wasPolite = setPoliteWaiting(false);
    try {
      const times: number[] = [];
      for (const launch of this.launches) times.push(await replay(launch));
      return times;
    } finally {
      setPoliteWaiting(wasPolite);
      this.launches = [];
    }
  }
}

/** Milliseconds of one launch, submitted alone on scratch buffers. */
async function replay(launch: Launch): Promise<number> {
  const device = gpuDevice();
  const { pipeline, layout } = compiled(launch.kernel);
  const scratch = launch.buffers.map((b) => acquireBuffer(b.size));
  const uniform = launch.params ? acquireBuffer(launch.params.byteLength, UNIFORM_USAGE) : null;
  if (uniform) device.queue.writeBuffer(uniform, 0, launch.params!);
  const entries: GPUBindGroupEntry[] = scratch.map((buffer, binding) => ({ binding, resource: { buffer } }));
  if (uniform)
    entries.push({ binding: entries.length, resource: { buffer: uniform, size: launch.params!.byteLength } });
  const encoder = device.createCommandEncoder({ label: 'profiler replay' });
  const pass = encoder.beginComputePass({ label: launch.kernel.name });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ label: launch.kernel.name, layout, entries }));
  const [x, y = 1, z = 1] = launch.grid;
  pass.dispatchWorkgroups(x, y, z);
  pass.end();
  await politeWait(device.queue.onSubmittedWorkDone()); // the uniform's write has landed
  const start = performance.now();
  device.queue.submit([encoder.finish()]);
  await politeWait(device.queue.onSubmittedWorkDone());
  const ms = performance.now() - start;
  for (const b of [...scratch, ...(uniform ? [uniform] : [])]) releaseBuffer(b);
  flush(); // hands the scratch buffers back to the pool
  return ms;
}
