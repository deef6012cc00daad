/**
 * In-place random fills, as PyTorch's `Tensor.uniform_(low, high)` and `Tensor.normal_(mean,
 * std)` (what `torch.nn.init` calls): they overwrite an existing tensor's storage, so a model's
 * initialisation allocates nothing and copies nothing. The numbers are those `sg.uniform` /
 * `sg.normal` would draw next (the same seeded generator and stream counter; element i depends
 * only on (seed, stream, i)). Kernel: `shaders/random_inplace.wgsl`, many elements per
 * invocation: initialising ViT-H/14's 632M parameters is bound by this fill on llvmpipe.
 */
import type { Tensor } from '../tensor.js';
import { dispatch, gridFor } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { forEachChunk } from '../gpu/chunks.js';
import { nextRandomStream } from './create.js';
import source from '../../shaders/random_inplace.wgsl';

const WG = 64;
const PER = 64;

function fill(t: Tensor, dist: 0 | 1, a: number, b: number, op: string): Tensor {
  if (t.dtype !== 'float32') throw new Error(`${op}: needs a float32 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
  if (t.size === 0) return t;
  const draw = nextRandomStream();
  const kernel = { name: 'random_inplace', source, bindings: ['write', 'uniform'] as const, constants: { DIST: dist, WG, PER } };
  forEachChunk(op, t.size, [{ buffer: t.buffer, rowBytes: 4 }], (start, count, bindings) => {
    const params = new Params().u32(count).u32(draw.seed).u32(draw.stream).f32(a).f32(b).u32(start).bytes();
    dispatch(kernel, bindings, params, gridFor(Math.ceil(count / PER), WG));
  });
  return t;
}

/** Overwrites `t` with U(low, high) numbers and returns it (`t.uniform_(low, high)`); no autograd. */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  if (!(low <= high)) throw new Error(`uniform_: expects low <= high, got low ${low} and high ${high} for a tensor of shape [${t.shape.join(', ')}]`);
  return fill(t, 0, low, high, 'uniform_');
}

/** Overwrites `t` with N(mean, std^2) numbers and returns it (`t.normal_(mean, std)`); no autograd. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  if (!(std >= 0)) throw new Error(`normal_: expects std >= 0.0, got ${std} for a tensor of shape [${t.shape.join(', ')}]`);
  return fill(t, 1, mean, std, 'normal_');
}
