/**
 * A tiny float64 n-d array for the references: shape, row-major data, coordinate helpers, and
 * the `RefOp` contract every reference implements (forward and backward).
 *
 * Written independently of the library (plain loops over coordinates, no imports from src/),
 * so a bug in a kernel's index math cannot hide in a shared helper.
 */
export interface Nd {
  shape: number[];
  data: Float64Array;
}

/**
 * A float64 reference of one op: its forward, and its backward, the gradients of
 * sum(forward(xs) * g) with respect to each input (null for inputs that are not differentiable,
 * such as `where`'s condition).
 */
export interface RefOp {
  forward(...xs: Nd[]): Nd;
  backward(g: Nd, ...xs: Nd[]): (Nd | null)[];
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function nd(shape: number[], data?: ArrayLike<number>): Nd {
  const out = { shape: [...shape], data: data ? Float64Array.from(data) : new Float64Array(size(shape)) };
  if (out.data.length !== size(shape)) throw new Error(`nd: ${out.data.length} values for shape [${shape}]`);
  return out;
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

/**
 * Calls `f(c, i)` for every element of `shape` in row-major order, with `c` its coordinates
 * (one array, updated in place: copy it to keep it).
 */
export function forEachIndex(shape: readonly number[], f: (c: number[], i: number) => void): void {
  const n = size(shape);
  const c = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    f(c, i);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++c[d] < shape[d]) break;
      c[d] = 0;
    }
  }
}

/** NumPy broadcast shape. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`[${a}] and [${b}] are not broadcastable`);
    return da === 1 ? db : da;
  });
}

/** Flat index into an operand of shape `shape` read at coordinate `c` of a (larger) broadcast shape. */
export function broadcastIndex(shape: readonly number[], c: readonly number[]): number {
  const off = c.length - shape.length;
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + (shape[d] === 1 ? 0 : c[d + off]);
  return i;
}

/** Elementwise function of any number of broadcast operands. */
export function zipWith(f: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = xs.map((x) => x.shape).reduce((s, t) => broadcastShape(s, t), []);
  const out = nd(shape);
  forEachIndex(shape, (c, i) => {
    out.data[i] = f(...xs.map((x) => x.data[broadcastIndex(x.shape, c)]));
  });
  return out;
}

/** The gradient of broadcasting: `g` (a broadcast shape) summed down to `shape`. */
export function sumToShapeRef(g: Nd, shape: number[]): Nd {
  const out = nd(shape);
  forEachIndex(g.shape, (c, i) => {
    out.data[broadcastIndex(shape, c)] += g.data[i];
  });
  return out;
}

/** Resolves a possibly negative dimension. */
export const normDim = (d: number, rank: number) => (d < 0 ? d + rank : d);
