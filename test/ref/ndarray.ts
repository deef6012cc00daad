/**
 * A tiny float64 n-d array for the references: shape, row-major data, and coordinate helpers.
 * Written independently of the library (plain loops over coordinates), so a bug in a kernel's
 * index math cannot hide in a shared helper.
 */
export interface Nd {
  shape: number[];
  data: Float64Array;
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function nd(shape: number[], data?: ArrayLike<number>): Nd {
  return { shape, data: data ? Float64Array.from(data) : new Float64Array(size(shape)) };
}

/** Coordinates of flat index `i` in `shape`. */
export function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

/** Flat index of coordinates `c` in `shape`. */
export function flatIndex(c: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + c[d];
  return i;
}

/** NumPy broadcast shape. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error('not broadcastable');
    return Math.max(da, db);
  });
}

/** The element of `x` that output coordinate `c` (of a broadcast shape) reads. */
export function broadcastRead(x: Nd, c: readonly number[]): number {
  const off = c.length - x.shape.length;
  const own = x.shape.map((d, i) => (d === 1 ? 0 : c[i + off]));
  return x.data[flatIndex(own, x.shape)];
}

/** Elementwise function of any number of broadcast operands. */
export function zipWith(f: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = xs.map((x) => x.shape).reduce((s, t) => broadcastShape(s, t));
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = coords(i, shape);
    out.data[i] = f(...xs.map((x) => broadcastRead(x, c)));
  }
  return out;
}

/** Reduces `x` over `dims` with `f` (from `init`), keeping size-1 dims if `keepdim`. */
export function reduceRef(x: Nd, dims: number[], f: (acc: number, v: number) => number, init: number, keepdim: boolean): Nd {
  const keptShape = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const out = nd(keptShape);
  out.data.fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const c = coords(i, x.shape).map((v, d) => (dims.includes(d) ? 0 : v));
    const o = flatIndex(c, keptShape);
    out.data[o] = f(out.data[o], x.data[i]);
  }
  return { shape: keepdim ? keptShape : x.shape.filter((_, d) => !dims.includes(d)), data: out.data };
}

/** Permutes dimensions: output dim i is input dim perm[i]. */
export function permuteRef(x: Nd, perm: number[]): Nd {
  const shape = perm.map((p) => x.shape[p]);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = coords(i, shape);
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, k) => (src[p] = c[k]));
    out.data[i] = x.data[flatIndex(src, x.shape)];
  }
  return out;
}
