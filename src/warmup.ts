/**
 * `sg.warmup(model, inputShape)`: compiles every pipeline a forward pass of `model` on inputs
 * of that shape will launch, before the first real one, so that the first forward costs about
 * what later ones do. A dry run of the forward (no launch recorded, only the kernels it would
 * launch collected: gpu/launch_observer.ts) lists the specialisations; the missing ones are
 * compiled together with `createComputePipelineAsync` (gpu/pipelines.ts), which the
 * implementation may spread over its threads, while the launching thread stays free.
 */
import { launchCollector, setLaunchCollector } from './gpu/launch_observer.js';
import { cacheKey, compileAsync, isCompiled, type Kernel } from './gpu/pipelines.js';
import { noGrad } from './autograd.js';
import { tidy } from './memory.js';
import { getRngState, setRngState, zeros } from './ops/create.js';
import type { Module } from './nn/module.js';
import type { Tensor } from './tensor.js';

/** Options of `sg.warmup`. */
export interface WarmupOptions {
  /** Also the backward pass of a training step (gradients of the mean of the outputs); default false. */
  backward?: boolean;
}

/** What `sg.warmup` did. */
export interface WarmupResult {
  /** Distinct pipelines the forward (and backward) launches. */
  pipelines: number;
  /** Of those, how many were compiled now (the others were cached). */
  compiled: number;
  /** Wall-clock milliseconds. */
  ms: number;
}

/** The tensors of a forward's result (a tensor, or arrays and plain objects of them). */
function outputs(value: unknown): Tensor[] {
  if (value === null || typeof value !== 'object') return [];
  if ('storage' in value && 'shape' in value) return [value as Tensor];
  return Object.values(value).flatMap(outputs);
}

/** Runs `fn` as a dry run and returns the kernels it would launch, by cache key. */
function collect(fn: () => void): Map<string, Kernel> {
  if (launchCollector()) throw new Error('sg.warmup: a warm-up is already collecting launches');
  const kernels = new Map<string, Kernel>();
  const rng = getRngState();
  setLaunchCollector((k) => void kernels.set(cacheKey(k), k));
  try {
    tidy(fn);
  } finally {
    setLaunchCollector(null);
    setRngState(rng); // dropout's draws in the dry run do not count
  }
  return kernels;
}

/**
 * Compiles the pipelines of `model.forward` on a batch of shape `inputShape` (e.g. [8, 3, 224,
 * 224]) in the model's current mode, without running it: no tensor, statistic or gradient
 * changes. With `backward`, also those of the gradient of the mean of its outputs (parameters'
 * `.grad` are left as they were). No PyTorch equivalent (CUDA kernels come precompiled).
 */
export async function warmup(
  model: Module,
  inputShape: readonly number[],
  options: WarmupOptions = {},
): Promise<WarmupResult> {
  const start = performance.now();
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new Error(`sg.warmup: inputShape must be positive integers, got [${inputShape.join(', ')}]`);
  const params = model.parameters();
  const grads = params.map((p) => p.grad);
  const kernels = collect(() => {
    const x = zeros(inputShape);
    if (!options.backward) return void noGrad(() => model.forward(x));
    for (const p of params) p.grad = null;
    const outs = outputs(model.forward(x));
    outs.reduce((a, t) => a.add(t.mean()), zeros([])).backward();
    for (const [i, p] of params.entries()) {
      if (p.grad !== grads[i]) p.grad?.dispose();
      p.grad = grads[i];
    }
  });
  const fresh = [...kernels.values()].filter((k) => !isCompiled(k));
  await Promise.all(fresh.map(compileAsync));
  return { pipelines: kernels.size, compiled: fresh.length, ms: performance.now() - start };
}
