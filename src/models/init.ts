/**
 * The weight initialisations torchvision's model constructors apply after building their layers
 * (`torch.nn.init`), written in place into existing parameters so that a model keeps its
 * Parameter objects. The numbers come from the seeded GPU generator (`sg.manualSeed`), so they
 * are PyTorch's distributions, not PyTorch's exact values. They draw straight into the
 * parameter's storage (`uniform_`, `normal_` of src/ops/random_inplace.ts): no temporary tensor,
 * no copy, which is what keeps building ViT-H/14 (632M parameters) to seconds.
 */
import { uniform_ as uniformInPlace, normal_ as normalInPlace } from '../ops/random_inplace.js';
import { add, fillInPlace, maximum, minimum } from '../ops/elementwise.js';
import { gt, lt, where } from '../ops/compare.js';
import { normal } from '../ops/create.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';
import type { Parameter } from '../nn/parameter.js';

/** fan_in = in * prod(kernel) and fan_out = out * prod(kernel) of a weight [out, in, ...kernel]. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: shape[0] * receptive };
}


/**
 * `kaiming_normal_(w, mode, nonlinearity='relu')`: N(0, std^2) with std = sqrt(2) / sqrt(fan),
 * fan = fan_in (keeps the forward variance) or fan_out (keeps the backward variance).
 */
export function kaimingNormal_(p: Parameter, mode: 'fanIn' | 'fanOut' = 'fanIn'): void {
  const f = fans(p.shape);
  const std = Math.SQRT2 / Math.sqrt(mode === 'fanIn' ? f.fanIn : f.fanOut);
  normalInPlace(p, 0, std);
}

/** `kaiming_uniform_(w, a)`: U(-b, b) with b = sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in). */
export function kaimingUniform_(p: Parameter, a = 0): void {
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fans(p.shape).fanIn);
  uniformInPlace(p, -bound, bound);
}

/** `normal_(w, mean, std)`. */
export function normal_(p: Parameter, mean: number, std: number): void {
  normalInPlace(p, mean, std);
}

/** `constant_(w, value)`. */
export function constant_(p: Parameter | null, value: number): void {
  if (p) fillInPlace(p, value);
}

/** `uniform_(w, low, high)`. */
export function uniform_(p: Parameter, low: number, high: number): void {
  uniformInPlace(p, low, high);
}

/**
 * `trunc_normal_(w, mean=0, std, a=-2, b=2)`: N(mean, std^2) restricted to [a, b]. Every value
 * drawn outside [a, b] is redrawn, 12 rounds (then clamped): outside mass q leaves q^13 of the
 * values unresolved, below 1e-17 when the bounds are 2 std out (q = 0.046). NOTE: ConvNeXt
 * (std 0.02) and ViT's patchify convolution (std sqrt(1 / fan_in)) put the bounds 10 or more
 * std out, where q < 1e-23: the first draw is already the truncated normal, and no round runs.
 */
export function truncNormal_(p: Parameter, std: number, a = -2, b = 2, mean = 0): void {
  if (!(a < b)) throw new Error(`truncNormal_: needs a < b, got [${a}, ${b}] for a parameter of shape [${p.shape.join(', ')}]`);
  normalInPlace(p, mean, std);
  if (Math.min(mean - a, b - mean) >= 10 * std) return;
  noGrad(() => tidy(() => {
    let x: Tensor = p.detach();
    for (let round = 0; round < 12; round++) x = where(add(lt(x, a), gt(x, b)), normal(p.shape, mean, std), x);
    p.copy_(minimum(maximum(x, a), b));
  }));
}

/** `xavier_uniform_(w)`: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) (gain 1). */
export function xavierUniform_(p: Parameter): void {
  const f = fans(p.shape);
  const bound = Math.sqrt(6 / (f.fanIn + f.fanOut));
  uniformInPlace(p, -bound, bound);
}
