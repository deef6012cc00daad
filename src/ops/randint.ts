/**
 * Random integers, as `torch.randint`: uniform in [low, high), drawn by `random.wgsl` from the
 * same seeded counter-based generator as `rand` (`manualSeed` makes them reproducible).
 */
import { Tensor, type Shape } from '../tensor.js';
import { checkArg, checkOptions, describeValue, isPlainObject } from '../args.js';
import { checkTensorOptions, draw, finish, type TensorOptions } from './create.js';

/** The options of `randint`: the dtype ('int32', the default, or 'float32') and `requiresGrad` (float32 only). */
export type RandintOptions = Omit<TensorOptions, 'shape'>;

/**
 * Integers uniform in [low, high) (low = 0 when omitted) of the given size:
 * `randint(10, [2, 3])`, `randint(-5, 5, [4], {dtype: 'float32'})`; `torch.randint(low, high,
 * size)`. The value is `low + (h mod (high - low))` for a 32-bit hash h, as PyTorch's `random_`.
 * int32 by default (PyTorch: int64); float32 values are exact while |value| <= 2^24.
 */
export function randint(high: number, size: Shape, options?: RandintOptions): Tensor;
export function randint(low: number, high: number, size: Shape, options?: RandintOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const sizeAt = args.findIndex((a) => Array.isArray(a));
  if (sizeAt < 1 || sizeAt > 2 || args.length > sizeAt + 2)
    throw new Error(
      `randint: expected (high, size, options?) or (low, high, size, options?) with size a list, got (${args.map(describeValue).join(', ')})`,
    );
  const [low, high] = sizeAt === 1 ? [0, args[0]] : [args[0], args[1]];
  checkArg('randint', 'low', low, 'integer');
  checkArg('randint', 'high', high, 'integer');
  if (high === undefined) throw new Error("randint: missing argument 'high'");
  const size = args[sizeAt] as number[];
  checkArg('randint', 'size', size, 'integer[]');
  const options = args[sizeAt + 1];
  if (options !== undefined && !isPlainObject(options))
    throw new Error(`randint: options must be an object {dtype, requiresGrad}, got ${describeValue(options)}`);
  const o = checkOptions<RandintOptions>('randint', options as RandintOptions | undefined, {
    dtype: ['float32', 'int32'],
    requiresGrad: 'boolean',
  });
  checkTensorOptions('randint', { dtype: 'int32', ...o });
  const [lo, hi] = [low as number, high as number];
  if (lo >= hi) throw new Error(`randint: random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  if (lo < -(2 ** 31) || hi > 2 ** 31 || hi - lo >= 2 ** 32)
    throw new Error(`randint: [${lo}, ${hi}) does not fit int32 (values from -2^31 to 2^31 - 1)`);
  const t = Tensor.empty(size, o.dtype ?? 'int32');
  return finish(draw(t, 'integer', { lowInt: lo, range: hi - lo }), o);
}
