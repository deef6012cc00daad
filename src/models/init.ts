/**
 * The weight initialisations torchvision's model constructors apply after building their layers
 * (`torch.nn.init`), written in place into existing parameters so that a model keeps its
 * Parameter objects. The numbers come from the seeded GPU generator (`sg.manualSeed`), so they
 * are PyTorch's distributions, not PyTorch's exact values. They draw straight into the
 * parameter's storage (`uniform_`, `normal_` of src/ops/random_inplace.ts): no temporary tensor,
 * no copy, which is what keeps building ViT-H/14 (632M parameters) to seconds.
 */
import { uniform_ as uniformInPlace, normal_ as normalInPlace } from '../ops/random_inplace.js';
import { fillInPlace } from '../ops/elementwise.js';
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
 * `trunc_normal_(w, mean=0, std, a=-2, b=2)`: N(mean, std^2) restricted to [a, b]. The models
 * that use it (ConvNeXt std 0.02, ViT std sqrt(1 / fan_in) <= 0.2) put the bounds 10 or more
 * standard deviations out, where the normal's mass is below 1e-23: a plain normal draw is the
 * same distribution to float precision, so that is what this draws (and it says so if not).
 */
export function truncNormal_(p: Parameter, std: number, a = -2, b = 2): void {
  if (Math.min(-a, b) < 10 * std) throw new Error(`truncNormal_: bounds [${a}, ${b}] within 10 std (${std}) are not supported`);
  normalInPlace(p, 0, std);
}

/** `xavier_uniform_(w)`: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) (gain 1). */
export function xavierUniform_(p: Parameter): void {
  const f = fans(p.shape);
  const bound = Math.sqrt(6 / (f.fanIn + f.fanOut));
  uniformInPlace(p, -bound, bound);
}
