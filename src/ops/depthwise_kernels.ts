/**
 * Launchers of the depthwise convolution kernels (`shaders/depthwise_conv2d/`), one per kernel
 * family, and what each needs of a shape. `depthwise_conv.ts` picks among them per shape. Each
 * invocation owns a tile of one plane (n, channel), the plane comes from the workgroup's z (no
 * integer division per invocation), and dispatches of more than 65535 planes are split.
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';

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
const MAX_BH = 4;
const MAX_BW = 8;
const MAX_SEG = 64;
const MAX_V = 8;
const MAX_TAPS = 121;
const MAX_KH = 11;
/** Workgroup memory of version 01's weight-gradient reduction: (taps + 1) x lanes floats. */
const WORKGROUP_BYTES = 16384;
const MAX_PLANES = 65535;
/** Tiles: 4 x 4 outputs (01, 02); 4 x 8 (03, vec4 rows); strips of 8 columns (dW 02). */
const TILE = { bh: 4, bw: 4 };
const VEC4_TILE = { bh: 4, bw: 8 };
const STRIP = 8;

const pow2AtMost = (v: number, cap: number) => Math.min(cap, 2 ** Math.ceil(Math.log2(Math.max(1, v))));

/** Lanes (x along a row's tiles, y along rows), at most 64, no wider than the plane. */
function lanes(tilesX: number, tilesY: number): [number, number] {
  const x = pow2AtMost(tilesX, 16);
  return [x, pow2AtMost(tilesY, 64 / x)];
}

/** Runs `launch(plane0, planes)` over all planes, at most 65535 workgroups deep each. */
function overPlanes(total: number, launch: (plane0: number, planes: number) => void): void {
  for (let p0 = 0; p0 < total; p0 += MAX_PLANES) launch(p0, Math.min(MAX_PLANES, total - p0));
}

const planeUniforms = (g: DepthwiseGeometry, plane0: number) => ({
  h: g.h,
  w: g.w,
  oh: g.oh,
  ow: g.ow,
  cin: g.c,
  cout: g.cout,
  plane0,
});

function geometryConstants(g: DepthwiseGeometry) {
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
const segment = (b: number, k: number, s: number, d: number) => (b - 1) * s + (k - 1) * d + 1;

/** Vec4 rows: source and output rows start on vec4s, and the row window fits MAX_V vec4s. */
function vec4Fits(srcW: number, outW: number, kw: number, sw: number, dw: number, pw: number, bw: number): boolean {
  const nv = Math.ceil((Math.ceil(pw / 4) * 4 - pw + segment(bw, kw, sw, dw)) / 4);
  return srcW % 4 === 0 && outW % 4 === 0 && pw >= 0 && nv <= MAX_V;
}

// ---- forward ----

export const forwardFits = {
  '04_stream3x3': (g: DepthwiseGeometry) => stream3x3Fits(g, false),
  '03_vec4_rows': (g: DepthwiseGeometry) => vec4Fits(g.w, g.ow, g.kw, g.stride[1], g.dil[1], g.pad[1], VEC4_TILE.bw),
  '02_sliding_rows': (g: DepthwiseGeometry) => segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
  '01_register_tile': (g: DepthwiseGeometry) => segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
};

/** Versions 01 and 02: y = x (*) w + bias at any width, 4 x 4 tiles. */
export function forwardRowTile(
  version: '01_register_tile' | '02_sliding_rows',
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  y: Tensor,
  g: DepthwiseGeometry,
): void {
  const tilesX = Math.ceil(g.ow / TILE.bw);
  const tilesY = Math.ceil(g.oh / TILE.bh);
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const kernel =
    version === '01_register_tile'
      ? K.depthwise_conv2d_forward_01_register_tile
      : K.depthwise_conv2d_forward_02_sliding_rows;
  const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: TILE.bh, BW: TILE.bw, HAS_BIAS: !!bias };
  overPlanes(g.n * g.cout, (p0, planes) =>
    dispatch(
      kernel,
      spec,
      planeUniforms(g, p0),
      [x.buffer, weight.buffer, (bias ?? weight).buffer, y.buffer],
      [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes],
    ),
  );
}

/**
 * Version 03 (vec4 rows): out = src (*) w + bias, or with `transposed` (stride 1) the input
 * gradient: src = dy, out = dx, the kernel flipped and padded by (K - 1) D - P.
 */
export function vec4Rows(
  src: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  out: Tensor,
  g: DepthwiseGeometry,
  transposed: boolean,
): void {
  const [srcH, srcW, outH, outW, srcC, outC] = transposed
    ? [g.oh, g.ow, g.h, g.w, g.cout, g.c]
    : [g.h, g.w, g.oh, g.ow, g.c, g.cout];
  const pad = transposed ? [(g.kh - 1) * g.dil[0] - g.pad[0], (g.kw - 1) * g.dil[1] - g.pad[1]] : g.pad;
  const tilesX = Math.ceil(outW / VEC4_TILE.bw);
  const tilesY = Math.ceil(outH / VEC4_TILE.bh);
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const spec = {
    ...geometryConstants(g),
    PAD_H: pad[0],
    PAD_W: pad[1],
    WG_X: wgX,
    WG_Y: wgY,
    BH: VEC4_TILE.bh,
    BW: VEC4_TILE.bw,
    HAS_BIAS: !!bias,
    TRANSPOSED: transposed,
    SOURCES: transposed ? g.cout / g.c : 1,
  };
  const uniforms = (plane0: number) => ({
    src_h: srcH,
    src_w: srcW,
    out_h: outH,
    out_w: outW,
    src_c: srcC,
    out_c: outC,
    plane0,
  });
  overPlanes(g.n * outC, (p0, planes) =>
    dispatch(
      K.depthwise_conv2d_forward_03_vec4_rows,
      spec,
      uniforms(p0),
      [src.buffer, weight.buffer, (bias ?? weight).buffer, out.buffer],
      [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes],
    ),
  );
}

/** Version 04 (3x3 streams): 3x3, stride 1, dilation 1, column padding 1, widths of 4n (dx: M = 1). */
export const stream3x3Fits = (g: DepthwiseGeometry, transposed: boolean) =>
  g.kh === 3 &&
  g.kw === 3 &&
  g.stride[0] === 1 &&
  g.stride[1] === 1 &&
  g.dil[0] === 1 &&
  g.dil[1] === 1 &&
  g.pad[1] === 1 &&
  g.pad[0] <= 2 &&
  g.w % 4 === 0 &&
  (!transposed || g.cout === g.c);

/**
 * Version 04's lanes and rows: strips of 8 columns across (WG_X of them, at most 16), then BH
 * (4 to 8) rows per invocation chosen so that WG_Y rows of tiles cover the plane with the least
 * idle lanes: 56 x 56 runs as 7 x 8 invocations of 8 x 7 outputs.
 */
function streamLanes(outH: number, outW: number) {
  const strips = Math.ceil(outW / 8);
  const wgX = Math.min(strips, 16);
  const maxY = Math.max(1, Math.floor(64 / wgX));
  const bh = Math.min(8, Math.max(4, Math.ceil(outH / maxY)));
  const wgY = Math.min(maxY, Math.ceil(outH / bh));
  return { strips, wgX, wgY, bh };
}

/** Version 04: out = src (*) w + bias, or with `transposed` the input gradient (3x3, stride 1). */
export function stream3x3(
  src: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  out: Tensor,
  g: DepthwiseGeometry,
  transposed: boolean,
): void {
  const [srcH, srcW, outH, outW, srcC, outC] = transposed
    ? [g.oh, g.ow, g.h, g.w, g.cout, g.c]
    : [g.h, g.w, g.oh, g.ow, g.c, g.cout];
  const { strips, wgX, wgY, bh } = streamLanes(outH, outW);
  const spec = {
    WG_X: wgX,
    WG_Y: wgY,
    BH: bh,
    PAD_H: transposed ? 2 - g.pad[0] : g.pad[0],
    MULT: g.cout / g.c,
    TRANSPOSED: transposed,
    HAS_BIAS: !!bias,
  };
  const uniforms = (plane0: number) => ({
    src_h: srcH,
    src_w: srcW,
    out_h: outH,
    out_w: outW,
    src_c: srcC,
    out_c: outC,
    plane0,
  });
  overPlanes(g.n * outC, (p0, planes) =>
    dispatch(
      K.depthwise_conv2d_forward_04_stream3x3,
      spec,
      uniforms(p0),
      [src.buffer, weight.buffer, (bias ?? weight).buffer, out.buffer],
      [Math.ceil(strips / wgX), Math.ceil(Math.ceil(outH / bh) / wgY), planes],
    ),
  );
}

// ---- input gradient ----

/** Version 01's dx tile: multiples of the strides, so that every tile starts on a stride boundary. */
function inputTile(g: DepthwiseGeometry) {
  const [sh, sw] = g.stride;
  const bh = sh * Math.max(1, Math.floor(TILE.bh / sh));
  const bw = sw * Math.max(1, Math.floor(TILE.bw / sw));
  // dy values one tile row reads (the shader's seg_w).
  const segW = Math.floor((bw - 1 + g.pad[1]) / sw) - Math.floor((g.pad[1] - (g.kw - 1) * g.dil[1]) / sw) + 1;
  return { bh, bw, segW };
}

export const inputGradFits = {
  '04_stream3x3': (g: DepthwiseGeometry) => stream3x3Fits(g, true),
  '03_vec4_rows': (g: DepthwiseGeometry) =>
    g.stride[0] === 1 &&
    g.stride[1] === 1 &&
    g.pad[0] <= (g.kh - 1) * g.dil[0] &&
    vec4Fits(g.ow, g.w, g.kw, 1, g.dil[1], (g.kw - 1) * g.dil[1] - g.pad[1], VEC4_TILE.bw),
  '01_register_tile': (g: DepthwiseGeometry) => {
    const t = inputTile(g);
    return t.bh <= MAX_BH && t.bw <= MAX_BW && t.segW <= MAX_SEG;
  },
};

/** Version 01: dx from dy at any stride and width. */
export function inputGradTile(dy: Tensor, weight: Tensor, dx: Tensor, g: DepthwiseGeometry): void {
  const t = inputTile(g);
  const tilesX = Math.ceil(g.w / t.bw);
  const tilesY = Math.ceil(g.h / t.bh);
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: t.bh, BW: t.bw };
  overPlanes(g.n * g.c, (p0, planes) =>
    dispatch(
      K.depthwise_conv2d_backward_input_01_register_tile,
      spec,
      planeUniforms(g, p0),
      [dy.buffer, weight.buffer, dx.buffer],
      [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes],
    ),
  );
}

// ---- weight and bias gradients ----

/** Pass 1's partial sums: [N Cout, strips, KH KW + 1] (the taps, then the bias). */
export interface Partials {
  partial: Tensor;
  strips: number;
}

const stripsFit = (g: DepthwiseGeometry) =>
  g.kh <= MAX_KH && g.kh * g.kw <= MAX_TAPS && vec4Fits(g.w, g.ow, g.kw, g.stride[1], g.dil[1], g.pad[1], STRIP);

export const weightGradFits = {
  '03_vec4_strips_shift': stripsFit,
  '02_vec4_strips': stripsFit,
  '01_plane_partials': (g: DepthwiseGeometry) =>
    g.kh * g.kw <= MAX_TAPS && segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
};

/** Version 01: one workgroup per plane, reduced in workgroup memory. */
export function partialsPerPlane(x: Tensor, dy: Tensor, g: DepthwiseGeometry): Partials {
  const taps = g.kh * g.kw;
  const partial = Tensor.empty([g.n * g.cout, taps + 1]);
  const maxLanes = Math.min(64, 2 ** Math.floor(Math.log2(WORKGROUP_BYTES / (4 * (taps + 1)))));
  const wgX = pow2AtMost(Math.ceil(g.ow / TILE.bw), Math.min(16, maxLanes));
  const wgY = pow2AtMost(Math.ceil(g.oh / TILE.bh), maxLanes / wgX);
  const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: TILE.bh, BW: TILE.bw };
  overPlanes(g.n * g.cout, (p0, planes) =>
    dispatch(
      K.depthwise_conv2d_backward_weight_01_plane_partials,
      spec,
      planeUniforms(g, p0),
      [x.buffer, dy.buffer, partial.buffer],
      [1, 1, planes],
    ),
  );
  return { partial, strips: 1 };
}

/** Versions 02 and 03: one invocation per strip of 8 columns, vec4 rows (03: row windows reused at any stride). */
export function partialsPerStrip(
  version: '02_vec4_strips' | '03_vec4_strips_shift',
  x: Tensor,
  dy: Tensor,
  g: DepthwiseGeometry,
): Partials {
  const taps = g.kh * g.kw;
  const strips = Math.ceil(g.ow / STRIP);
  const partial = Tensor.empty([g.n * g.cout, strips, taps + 1]);
  const wgX = pow2AtMost(strips, 8);
  const spec = { ...geometryConstants(g), WG_X: wgX, BW: STRIP };
  overPlanes(g.n * g.cout, (p0, planes) =>
    dispatch(
      version === '02_vec4_strips'
        ? K.depthwise_conv2d_backward_weight_02_vec4_strips
        : K.depthwise_conv2d_backward_weight_03_vec4_strips_shift,
      spec,
      { ...planeUniforms(g, p0), strips },
      [x.buffer, dy.buffer, partial.buffer],
      [Math.ceil(strips / wgX), 1, planes],
    ),
  );
  return { partial, strips };
}

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
