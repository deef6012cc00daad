/**
 * float64 references for the shape ops: reshape, permute/transpose, expand, slice (Python
 * semantics) and cat. Each backward moves the gradient back element by element, written
 * directly rather than as "the other op", so that forward and backward are checked separately.
 */
import { type Nd, type RefOp, coords, flatIndex, forEachIndex, nd, normDim, size, sumToShapeRef } from './ndarray.js';

/** Same data, new shape (one -1 inferred). */
export function reshapeRef(shape: number[]): RefOp {
  return {
    forward: (x) => {
      const known = size(shape.filter((d) => d !== -1));
      return nd(
        shape.map((d) => (d === -1 ? x.data.length / known : d)),
        x.data,
      );
    },
    backward: (g, x) => [nd(x.shape, g.data)],
  };
}

/** Output dim k is input dim perm[k]. */
export function permuteRef(perm: number[]): RefOp {
  const source = (x: Nd, c: number[]) => {
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, k) => (src[normDim(p, x.shape.length)] = c[k]));
    return flatIndex(src, x.shape);
  };
  const outShape = (x: Nd) => perm.map((p) => x.shape[normDim(p, x.shape.length)]);
  return {
    forward: (x) => {
      const out = nd(outShape(x));
      forEachIndex(out.shape, (c, i) => (out.data[i] = x.data[source(x, c)]));
      return out;
    },
    backward: (g, x) => {
      const dx = nd(x.shape);
      forEachIndex(outShape(x), (c, i) => (dx.data[source(x, c)] += g.data[i]));
      return [dx];
    },
  };
}

export function transposeRef(rank: number, d0: number, d1: number): RefOp {
  const perm = Array.from({ length: rank }, (_, i) => i);
  const [a, b] = [normDim(d0, rank), normDim(d1, rank)];
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permuteRef(perm);
}

/** Broadcast to `shape`; backward sums over the broadcast dims. */
export function expandRef(shape: number[]): RefOp {
  return {
    forward: (x) => {
      const out = nd(shape);
      const off = shape.length - x.shape.length;
      forEachIndex(shape, (c, i) => {
        const own = x.shape.map((s, d) => (s === 1 ? 0 : c[d + off]));
        out.data[i] = x.data[flatIndex(own, x.shape)];
      });
      return out;
    },
    backward: (g, x) => [sumToShapeRef(g, x.shape)],
  };
}

/** The indices Python's `range(n)[start:end:step]` picks (step > 0). */
export function pythonSlice(n: number, start: number | undefined, end: number | undefined, step: number): number[] {
  const resolve = (i: number) => (i < 0 ? Math.max(i + n, 0) : Math.min(i, n));
  const picked: number[] = [];
  for (let i = resolve(start ?? 0); i < resolve(end ?? n); i += step) picked.push(i);
  return picked;
}

/** x[..., start:end:step, ...] along `dim`; backward scatters g into zeros. */
export function sliceRef(dim: number, start?: number, end?: number, step = 1): RefOp {
  const geometry = (x: Nd) => {
    const d = normDim(dim, x.shape.length);
    const picked = pythonSlice(x.shape[d], start, end, step);
    return { d, picked, shape: x.shape.map((s, k) => (k === d ? picked.length : s)) };
  };
  const source = (x: Nd, d: number, picked: number[], c: number[]) => {
    const src = [...c];
    src[d] = picked[c[d]];
    return flatIndex(src, x.shape);
  };
  return {
    forward: (x) => {
      const { d, picked, shape } = geometry(x);
      const out = nd(shape);
      forEachIndex(shape, (c, i) => (out.data[i] = x.data[source(x, d, picked, c)]));
      return out;
    },
    backward: (g, x) => {
      const { d, picked, shape } = geometry(x);
      const dx = nd(x.shape);
      forEachIndex(shape, (c, i) => (dx.data[source(x, d, picked, c)] += g.data[i]));
      return [dx];
    },
  };
}

/** Concatenation along `dim`; backward hands each input its block of g. */
export function catRef(dim: number): RefOp {
  // For output coordinate c: which input, and its coordinate there.
  const locate = (xs: Nd[], d: number, c: number[]) => {
    const local = [...c];
    let j = 0;
    while (local[d] >= xs[j].shape[d]) local[d] -= xs[j++].shape[d];
    return { j, index: flatIndex(local, xs[j].shape) };
  };
  const outShape = (xs: Nd[], d: number) =>
    xs[0].shape.map((s, k) => (k === d ? xs.reduce((n, x) => n + x.shape[d], 0) : s));
  return {
    forward: (...xs) => {
      const d = normDim(dim, xs[0].shape.length);
      const out = nd(outShape(xs, d));
      forEachIndex(out.shape, (c, i) => {
        const { j, index } = locate(xs, d, c);
        out.data[i] = xs[j].data[index];
      });
      return out;
    },
    backward: (g, ...xs) => {
      const d = normDim(dim, xs[0].shape.length);
      const grads = xs.map((x) => nd(x.shape));
      for (let i = 0; i < g.data.length; i++) {
        const { j, index } = locate(xs, d, coords(i, g.shape));
        grads[j].data[index] += g.data[i];
      }
      return grads;
    },
  };
}
