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

/** Probability that N(0, 1) falls outside [lo, hi] (Abramowitz-Stegun 7.1.26 erfc, error < 1.5e-7). */
function outsideProbability(lo: number, hi: number): number {
  const tail = (z: number) => {
    // P(N(0, 1) > z) for z >= 0
    const x = z / Math.SQRT2;
    const t = 1 / (1 + 0.3275911 * x);
    const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return 0.5 * poly * Math.exp(-x * x);
  };
  const below = lo < 0 ? tail(-lo) : 1 - tail(lo);
  const above = hi > 0 ? tail(hi) : 1 - tail(-hi);
  return Math.min(1, below + above);
}

/**
 * `trunc_normal_(w, mean, std, a, b)`: N(mean, std^2) conditioned on a <= x <= b (absolute
 * bounds, as PyTorch). Values outside are redrawn from the normal as many times as it takes for
 * a value to still be outside with probability below 1e-12; those are clamped to the bounds.
 * torchvision's bounds (a = -2, b = 2 with std 0.01 or 0.1) lie 20 to 200 standard deviations
 * out, so no redraw is needed: one normal draw and the clamp. PyTorch samples by the inverse
 * CDF instead: the same distribution.
 */
export function truncNormal_(p: Parameter, mean = 0, std = 1, a = -2, b = 2): void {
  if (!(a < b)) throw new Error(`trunc_normal_: the bounds must satisfy a < b, got a = ${a}, b = ${b}`);
  const outside = outsideProbability((a - mean) / std, (b - mean) / std);
  const rounds =
    outside <= 1e-12 ? 0 : outside >= 1 ? 64 : Math.min(64, Math.ceil(Math.log(1e-12) / Math.log(outside)) - 1);
  normalInPlace(p, mean, std);
  // NOTE: below 1e-15 outside (ConvNeXt's and ViT's bounds, 10+ std out), even a billion values
  // leave one outside with probability 1e-6: the draw is kept as it is, no clamping pass.
  if (outside < 1e-15) return;
  noGrad(() =>
    tidy(() => {
      let x: Tensor = p.detach();
      for (let round = 0; round < rounds; round++) x = where(add(lt(x, a), gt(x, b)), normal(p.shape, mean, std), x);
      p.copy_(minimum(maximum(x, a), b));
    }),
  );
}

/** `constant_(w, value)`. */
export function constant_(p: Parameter | null, value: number): void {
  if (p) fillInPlace(p, value);
}

/** `uniform_(w, low, high)`. */
export function uniform_(p: Parameter, low: number, high: number): void {
  uniformInPlace(p, low, high);
}

/** `xavier_uniform_(w)`: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) (gain 1). */
export function xavierUniform_(p: Parameter): void {
  const f = fans(p.shape);
  const bound = Math.sqrt(6 / (f.fanIn + f.fanOut));
  uniformInPlace(p, -bound, bound);
}
