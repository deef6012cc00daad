/**
 * The activations of post-2016 networks (EfficientNet, MobileNet, ConvNeXt, ViT): silu,
 * hardswish, hardsigmoid, relu6 and gelu (exact and tanh-approximated). One kernel pair for
 * all of them (`shaders/activation_forward.wgsl`, `activation_backward.wgsl`), the op chosen
 * by an `override` constant. They are memory-bound: when the element count divides by 4 each
 * invocation loads and stores a vec4 (the shader's `V` alias), and there is no index arithmetic
 * beyond one flat index.
 */
import { dispatch, gridFor } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { Params } from '../gpu/params.js';
import type { Kernel } from '../gpu/pipelines.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { requireDtype } from './util.js';
import activationForward from '../../shaders/activation_forward.wgsl';
import activationBackward from '../../shaders/activation_backward.wgsl';

const WG = 256;

/** The shader's op constants (SILU, HARDSWISH, ... in activation_*.wgsl). */
const ACTIVATIONS = { silu: 0, hardswish: 1, hardsigmoid: 2, relu6: 3, gelu: 4, gelu_tanh: 5 } as const;
type Activation = keyof typeof ACTIVATIONS;

/** Launches one activation kernel over `size` elements of same-sized operands, vec4 when possible. */
function launch(source: string, name: string, op: Activation, size: number, buffers: GPUBuffer[], bindings: Kernel['bindings']): void {
  const width = size % 4 === 0 ? 4 : 1;
  const kernel: Kernel = {
    name,
    source,
    bindings,
    constants: { OP: ACTIVATIONS[op], WG },
    // The forward also tests NaN bits through U, the unsigned type of the same shape.
    aliases: { V: width === 4 ? 'vec4<f32>' : 'f32', ...(name === 'activation_forward' ? { U: width === 4 ? 'vec4<u32>' : 'u32' } : {}) },
  };
  // Past the storage-binding limit, the operands are bound in aligned ranges (gpu/chunks.ts).
  forEachChunk(op, size / width, buffers.map((buffer) => ({ buffer, rowBytes: 4 * width })), (_, n, bound) =>
    dispatch(kernel, bound, new Params().u32(n).bytes(), gridFor(n, WG)));
}

function activation(op: Activation, x: Tensor): Tensor {
  requireDtype(op, x, 'float32');
  const y = Tensor.empty(x.shape);
  if (x.size > 0) launch(activationForward, 'activation_forward', op, x.size, [x.buffer, y.buffer], ['read', 'write', 'uniform']);
  return record(y, op, [x], (g) => {
    const dx = Tensor.empty(x.shape);
    if (x.size > 0) launch(activationBackward, 'activation_backward', op, x.size, [g.buffer, x.buffer, dx.buffer], ['read', 'read', 'write', 'uniform']);
    return [dx];
  });
}

/** x * sigmoid(x), the swish of EfficientNet (`F.silu`). */
export const silu = (x: Tensor) => activation('silu', x);

/** x * relu6(x + 3) / 6, MobileNetV3's activation (`F.hardswish`). */
export const hardswish = (x: Tensor) => activation('hardswish', x);

/** relu6(x + 3) / 6, a piecewise-linear sigmoid (`F.hardsigmoid`). */
export const hardsigmoid = (x: Tensor) => activation('hardsigmoid', x);

/** min(max(x, 0), 6), MobileNetV2's activation (`F.relu6`). */
export const relu6 = (x: Tensor) => activation('relu6', x);

export interface GeluOptions {
  /** 'none' (default): x * Phi(x) with the exact normal CDF; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit (`F.gelu`): x * Phi(x) = x/2 * erfc(-x / sqrt 2). WGSL has no erf:
 * erfc is Numerical Recipes' Chebyshev fit `erfcc` (fractional error < 1.2e-7 everywhere, so
 * gelu keeps its relative accuracy for large negative x). With `{approximate: 'tanh'}`:
 * x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as PyTorch.
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return activation(approximate === 'tanh' ? 'gelu_tanh' : 'gelu', x);
}
