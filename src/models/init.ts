/**
 * The weight initialisations torchvision's model constructors apply after building their layers
 * (`torch.nn.init`), written in place into existing parameters so that a model keeps its
 * Parameter objects. The numbers come from the seeded GPU generator (`sg.manualSeed`), so they
 * are PyTorch's distributions, not PyTorch's exact values.
 */
import { noGrad } from '../autograd.js';
import { normal, uniform } from '../ops/create.js';
import { add, fillInPlace, maximum, minimum } from '../ops/elementwise.js';
import { gt, lt, where } from '../ops/compare.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';
import type { Parameter } from '../nn/parameter.js';

/** fan_in = in * prod(kernel) and fan_out = out * prod(kernel) of a weight [out, in, ...kernel]. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: shape[0] * receptive };
}

/** Overwrites `p` with the values of a freshly drawn tensor (no autograd, same storage). */
function fill(p: Parameter, make: () => Tensor): void {
  noGrad(() => {
    const t = make();
    p.copy_(t);
    t.dispose();
  });
}

/**
 * `kaiming_normal_(w, mode, nonlinearity='relu')`: N(0, std^2) with std = sqrt(2) / sqrt(fan),
 * fan = fan_in (keeps the forward variance) or fan_out (keeps the backward variance).
 */
export function kaimingNormal_(p: Parameter, mode: 'fanIn' | 'fanOut' = 'fanIn'): void {
  const f = fans(p.shape);
  const std = Math.SQRT2 / Math.sqrt(mode === 'fanIn' ? f.fanIn : f.fanOut);
  fill(p, () => normal(p.shape, 0, std));
}

/** `kaiming_uniform_(w, a)`: U(-b, b) with b = sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in). */
export function kaimingUniform_(p: Parameter, a = 0): void {
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fans(p.shape).fanIn);
  fill(p, () => uniform(p.shape, -bound, bound));
}

/** `normal_(w, mean, std)`. */
export function normal_(p: Parameter, mean: number, std: number): void {
  fill(p, () => normal(p.shape, mean, std));
}

/** Redraws of out-of-range values before the last clamp in `truncNormal_`. */
const TRUNC_ROUNDS = 8;

/**
 * `trunc_normal_(w, mean, std, a, b)`: N(mean, std^2) conditioned on a <= x <= b (absolute
 * bounds, as PyTorch). Values outside are redrawn from the normal, 8 times, so a value is
 * still outside with probability P(outside)^9 (< 1e-4 for bounds at one std, 0 in practice
 * for torchvision's a = -2, b = 2 with std 0.01 or 0.1); those few are clamped to the bounds.
 * PyTorch samples by the inverse CDF instead: the same distribution.
 */
export function truncNormal_(p: Parameter, mean = 0, std = 1, a = -2, b = 2): void {
  fill(p, () => tidy(() => {
    let x = normal(p.shape, mean, std);
    for (let round = 0; round < TRUNC_ROUNDS; round++) x = where(add(lt(x, a), gt(x, b)), normal(p.shape, mean, std), x);
    return minimum(maximum(x, a), b);
  }));
}

/** `constant_(w, value)`. */
export function constant_(p: Parameter | null, value: number): void {
  if (p) fillInPlace(p, value);
}
