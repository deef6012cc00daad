/**
 * The activations of post-2016 networks (EfficientNet, MobileNet, ConvNeXt, ViT): silu,
 * hardswish, hardsigmoid, relu6 and gelu (exact and tanh-approximated). One kernel pair for
 * all of them (`shaders/activation_forward.wgsl`, `activation_backward.wgsl`), the op chosen
 * by an `override` constant. They are memory-bound: when the element count divides by 4 each
 * invocation loads and stores a vec4 (the shader's `V` alias), and there is no index arithmetic
 * beyond one flat index.
 */
import { gridFor } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K, type ACTIVATIONS } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { requireDtype } from './util.js';
import { checkOptions } from '../args.js';

const WG = 256;

type Activation = keyof typeof ACTIVATIONS;

/**
 * Runs `launch` over `size` elements of same-sized operands in V units: vec4 when the size divides
 * by 4, else f32; past the storage-binding limit in aligned ranges (gpu/chunks.ts).
 */
function overVectors(
  op: Activation,
  size: number,
  buffers: GPUBuffer[],
  launch: (vec4: boolean, n: number, bound: Parameters<typeof dispatch>[3]) => void,
): void {
  const vec4 = size % 4 === 0;
  const width = vec4 ? 4 : 1;
  forEachChunk(
    op,
    size / width,
    buffers.map((buffer) => ({ buffer, rowBytes: 4 * width })),
    (_, n, bound) => launch(vec4, n, bound),
  );
}

/** Runs the forward kernel: y = op(x), a new tensor. */
function activationForward(op: Activation, x: Tensor): Tensor {
  requireDtype(op, x, 'float32');
  const y = Tensor.empty(x.shape);
  if (x.size > 0) {
    overVectors(op, x.size, [x.buffer, y.buffer], (vec4, n, bound) =>
      dispatch(
        K.activation_forward,
        { OP: op, WG, V: vec4 ? 'vec4<f32>' : 'f32', U: vec4 ? 'vec4<u32>' : 'u32' },
        { n },
        bound,
        gridFor(n, WG),
      ),
    );
  }
  return y;
}

/** dx = g op'(x) by the backward kernel. */
function activationBackward(op: Activation, g: Tensor, x: Tensor): Tensor {
  const dx = Tensor.empty(x.shape);
  if (x.size > 0) {
    overVectors(op, x.size, [g.buffer, x.buffer, dx.buffer], (vec4, n, bound) =>
      dispatch(K.activation_backward, { OP: op, WG, V: vec4 ? 'vec4<f32>' : 'f32' }, { n }, bound, gridFor(n, WG)),
    );
  }
  return dx;
}

function activation(op: Activation, x: Tensor): Tensor {
  const y = activationForward(op, x);
  return record(y, op, [x], (g) => [activationBackward(op, g, x)]);
}

/**
 * dx = g op'(x) computed from the forward's output y = op(x), for the activations whose
 * derivative y determines: relu (x > 0 exactly where y > 0) and relu6 (0 < x < 6 exactly where
 * 0 < y < 6). The fused layers (ops/fused_conv.ts, ops/fused.ts) save only y.
 */
export function activationGradFromOutput(op: 'relu' | 'relu6', g: Tensor, y: Tensor): Tensor {
  return activationBackward(op, g, y);
}

/**
 * max(x, 0) for float32 tensors by the vectorised activation kernel (`torch.relu`); dx = g where
 * x > 0 (NOTE: 0 at x = 0, as PyTorch). `sg.relu` calls it for float32 (int32 runs unary_forward).
 */
export const reluFloat = (x: Tensor) => activation('relu', x);

/** x * sigmoid(x), the swish of EfficientNet (`F.silu`). */
export const silu = (x: Tensor) => activation('silu', x);

/** x * relu6(x + 3) / 6, MobileNetV3's activation (`F.hardswish`). */
export const hardswish = (x: Tensor) => activation('hardswish', x);

/** relu6(x + 3) / 6, a piecewise-linear sigmoid (`F.hardsigmoid`). */
export const hardsigmoid = (x: Tensor) => activation('hardsigmoid', x);

/** min(max(x, 0), 6), MobileNetV2's activation (`F.relu6`). */
export const relu6 = (x: Tensor) => activation('relu6', x);

/** Options of `gelu`, as `torch.nn.functional.gelu(x, approximate='none')`. */
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
  checkOptions('gelu', options, { approximate: ['none', 'tanh'] });
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh')
    throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return activation(approximate === 'tanh' ? 'gelu_tanh' : 'gelu', x);
}
