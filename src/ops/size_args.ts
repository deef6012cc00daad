/**
 * The size arguments of the factories as PyTorch takes them: `zeros([2, 3])` or `zeros(2, 3)`,
 * then the options object; a bad mix is an error naming the factory, as torch's.
 */
import { describeValue, isPlainObject } from '../args.js';
import type { Shape } from '../tensor.js';
import type { TensorOptions } from './create.js';

/**
 * The size arguments of `zeros`, `ones`, `empty`, `rand` and `randn` as PyTorch takes them:
 * a list (`zeros([2, 3])`) or separate numbers (`zeros(2, 3)`), then the options object.
 */
export type SizeArgs =
  [shape: Shape, options?: TensorOptions] | number[] | [...sizes: number[], options: TensorOptions];

/** Splits `SizeArgs` into the shape and the options; a bad mix is an error naming `op`, as torch's. */
export function sizeArgs(op: string, args: readonly unknown[]): { shape: number[]; options: TensorOptions } {
  if (args.length > 1 && args[args.length - 1] === undefined) args = args.slice(0, -1); // options omitted
  if (args.length === 0) throw new Error(`${op}: missing argument 'size' (a list of sizes, or sizes as numbers)`);
  let sizes: readonly unknown[];
  let options: unknown;
  if (Array.isArray(args[0])) {
    if (args.length > 2 || (args.length === 2 && !isPlainObject(args[1])))
      throw new Error(
        `${op}: after a list of sizes only an options object may follow, got (${args.map(describeValue).join(', ')})`,
      );
    [sizes, options] = [args[0], args[1]];
  } else {
    const last = args[args.length - 1];
    [sizes, options] = isPlainObject(last) ? [args.slice(0, -1), last] : [args, undefined];
  }
  sizes.forEach((d, i) => {
    if (!Number.isInteger(d))
      throw new Error(
        `${op}: argument 'size' must be a list of integers or integers, but found ${describeValue(d)} at position ${i + 1}`,
      );
  });
  const shape = sizes as number[];
  const at = shape.findIndex((d) => d < 0);
  if (at >= 0)
    throw new Error(
      `${op}: trying to create a tensor with negative dimension ${shape[at]} (dimension ${at}): [${shape.join(', ')}]`,
    );
  if (isPlainObject(options) && 'shape' in options)
    throw new Error(`${op}: unknown option 'shape' (the size is given by the arguments)`);
  return { shape: [...shape], options: (options ?? {}) as TensorOptions };
}
