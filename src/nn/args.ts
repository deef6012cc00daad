/**
 * PyTorch-style constructor arguments in TypeScript: trailing optional arguments may be given
 * positionally in PyTorch's order, or as one options object with camelCase names, so both
 * `new Conv2d(3, 64, 3, 1, 1)` and `new Conv2d(3, 64, 3, {padding: 1})` work.
 */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Fills `defaults` from positional `args` (in the order of `names`) and a trailing options object. */
export function parseArgs<T extends object>(
  layer: string,
  names: Array<keyof T & string>,
  args: unknown[],
  defaults: T,
): T {
  const out = { ...defaults };
  const last = args[args.length - 1];
  const positional = isOptions(last) ? args.slice(0, -1) : args;
  if (positional.length > names.length)
    throw new Error(
      `${layer}: takes at most ${names.length} optional positional arguments (${names.join(', ')}), got ${positional.length}`,
    );
  positional.forEach((v, i) => {
    if (v !== undefined) (out as Record<string, unknown>)[names[i]] = v;
  });
  if (isOptions(last)) {
    for (const [k, v] of Object.entries(last)) {
      if (!(k in defaults))
        throw new Error(`${layer}: unknown option '${k}' (options: ${Object.keys(defaults).join(', ')})`);
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}
