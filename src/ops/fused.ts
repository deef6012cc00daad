/**
 * Fused layers: what a network's module sequence computes in two or three passes over memory,
 * done in one kernel, with the same values (up to float32 rounding) and exact gradients.
 *   conv2dActivation:  y = act(conv2d(x, W) + b) — the activation applied as the convolution
 *                      stores its outputs (the `ACT` override of `shaders/conv2d/forward/`);
 *   addRelu:           y = relu(a + b) — a residual block's end (`shaders/add_relu.wgsl`);
 *   linearActivation:  y = act(x W^T + b) — the matmul, then bias and activation in one pass
 *                      (`shaders/bias_activation.wgsl`).
 * Autograd stays exact: relu and relu6 have derivatives that the output determines (x > 0 exactly
 * where y > 0; 0 < x < 6 exactly where 0 < y < 6), so the backward reads the saved output.
 * silu and hardswish do not, so they are fused only where no gradient is recorded (inference);
 * with a gradient they run as the unfused ops. nn/fusion.ts decides when a module sequence runs
 * these; `sg.setFusion(false)` turns that off.
 */
import { gridFor } from '../gpu/commands.js';
import { fitsBinding } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { isGradEnabled, record } from '../autograd.js';
import { conv2d, conv2dGeometry, conv2dImplicit, convPath, type Conv2dOptions, type ConvActivation } from './conv.js';
import { splitBatch } from './batch_split.js';
import { activationGradFromOutput, hardswish, relu6, silu } from './activation.js';
import { add, relu } from './elementwise.js';
import { matmulNT } from './matmul.js';
import { sumToShape } from './reduce.js';
import { reshape } from './shape.js';
import { formatShape, sameShape } from './util.js';

/** The activations a fused layer applies: those of torchvision's convolution blocks. */
export type FusedActivation = Exclude<ConvActivation, 'none'>;

const WG = 256;

/** Whether autograd will record an op on these inputs. */
const recording = (...inputs: Array<Tensor | null>) => isGradEnabled() && inputs.some((t) => t?.requiresGrad);

/** The activation whose backward the output determines (relu, relu6): fusable under autograd. */
const fromOutput = (act: ConvActivation): act is 'relu' | 'relu6' => act === 'relu' || act === 'relu6';

/** The unfused activation op ('none': x itself). */
function activate(act: ConvActivation, x: Tensor): Tensor {
  return act === 'none' ? x : { relu, relu6, silu, hardswish }[act](x);
}

/**
 * y = act(conv2d(x, W, b)), `F.relu(F.conv2d(x, weight, bias, ...))` and the like ('none': the
 * convolution alone), as one kernel where the implicit-GEMM convolution runs the shape (stride 1
 * along the width, or no subgroups); on the im2col product (strided convolutions) the product,
 * then bias and activation in one pass (`bias_activation_planes.wgsl`); on depthwise kernels the
 * convolution, then the activation op.
 */
export function conv2dActivation(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
  act: ConvActivation,
  layer = 'conv2d',
): Tensor {
  const g = conv2dGeometry(x, weight, bias, options, layer);
  const split = splitBatch(layer, x, g.cout * g.oh * g.ow, (part) =>
    conv2dActivation(part, weight, bias, options, act, layer),
  );
  if (split) return split;
  const exact = act === 'none' || fromOutput(act) || !recording(x, weight, bias);
  const path = convPath(g);
  if (path === 'implicit' && exact) return conv2dImplicit(x, weight, bias, g, act);
  if (path === 'im2col' && exact && bias && g.cout <= 65535) {
    const z = conv2d(x, weight, null, options, layer);
    if (fitsBinding(z.buffer)) return biasActivationPlanes(z, bias, act);
    return activate(act, add(z, reshape(bias, [1, g.cout, 1, 1])));
  }
  return activate(act, conv2d(x, weight, bias, options, layer));
}

/**
 * y[n, c, s] = act(z[n, c, s] + bias[c]) in one pass; dz = g act'(y), dbias = the sums of dz over
 * (n, s) (relu, relu6 and none only under autograd).
 */
function biasActivationPlanes(z: Tensor, bias: Tensor, act: ConvActivation): Tensor {
  const [n, c] = z.shape;
  const s = z.size / (n * c);
  const y = Tensor.empty(z.shape);
  const vec4 = s % 4 === 0;
  const sv = vec4 ? s / 4 : s;
  dispatch(
    K.bias_activation_planes,
    { WG: 64, ACT: act, V: vec4 ? 'vec4<f32>' : 'f32' },
    { c, s: sv },
    [z.buffer, bias.buffer, y.buffer],
    [Math.ceil(sv / 64), c, n],
  );
  const saved = act === 'none' ? null : y.detach();
  return record(
    y,
    `conv2d_bias_${act}`,
    [z, bias],
    (g, needs) => {
      const dz = act === 'none' ? g.detach() : activationGradFromOutput(act as 'relu' | 'relu6', g, saved!);
      const db = needs[1] ? reshape(sumToShape(dz, [1, c, 1, 1]), [c]) : null;
      return [needs[0] ? dz : null, db];
    },
    saved ? [saved] : [],
  );
}

/** Runs a same-shaped elementwise kernel in V units: vec4 when the size divides by 4, else f32. */
function vectorWidth(size: number): { vec4: boolean; n: number } {
  const vec4 = size % 4 === 0;
  return { vec4, n: vec4 ? size / 4 : size };
}

/**
 * y = relu(a + b) for same-shaped float32 a and b in one pass (`F.relu(a + b)`, a residual
 * block's end); da = db = g where y > 0. Broadcasting operands, or tensors past one storage
 * binding, run as add then relu.
 */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  const fusable = sameShape(a.shape, b.shape) && a.dtype === 'float32' && b.dtype === 'float32';
  if (!fusable || !fitsBinding(a.buffer) || !fitsBinding(b.buffer)) return relu(add(a, b));
  const y = Tensor.empty(a.shape);
  if (y.size > 0) {
    const { vec4, n } = vectorWidth(y.size);
    const types = vec4 ? ({ V: 'vec4<f32>', U: 'vec4<u32>' } as const) : ({ V: 'f32', U: 'u32' } as const);
    dispatch(K.add_relu, { WG, ...types }, { n }, [a.buffer, b.buffer, y.buffer], gridFor(n, WG));
  }
  const saved = y.detach();
  return record(
    y,
    'add_relu',
    [a, b],
    (g, needs) => {
      const dz = activationGradFromOutput('relu', g, saved);
      return [needs[0] ? dz : null, needs[1] ? (needs[0] ? dz.detach() : dz) : null];
    },
    [saved],
  );
}

/**
 * y = act(z + bias) for z [rows, cols] and bias [cols], one pass; dz = g act'(y), dbias = the
 * column sums of dz (relu and relu6 only under autograd).
 */
function biasActivation(z: Tensor, bias: Tensor, act: FusedActivation): Tensor {
  const [rows, cols] = z.shape;
  const y = Tensor.empty(z.shape);
  const vec4 = cols % 4 === 0;
  const n = vec4 ? cols / 4 : cols;
  const yGroups = Math.min(rows, 65535);
  dispatch(
    K.bias_activation,
    { WG: 64, ACT: act, V: vec4 ? 'vec4<f32>' : 'f32' },
    { rows, cols: n },
    [z.buffer, bias.buffer, y.buffer],
    [Math.ceil(n / 64), yGroups, Math.ceil(rows / yGroups)],
  );
  if (!fromOutput(act)) return y; // only reached without autograd (linearActivation)
  const saved = y.detach();
  return record(
    y,
    `linear_bias_${act}`,
    [z, bias],
    (g, needs) => {
      const dz = activationGradFromOutput(act, g, saved);
      return [needs[0] ? dz : null, needs[1] ? sumToShape(dz, [cols]) : null];
    },
    [saved],
  );
}

/**
 * y = act(x W^T + b), `F.relu(F.linear(x, weight, bias))` and the like: the product, then the
 * bias and the activation in one pass (`bias_activation.wgsl`) instead of two. x [..., in],
 * weight [out, in], bias [out] or null.
 */
export function linearActivation(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  act: FusedActivation,
  layer = 'linear',
): Tensor {
  const [outFeatures, inFeatures] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `${layer}: input of shape ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)} (expected last dimension ${inFeatures})`,
    );
  }
  const flat = x.ndim === 2 ? x : reshape(x, [-1, inFeatures]);
  const z = matmulNT(flat, weight);
  const fusable = bias && fitsBinding(z.buffer) && (fromOutput(act) || !recording(x, weight, bias));
  // (z is the product's output: its own node, so the bias and activation are a node of their own.)
  const y2 = fusable ? biasActivation(z, bias, act) : activate(act, bias ? add(z, bias) : z);
  return x.ndim === 2 ? y2 : reshape(y2, [...x.shape.slice(0, -1), outFeatures]);
}
