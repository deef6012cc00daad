/**
 * float64 references for the reductions: sum, mean, max (with its gradient routed to the first
 * maximal element) and argmax (first index on ties), over any set of dimensions.
 */
import { type Nd, type RefOp, forEachIndex, nd, normDim, size } from './ndarray.js';

interface Plan {
  dims: number[];
  /** Output shape with reduced dims kept as 1 (the data layout is the same without keepdim). */
  keptShape: number[];
  outShape: number[];
  count: number;
}

/** `dims` undefined reduces everything (and gives a 0-d result unless keepdim). */
function plan(shape: number[], dims: number[] | undefined, keepdim: boolean): Plan {
  const rank = shape.length;
  const all = dims === undefined;
  const list = all ? shape.map((_, d) => d) : [...new Set(dims.map((d) => normDim(d, Math.max(rank, 1))))];
  const keptShape = shape.map((s, d) => (list.includes(d) ? 1 : s));
  const outShape = keepdim ? keptShape : shape.filter((_, d) => !list.includes(d));
  return { dims: list, keptShape, outShape, count: size(list.map((d) => shape[d] ?? 1)) };
}

/** For each input element, the flat index of the output element it is reduced into. */
function outputIndex(shape: number[], p: Plan): Int32Array {
  const index = new Int32Array(size(shape));
  forEachIndex(shape, (c, i) => {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * p.keptShape[d] + (p.dims.includes(d) ? 0 : c[d]);
    index[i] = o;
  });
  return index;
}

/** sum (scale 1) or mean (scale 1/count) over `dims`; backward: every element gets g * scale. */
function sumLike(dims: number[] | undefined, keepdim: boolean, mean: boolean): RefOp {
  return {
    forward: (x) => {
      const p = plan(x.shape, dims, keepdim);
      const out = nd(p.outShape);
      const index = outputIndex(x.shape, p);
      x.data.forEach((v, i) => (out.data[index[i]] += v));
      if (mean) out.data = out.data.map((v) => v / p.count);
      return out;
    },
    backward: (g, x) => {
      const p = plan(x.shape, dims, keepdim);
      const index = outputIndex(x.shape, p);
      return [
        nd(
          x.shape,
          Array.from(index, (o) => g.data[o] / (mean ? p.count : 1)),
        ),
      ];
    },
  };
}

export const sumRef = (dims: number[] | undefined, keepdim = false) => sumLike(dims, keepdim, false);
export const meanRef = (dims: number[] | undefined, keepdim = false) => sumLike(dims, keepdim, true);
export const minRef = (dim: number | undefined, keepdim = false) => maxRef(dim, keepdim, true);
export const argminRef = (x: Nd, dim: number | undefined, keepdim = false) => argmaxRef(x, dim, keepdim, true);

/** Index (into x) of the first maximal (or, with `smallest`, minimal) element of each output, and the output plan. */
function firstMax(x: Nd, dim: number | undefined, keepdim: boolean, smallest = false): { p: Plan; best: Int32Array } {
  const p = plan(x.shape, dim === undefined ? undefined : [dim], keepdim);
  const index = outputIndex(x.shape, p);
  const best = new Int32Array(size(p.outShape)).fill(-1);
  x.data.forEach((v, i) => {
    const o = index[i];
    // strict comparisons: the first one wins ties
    if (best[o] < 0 || (smallest ? v < x.data[best[o]] : v > x.data[best[o]])) best[o] = i;
  });
  return { p, best };
}

/** max (min with `smallest`) over one dim or all; the gradient goes to the first maximal (minimal) element only. */
export function maxRef(dim: number | undefined, keepdim = false, smallest = false): RefOp {
  return {
    forward: (x) => {
      const { p, best } = firstMax(x, dim, keepdim, smallest);
      return nd(
        p.outShape,
        Array.from(best, (i) => x.data[i]),
      );
    },
    backward: (g, x) => {
      const { best } = firstMax(x, dim, keepdim, smallest);
      const dx = nd(x.shape);
      best.forEach((i, o) => (dx.data[i] += g.data[o]));
      return [dx];
    },
  };
}

/** argmax (argmin with `smallest`): the position along `dim` (or in the flattened tensor) of the first maximal (minimal) element. */
export function argmaxRef(x: Nd, dim: number | undefined, keepdim = false, smallest = false): Nd {
  const { p, best } = firstMax(x, dim, keepdim, smallest);
  if (dim === undefined) return nd(keepdim ? x.shape.map(() => 1) : [], [best[0]]);
  const d = normDim(dim, x.shape.length);
  const stride = size(x.shape.slice(d + 1));
  return nd(
    p.outShape,
    Array.from(best, (i) => Math.floor(i / stride) % x.shape[d]),
  );
}
