/**
 * TensorFlow.js's WebGPU backend as a peer, on the same Dawn adapter (in a browser, `useTfjs`
 * hands over the page's own TensorFlow.js): `navigator.gpu` comes
 * from the same `webgpu` package shadergrad uses. Loaded lazily; if it cannot run, the
 * benchmark prints why instead of a figure.
 */
import { median } from './timing.js';
import { politeWait } from '../src/gpu/commands.js';

type Tf = typeof import('@tensorflow/tfjs-core');
let tf: Tf | null = null;
let failure: string | null = null;

export async function loadTfjs(): Promise<Tf | null> {
  if (tf || failure) return tf;
  try {
    const { create, globals } = await import('webgpu');
    for (const [name, value] of Object.entries(globals))
      if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
    const nav = ((globalThis as { navigator?: object }).navigator ?? {}) as { gpu?: GPU };
    if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: create([]), configurable: true });
    if (!(globalThis as { navigator?: object }).navigator)
      Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    // The union package: tfjs-core's own Node bundle leaves out the gradients that the
    // training-step benchmark needs. The WebGPU backend registers itself with the same core.
    const core = (await import('@tensorflow/tfjs')) as unknown as Tf;
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await core.setBackend('webgpu'))) throw new Error('setBackend("webgpu") returned false');
    await core.ready();
    tf = core;
  } catch (e) {
    failure = (e as Error).message.split('\n')[0];
  }
  return tf;
}

/** Uses an already loaded TensorFlow.js with its backend set (a browser page imports its own). */
export function useTfjs(core: Tf): void {
  tf = core;
  failure = null;
}

export function tfjsFailure(): string | null {
  return failure;
}

/**
 * Seconds per run of `build` (median), synchronised by reading the result back. With `polite`
 * the wait uses the same polling as shadergrad's own readbacks, so the comparison is between
 * kernels; without it, Dawn's default busy polling (as TensorFlow.js runs out of the box).
 */
export async function timeTfjs(
  build: (tf: Tf) => import('@tensorflow/tfjs-core').Tensor,
  runs: number,
  polite = true,
): Promise<number> {
  const t = tf!;
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const out = t.tidy(() => build(t));
    await (polite ? politeWait(out.data()) : out.data());
    out.dispose();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}
