/** Python's repr of the values that appear in PyTorch module reprs: tuples, bools, floats. */

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** repr(float): 0.5, 0.1, 1e-05, 1.0. */
export function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(x);
}

/** An int or a tuple, as the module stores it: 3 or (3, 3). */
export function pyTuple(v: number | readonly number[]): string {
  if (typeof v === 'number') return String(v);
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}
