/**
 * float64 references for comparisons (masks of 1 and 0), `where` (with its gradient to each
 * branch), and casts.
 */
import { type Nd, type RefOp, broadcastIndex, forEachIndex, nd, zipWith } from './ndarray.js';

type Test = (x: number, y: number) => boolean;

export const COMPARE_TESTS: Record<'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', Test> = {
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
};

export const compareRef = (test: Test) => (a: Nd, b: Nd) => zipWith((x, y) => (test(x, y) ? 1 : 0), a, b);

/**
 * where(cond, a, b) = cond != 0 ? a : b, all three broadcast. Backward: g goes to `a` where the
 * condition holds and to `b` elsewhere, summed over broadcast dims; the condition gets none.
 */
export const whereRef: RefOp = {
  forward: (cond, a, b) => zipWith((c, x, y) => (c !== 0 ? x : y), cond, a, b),
  backward: (g, cond, a, b) => {
    const ga = nd(a.shape);
    const gb = nd(b.shape);
    forEachIndex(g.shape, (c, i) => {
      if (cond.data[broadcastIndex(cond.shape, c)] !== 0) ga.data[broadcastIndex(a.shape, c)] += g.data[i];
      else gb.data[broadcastIndex(b.shape, c)] += g.data[i];
    });
    return [null, ga, gb];
  },
};

/** float32 -> int32 truncates toward zero. */
export const truncRef = (x: Nd) =>
  nd(
    x.shape,
    x.data.map((v) => Math.trunc(v) + 0),
  ); // + 0: no -0
