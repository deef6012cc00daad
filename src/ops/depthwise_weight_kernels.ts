/**
 * The depthwise convolution's weight- and bias-gradient kernels (`shaders/depthwise_conv2d/`) as a
 * table: each version's `fits` and its pass 1 (partial sums of dy x per plane or strip), then
 * `sumPartials`, pass 2 (the sum over planes and strips: no atomics, deterministic).
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import {
  type DepthwiseGeometry,
  MAX_KH,
  MAX_SEG,
  MAX_TAPS,
  STRIP,
  TILE,
  WORKGROUP_BYTES,
  geometryConstants,
  overPlanes,
  planeUniforms,
  pow2AtMost,
  segment,
  vec4Fits,
} from './depthwise_geometry.js';

/** Pass 1's partial sums: [N Cout, strips, KH KW + 1] (the taps, then the bias). */
export interface Partials {
  partial: Tensor;
  strips: number;
}

/** Version 03: one invocation per strip of 8 columns, vec4 rows, row windows reused at any stride. */
function partialsPerStrip(x: Tensor, dy: Tensor, g: DepthwiseGeometry): Partials {
  const strips = Math.ceil(g.ow / STRIP);
  const partial = Tensor.empty([g.n * g.cout, strips, g.kh * g.kw + 1]);
  const wgX = pow2AtMost(strips, 8);
  const spec = { ...geometryConstants(g), WG_X: wgX, BW: STRIP };
  const uniforms = (p0: number) => ({ ...planeUniforms(g, p0), strips });
  const grid = (planes: number) => [Math.ceil(strips / wgX), 1, planes];
  const kernel = K.depthwise_conv2d_backward_weight_03_vec4_strips_shift;
  overPlanes(kernel, spec, g.n * g.cout, uniforms, [x, dy, partial], grid);
  return { partial, strips };
}

const stripsFit = (g: DepthwiseGeometry) =>
  g.kh <= MAX_KH && g.kh * g.kw <= MAX_TAPS && vec4Fits(g.w, g.ow, g.kw, g.stride[1], g.dil[1], g.pad[1], STRIP);

/** Weight-gradient versions: what each needs of a shape, and its pass 1. */
export const WEIGHT_GRAD: Record<
  string,
  { fits: (g: DepthwiseGeometry) => boolean; partials: (x: Tensor, dy: Tensor, g: DepthwiseGeometry) => Partials }
> = {
  '03_vec4_strips_shift': { fits: stripsFit, partials: partialsPerStrip },
  '01_plane_partials': {
    fits: (g) => g.kh * g.kw <= MAX_TAPS && segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
    // One workgroup per plane, reduced in workgroup memory.
    partials: (x, dy, g) => {
      const taps = g.kh * g.kw;
      const partial = Tensor.empty([g.n * g.cout, taps + 1]);
      const maxLanes = Math.min(64, 2 ** Math.floor(Math.log2(WORKGROUP_BYTES / (4 * (taps + 1)))));
      const wgX = pow2AtMost(Math.ceil(g.ow / TILE.bw), Math.min(16, maxLanes));
      const wgY = pow2AtMost(Math.ceil(g.oh / TILE.bh), maxLanes / wgX);
      const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: TILE.bh, BW: TILE.bw };
      const kernel = K.depthwise_conv2d_backward_weight_01_plane_partials;
      overPlanes(
        kernel,
        spec,
        g.n * g.cout,
        (p0) => planeUniforms(g, p0),
        [x, dy, partial],
        (n) => [1, 1, n],
      );
      return { partial, strips: 1 };
    },
  },
};

/** Pass 2: out[co, t] = sum over n and strips of partial[n Cout + co, strip, first + t]. */
export function sumPartials(
  { partial, strips }: Partials,
  g: DepthwiseGeometry,
  first: number,
  shape: number[],
): Tensor {
  const taps = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = Tensor.empty(shape);
  const uniforms = { n: g.n, cout: g.cout, stride: g.kh * g.kw + 1, first, taps, strips };
  dispatch(
    K.depthwise_conv2d_backward_weight_sum,
    { WG: 64 },
    uniforms,
    [partial.buffer, out.buffer],
    gridFor(g.cout * taps, 64),
  );
  return out;
}
