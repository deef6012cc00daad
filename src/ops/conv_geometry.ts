/**
 * The shapes of a 2-D convolution: `Pair` arguments as PyTorch takes them (one number or [h, w])
 * and the geometry every convolution kernel launch is computed from.
 */

/** One number for both axes, or [h, w], as PyTorch's `_pair` arguments. */
export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Sizes of one convolution: input [n, c, h, w], output [n, cout, oh, ow], kernel kh x kw. */
export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  groups: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  stride: [number, number];
  pad: [number, number];
  dil: [number, number];
}
