/**
 * What the depthwise kernels' launchers (depthwise_kernels.ts, depthwise_weight_kernels.ts) share:
 * the geometry of one depthwise convolution, the sizes of the shaders' register arrays, tiles and
 * lanes, and `overPlanes`, which dispatches a kernel over all planes (n, channel), 65535 at most
 * per dispatch (each invocation owns a tile or strip of one plane; the plane comes from the
 * workgroup's z, so there is no integer division per element).
 */
import { dispatch, type KernelSpec, type NamedKernel, type Specialisation, type Uniforms } from '../gpu/kernel.js';
import type { Tensor } from '../tensor.js';

/** Everything the kernels need to know about one depthwise convolution (sizes already checked). */
export interface DepthwiseGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  stride: [number, number];
  pad: [number, number];
  dil: [number, number];
}

// Sizes of the kernels' register arrays (MAX_BH, MAX_BW, MAX_SEG, MAX_V, MAX_TAPS, MAX_KH in the shaders).
export const MAX_BH = 4;
export const MAX_BW = 8;
export const MAX_SEG = 64;
export const MAX_V = 8;
export const MAX_TAPS = 121;
export const MAX_KH = 11;
/** Workgroup memory of version 01's weight-gradient reduction: (taps + 1) x lanes floats. */
export const WORKGROUP_BYTES = 16384;
const MAX_PLANES = 65535;
/** Tiles: 4 x 4 outputs (01, 02); 4 x 8 (03, vec4 rows); strips of 8 columns (dW 02). */
export const TILE = { bh: 4, bw: 4 };
export const VEC4_TILE = { bh: 4, bw: 8 };
export const STRIP = 8;

export const pow2AtMost = (v: number, cap: number) => Math.min(cap, 2 ** Math.ceil(Math.log2(Math.max(1, v))));

/** Lanes (x along a row's tiles, y along rows), at most 64, no wider than the plane. */
export function lanes(tilesX: number, tilesY: number): [number, number] {
  const x = pow2AtMost(tilesX, 16);
  return [x, pow2AtMost(tilesY, 64 / x)];
}

/**
 * Dispatches `kernel` over `total` planes, at most 65535 per dispatch: `uniforms` and `grid` get the
 * dispatch's first plane and plane count.
 */
export function overPlanes<N extends string, S extends KernelSpec>(
  kernel: NamedKernel<N, S>,
  spec: Specialisation<S>,
  total: number,
  uniforms: (plane0: number, planes: number) => Uniforms<S>,
  tensors: Tensor[],
  grid: (planes: number) => number[],
): void {
  const buffers = tensors.map((t) => t.buffer);
  for (let p0 = 0; p0 < total; p0 += MAX_PLANES) {
    const planes = Math.min(MAX_PLANES, total - p0);
    dispatch(kernel, spec, uniforms(p0, planes), buffers, grid(planes));
  }
}

export const planeUniforms = (g: DepthwiseGeometry, plane0: number) => ({
  h: g.h,
  w: g.w,
  oh: g.oh,
  ow: g.ow,
  cin: g.c,
  cout: g.cout,
  plane0,
});

export function geometryConstants(g: DepthwiseGeometry) {
  return {
    KH: g.kh,
    KW: g.kw,
    STRIDE_H: g.stride[0],
    STRIDE_W: g.stride[1],
    DIL_H: g.dil[0],
    DIL_W: g.dil[1],
    PAD_H: g.pad[0],
    PAD_W: g.pad[1],
    MULT: g.cout / g.c,
  };
}

/** Values one tile row reads along the width: (B - 1) S + (K - 1) D + 1. */
export const segment = (b: number, k: number, s: number, d: number) => (b - 1) * s + (k - 1) * d + 1;

/** Vec4 rows: source and output rows start on vec4s, and the row window fits MAX_V vec4s. */
export function vec4Fits(
  srcW: number,
  outW: number,
  kw: number,
  sw: number,
  dw: number,
  pw: number,
  bw: number,
): boolean {
  const nv = Math.ceil((Math.ceil(pw / 4) * 4 - pw + segment(bw, kw, sw, dw)) / 4);
  return srcW % 4 === 0 && outW % 4 === 0 && pw >= 0 && nv <= MAX_V;
}
