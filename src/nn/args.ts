/**
 * PyTorch-style constructor arguments in TypeScript: trailing optional arguments may be given
 * positionally in PyTorch's order, or as one options object with camelCase names, so both
 * `new Conv2d(3, 64, 3, 1, 1)` and `new Conv2d(3, 64, 3, {padding: 1})` work. Every value is
 * checked against its default's type (a boolean default takes booleans, a number default numbers
 * or, for sizes, pairs of numbers, a string default one of the strings in `types`), so a typo or
 * a value of the wrong kind is an error naming the layer and the argument, never ignored.
 */
import { type ArgType, checkArg, describeValue, isPlainObject } from '../args.js';

export const isOptions = isPlainObject;

/** The type a default value implies (null or undefined: `types` decides, or anything goes). */
function impliedType(value: unknown): ArgType | null {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number|number[]';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'function') return 'function';
  return null;
}

/**
 * Fills `defaults` from positional `args` (in the order of `names`) and a trailing options
 * object; `types` gives the accepted type of any argument whose default does not imply it.
 */
export function parseArgs<T extends object>(
  layer: string,
  names: Array<keyof T & string>,
  args: unknown[],
  defaults: T,
  types: Partial<Record<keyof T & string, ArgType>> = {},
): T {
  const out = { ...defaults };
  const last = args[args.length - 1];
  const positional = isOptions(last) ? args.slice(0, -1) : args;
  if (positional.length > names.length)
    throw new Error(
      `${layer}: takes at most ${names.length} optional positional arguments (${names.join(', ')}), got ${positional.length}: ${describeValue(positional)}`,
    );
  const set = (k: string, v: unknown) => {
    const type = (types as Record<string, ArgType>)[k] ?? impliedType((defaults as Record<string, unknown>)[k]);
    if (type !== null && v !== null) checkArg(layer, k, v, type);
    (out as Record<string, unknown>)[k] = v;
  };
  positional.forEach((v, i) => {
    if (v !== undefined) set(names[i], v);
  });
  if (isOptions(last)) {
    for (const [k, v] of Object.entries(last)) {
      if (!(k in defaults)) {
        const near = Object.keys(defaults).find((n) => n.toLowerCase() === k.toLowerCase().replace(/_/g, ''));
        throw new Error(
          `${layer}: unknown option '${k}'${near ? ` (did you mean '${near}'?)` : ''}; accepted options: ${Object.keys(defaults).join(', ')}`,
        );
      }
      if (v !== undefined) set(k, v);
    }
  }
  return out;
}
