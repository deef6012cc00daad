/**
 * In-place random fills, as PyTorch's `Tensor.uniform_(low, high)` and `Tensor.normal_(mean,
 * std)` (what `torch.nn.init` calls): they overwrite an existing tensor's storage, so a model's
 * initialisation allocates nothing and copies nothing. The numbers are those `sg.uniform` /
 * `sg.normal` would draw next (the same seeded generator and stream counter; element i depends
 * only on (seed, stream, i)). Kernel: `shaders/random_inplace.wgsl`, many elements per
 * invocation: initialising ViT-H/14's 632M parameters is bound by this fill on llvmpipe.
 */
import type { Tensor } from '../tensor.js';
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { forEachChunk } from '../gpu/chunks.js';
import { K } from '../kernels.js';
import { nextRandomStream } from './create.js';

const WG = 64;
const PER = 64;

function fill(t: Tensor, dist: 'uniform' | 'normal', low: number, high: number, op: string): Tensor {
  if (t.dtype !== 'float32')
    throw new Error(`${op}: needs a float32 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
  if (t.size === 0) return t;
  const { seed, stream } = nextRandomStream();
  // Element i depends only on (seed, stream, i), so a chunked fill draws the same numbers.
  forEachChunk(op, t.size, [{ buffer: t.buffer, rowBytes: 4 }], (base, n, bindings) =>
    dispatch(
      K.random_inplace,
      { DIST: dist, WG, PER },
      { n, seed, stream, low, high, base },
      bindings,
      gridFor(Math.ceil(n / PER), WG),
    ),
  );
  t.storage.version++;
  return t;
}

/** Overwrites `t` with U(low, high) numbers and returns it (`t.uniform_(low, high)`); no autograd. */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  if (!(low <= high))
    throw new Error(
      `uniform_: expects low <= high, got low ${low} and high ${high} for a tensor of shape [${t.shape.join(', ')}]`,
    );
  return fill(t, 'uniform', low, high, 'uniform_');
}

/** Overwrites `t` with N(mean, std^2) numbers and returns it (`t.normal_(mean, std)`); no autograd. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  if (!(std >= 0))
    throw new Error(`normal_: expects std >= 0.0, got ${std} for a tensor of shape [${t.shape.join(', ')}]`);
  return fill(t, 'normal', mean, std, 'normal_');
}
