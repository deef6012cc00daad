/**
 * Arguments as PyTorch users type them, checked before any GPU work. Two helpers used by every
 * public function that takes options:
 *
 * - `checkOptions(op, options, spec)`: an options object must be a plain object whose keys are
 *   all in `spec` and whose values have the spec's types; anything else is an error naming the
 *   argument and the accepted ones (a typo such as `{keepDim: true}` is never ignored silently).
 * - `sizesArg(op, args)`: PyTorch's two spellings of a list of sizes or dims, `x.view(2, -1)`
 *   and `x.view([2, -1])`, as one array.
 *
 * Each spec entry is a type name (`'boolean'`, `'number'`, `'integer'`, `'string'`,
 * `'function'`, `'tensor'`, `'object'`, `'array'`, `'integer[]'`, `'number[]'`,
 * `'bytes'`, `'null'`), several of them joined by `|`, or a list of the accepted strings
 * (`['mean', 'sum', 'none']`). `undefined` is accepted everywhere: it means the default.
 */

/** What a value of one option may be: type names joined by `|`, or the accepted strings. */
export type ArgType = string | readonly string[];

/** The accepted options of a function: every key of `T`, each with its type. */
export type OptionSpec<T> = { readonly [K in keyof T]-?: ArgType };

/** An object literal (`{...}`), not an array, a tensor, a Map or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const CHECKS: Record<string, (v: unknown) => boolean> = {
  boolean: (v) => typeof v === 'boolean',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  string: (v) => typeof v === 'string',
  function: (v) => typeof v === 'function',
  // By its fields, not `instanceof`: this file sits below tensor.ts.
  tensor: (v) => typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape) && 'dtype' in v,
  object: (v) => typeof v === 'object' && v !== null,
  array: (v) => Array.isArray(v),
  'integer[]': (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x)),
  'number[]': (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  bytes: (v) => v instanceof Uint8Array,
  null: (v) => v === null,
};

/** `true`, `"abc"`, `[1, 2]`, `Tensor [2, 3]`, `object`: a short form of a value for error messages. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(describeValue).join(', ')}]` : `an array of ${v.length}`;
  if (CHECKS.tensor(v)) return `a tensor of shape [${(v as { shape: number[] }).shape.join(', ')}]`;
  if (typeof v === 'object' && v !== null)
    return isPlainObject(v) ? 'an object' : `a ${v.constructor?.name ?? 'object'}`;
  return String(v);
}

/** Whether `v` has `type`; the error text when it has not. */
function matches(v: unknown, type: ArgType): boolean {
  if (typeof type !== 'string') return typeof v === 'string' && type.includes(v);
  return type.split('|').some((t) => {
    const check = CHECKS[t];
    if (!check) throw new Error(`checkOptions: unknown type '${t}' in a spec`);
    return check(v);
  });
}

const WORDS: Record<string, string> = {
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  string: 'a string',
  function: 'a function',
  tensor: 'a Tensor',
  object: 'an object',
  array: 'an array',
  'integer[]': 'a list of integers',
  'number[]': 'a list of numbers',
  bytes: 'a Uint8Array',
  null: 'null',
};

function expected(type: ArgType): string {
  if (typeof type !== 'string') return `one of ${type.map((s) => JSON.stringify(s)).join(', ')}`;
  return type
    .split('|')
    .map((t) => WORDS[t] ?? t)
    .join(' or ');
}

/**
 * Checks an options object against `spec` and returns it (`{}` when undefined). Errors:
 * `sum: unknown option 'keepDim' (did you mean 'keepdim'?); accepted options: keepdim`,
 * `crossEntropy: option 'reduction' must be one of "mean", "sum", "none", got "avg"`,
 * `conv2d: options must be an object {stride, padding, ...}, got true`.
 */
export function checkOptions<T extends object>(op: string, options: T | undefined, spec: OptionSpec<T>): T {
  if (options === undefined) return {} as T;
  const names = Object.keys(spec);
  if (!isPlainObject(options)) {
    throw new Error(`${op}: options must be an object {${names.join(', ')}}, got ${describeValue(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const near = names.find((n) => n.toLowerCase().replace(/_/g, '') === key.toLowerCase().replace(/_/g, ''));
      throw new Error(
        `${op}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; accepted options: ${names.join(', ') || 'none'}`,
      );
    }
    const type = (spec as Record<string, ArgType>)[key];
    if (value !== undefined && !matches(value, type)) {
      throw new Error(`${op}: option '${key}' must be ${expected(type)}, got ${describeValue(value)}`);
    }
  }
  return options;
}

/** Checks one positional argument named `name` against `type` (undefined passes). */
export function checkArg(op: string, name: string, value: unknown, type: ArgType): void {
  if (value !== undefined && !matches(value, type)) {
    throw new Error(`${op}: argument '${name}' must be ${expected(type)}, got ${describeValue(value)}`);
  }
}

/**
 * PyTorch's two spellings of sizes or dims: `(2, -1)` or `([2, -1])`, as one array of integers.
 * `what` names the argument in errors (`reshape: argument 'shape' must be integers, got [2, 1.5]`).
 */
export function sizesArg(op: string, what: string, args: ReadonlyArray<number | readonly number[]>): number[] {
  const sizes = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (!sizes.every((s) => Number.isInteger(s))) {
    throw new Error(
      `${op}: argument '${what}' must be integers (as ${what} or ...${what}), got ${describeValue(args)}`,
    );
  }
  return [...(sizes as number[])];
}

/**
 * A reduction's trailing arguments: `(dim, keepdim)` as PyTorch's positional form, or
 * `(dim, {keepdim})`. `dim` may be undefined or null (every dimension) or, where `multi`, a list.
 */
export function reduceArgs(
  op: string,
  dim: unknown,
  keepdimOrOptions: unknown,
  multi: boolean,
): { dim: number | number[] | undefined; keepdim: boolean } {
  checkArg(op, 'dim', dim, multi ? 'integer|integer[]|null' : 'integer|null');
  const last = keepdimOrOptions;
  if (last !== undefined && typeof last !== 'boolean' && !isPlainObject(last))
    throw new Error(
      `${op}: argument 'keepdim' must be a boolean or an options object {keepdim}, got ${describeValue(last)}`,
    );
  const keepdim =
    typeof keepdimOrOptions === 'boolean'
      ? keepdimOrOptions
      : (checkOptions<{ keepdim?: boolean }>(op, keepdimOrOptions as object | undefined, { keepdim: 'boolean' })
          .keepdim ?? false);
  return { dim: (dim ?? undefined) as number | number[] | undefined, keepdim };
}

/** The type of a size or stride given as one number or a pair (`Pair`): `3` or `[3, 1]`. */
export const PAIR = 'integer|integer[]';
