/**
 * Launching the strided kernels (broadcast binary ops, gathers): their index math divides by
 * each dimension size, which SIMD hardware without vector integer division (CPUs running a
 * software driver) does lane by lane. Two cures, applied here before every launch:
 *   1. merge adjacent dimensions that every operand walks contiguously, and drop size-1 ones,
 *      so the kernel loops over as few dimensions as possible;
 *   2. when the innermost dimension is long enough, use the kernel's `rows` entry point: lanes
 *      walk the innermost dimension and each workgroup does the outer index math once.
 */

/**
 * Merges dimensions of `shape` for which every stride list is contiguous across the pair
 * (strides[d] == strides[d + 1] * shape[d + 1]), and drops size-1 dimensions.
 */
export function mergeDims(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * size);
    if (mergeable) {
      outShape[last] *= size;
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(size);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  });
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Innermost extents at least this long use the `rows` entry point. */
export const ROWS_MIN_INNER = 32;
export const ROWS_WG = 64;
/** Long rows use bigger workgroups: a CPU driver pays a fixed cost per workgroup. */
const ROWS_WG_LONG = 256;

/** The entry point and workgroup grid for `n` elements of (merged) `shape`. */
export function stridedLaunch(
  shape: readonly number[],
  n: number,
  flatWorkgroup: number,
): { entryPoint: 'main' | 'rows'; grid: number[]; wg: number } {
  const inner = shape[shape.length - 1];
  if (shape.length > 1 && inner >= ROWS_MIN_INNER) {
    const rows = n / inner;
    const y = Math.min(rows, 65535);
    const wg = inner >= 4 * ROWS_WG_LONG ? ROWS_WG_LONG : ROWS_WG;
    return { entryPoint: 'rows', grid: [Math.ceil(inner / wg), y, Math.ceil(rows / y)], wg };
  }
  const groups = Math.ceil(n / flatWorkgroup);
  const y = groups <= 65535 ? 1 : Math.ceil(groups / 65535);
  return { entryPoint: 'main', grid: [Math.ceil(groups / y), y], wg: flatWorkgroup };
}
