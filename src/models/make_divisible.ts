/**
 * torchvision's `_make_divisible` (from TensorFlow's MobileNet): rounds a channel count to the
 * nearest multiple of `divisor` (at least `minValue`), then adds one divisor if that rounding
 * lost more than 10%. MobileNet and EfficientNet widths go through it.
 */
export function makeDivisible(v: number, divisor: number, minValue: number = divisor): number {
  const rounded = Math.max(minValue, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}
