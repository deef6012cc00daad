/**
 * The depthwise convolution kernels (`shaders/depthwise_conv2d/`) of the forward and input-gradient
 * passes as two tables: each version's `fits` (what it needs of a shape) and its launcher
 * (depthwise_weight_kernels.ts holds the weight gradient's). `depthwise_conv.ts` routes each shape
 * to a version.
 */
import { K } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import {
  type DepthwiseGeometry,
  MAX_BH,
  MAX_BW,
  MAX_SEG,
  TILE,
  VEC4_TILE,
  geometryConstants,
  lanes,
  overPlanes,
  planeUniforms,
  segment,
  vec4Fits,
} from './depthwise_geometry.js';

/** A forward launcher: y = x (*) w + bias (bias null: none). */
type Forward = (x: Tensor, weight: Tensor, bias: Tensor | null, y: Tensor, g: DepthwiseGeometry) => void;
/** An input-gradient launcher: dx from dy. */
type InputGrad = (dy: Tensor, weight: Tensor, dx: Tensor, g: DepthwiseGeometry) => void;

/** Source and output sides of a pass: the forward reads x and writes y, `transposed` reads dy and writes dx. */
function sides(g: DepthwiseGeometry, transposed: boolean) {
  return transposed
    ? { srcH: g.oh, srcW: g.ow, outH: g.h, outW: g.w, srcC: g.cout, outC: g.c }
    : { srcH: g.h, srcW: g.w, outH: g.oh, outW: g.ow, srcC: g.c, outC: g.cout };
}

/** 3x3 with dilation 1 and padding 1 across, at this stride both ways (and rows padded by at most 2). */
const is3x3 = (g: DepthwiseGeometry, stride: number) =>
  g.kh === 3 &&
  g.kw === 3 &&
  g.stride[0] === stride &&
  g.stride[1] === stride &&
  g.dil[0] === 1 &&
  g.dil[1] === 1 &&
  g.pad[1] === 1 &&
  g.pad[0] <= 2;

/**
 * Versions 05/06/dx 02's streams: strips of at most 8 vec4s (V each, as few strips as can be), and
 * chunks of bh rows (a uniform: pipelines depend on the width's vec4 count only, not on batch,
 * channels or height).
 */
function streams(planes: number, vec4s: number, rows: number) {
  const strips = Math.ceil(vec4s / 8);
  const v = Math.ceil(vec4s / strips);
  // Enough invocations for both cores' SIMD lanes; else every invocation streams the whole plane.
  const chunks = Math.max(1, Math.min(Math.ceil(rows / 8), Math.ceil(STREAM_INVOCATIONS / (planes * strips))));
  const bh = Math.ceil(rows / chunks);
  const wgZ = Math.max(1, Math.ceil(STREAM_LANES / strips));
  return { v, bh, wgX: strips, wgZ, grid: (n: number) => [1, Math.ceil(rows / bh), Math.ceil(n / wgZ)] };
}
const STREAM_INVOCATIONS = 1024;
const STREAM_LANES = 16;

/** Version 05: out = src (*) w + bias, or with `transposed` the input gradient (3x3, stride 1, flipped kernel). */
function streamRows(src: Tensor, weight: Tensor, bias: Tensor | null, out: Tensor, g: DepthwiseGeometry, t: boolean) {
  const s = sides(g, t);
  const w4 = g.w / 4;
  const { v, bh, wgX, wgZ, grid } = streams(g.n * s.outC, w4, s.outH);
  const padH = t ? 2 - g.pad[0] : g.pad[0];
  const spec = { WG_X: wgX, WG_Z: wgZ, V: v, PAD_H: padH, MULT: g.cout / g.c, TRANSPOSED: t, HAS_BIAS: !!bias };
  const uniforms = (plane0: number, planes: number) => ({
    ...{ src_h: s.srcH, out_h: s.outH, w4, src_c: s.srcC, out_c: s.outC },
    ...{ plane0, planes, bh },
  });
  const tensors = [src, weight, bias ?? weight, out];
  overPlanes(K.depthwise_conv2d_forward_05_stream_rows, spec, g.n * s.outC, uniforms, tensors, grid);
}

/** Versions 01 and 02: y = x (*) w + bias at any width, 4 x 4 tiles. */
function rowTile(version: '01_register_tile' | '02_sliding_rows'): Forward {
  const kernel =
    version === '01_register_tile'
      ? K.depthwise_conv2d_forward_01_register_tile
      : K.depthwise_conv2d_forward_02_sliding_rows;
  return (x, weight, bias, y, g) => {
    const [tilesX, tilesY] = [Math.ceil(g.ow / TILE.bw), Math.ceil(g.oh / TILE.bh)];
    const [wgX, wgY] = lanes(tilesX, tilesY);
    const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: TILE.bh, BW: TILE.bw, HAS_BIAS: !!bias };
    const grid = (planes: number) => [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes];
    overPlanes(kernel, spec, g.n * g.cout, (p0) => planeUniforms(g, p0), [x, weight, bias ?? weight, y], grid);
  };
}

/**
 * Version 03 (vec4 rows): out = src (*) w + bias, or with `transposed` (stride 1) the input
 * gradient: src = dy, out = dx, the kernel flipped and padded by (K - 1) D - P.
 */
function vec4Rows(src: Tensor, weight: Tensor, bias: Tensor | null, out: Tensor, g: DepthwiseGeometry, t: boolean) {
  const s = sides(g, t);
  const pad = t ? [(g.kh - 1) * g.dil[0] - g.pad[0], (g.kw - 1) * g.dil[1] - g.pad[1]] : g.pad;
  const [tilesX, tilesY] = [Math.ceil(s.outW / VEC4_TILE.bw), Math.ceil(s.outH / VEC4_TILE.bh)];
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const spec = {
    ...geometryConstants(g),
    ...{ PAD_H: pad[0], PAD_W: pad[1], WG_X: wgX, WG_Y: wgY, BH: VEC4_TILE.bh, BW: VEC4_TILE.bw },
    ...{ HAS_BIAS: !!bias, TRANSPOSED: t, SOURCES: t ? g.cout / g.c : 1 },
  };
  const uniforms = (plane0: number) => ({
    ...{ src_h: s.srcH, src_w: s.srcW, out_h: s.outH, out_w: s.outW, src_c: s.srcC, out_c: s.outC },
    plane0,
  });
  const grid = (planes: number) => [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes];
  const tensors = [src, weight, bias ?? weight, out];
  overPlanes(K.depthwise_conv2d_forward_03_vec4_rows, spec, g.n * s.outC, uniforms, tensors, grid);
}

/** Forward versions: what each needs of a shape, and its launcher. */
export const FORWARD: Record<string, { fits: (g: DepthwiseGeometry) => boolean; run: Forward }> = {
  '06_stream_rows_s2': {
    // 3x3 stride 2 pad 1, W = 2 OW with OW = 4n.
    fits: (g) => is3x3(g, 2) && g.pad[0] === 1 && g.ow % 4 === 0 && g.w === 2 * g.ow,
    run: (x, weight, bias, y, g) => {
      const ow4 = g.ow / 4;
      const { v, bh, wgX, wgZ, grid } = streams(g.n * g.cout, ow4, g.oh);
      const spec = { WG_X: wgX, WG_Z: wgZ, V: v, MULT: g.cout / g.c, HAS_BIAS: !!bias };
      const uniforms = (plane0: number, planes: number) => ({
        ...{ src_h: g.h, out_h: g.oh, ow4, src_c: g.c, out_c: g.cout },
        ...{ plane0, planes, bh },
      });
      const tensors = [x, weight, bias ?? weight, y];
      overPlanes(K.depthwise_conv2d_forward_06_stream_rows_s2, spec, g.n * g.cout, uniforms, tensors, grid);
    },
  },
  '05_stream_rows': {
    fits: (g) => is3x3(g, 1) && g.w % 4 === 0,
    run: (x, weight, bias, y, g) => streamRows(x, weight, bias, y, g, false),
  },
  '03_vec4_rows': {
    fits: (g) => vec4Fits(g.w, g.ow, g.kw, g.stride[1], g.dil[1], g.pad[1], VEC4_TILE.bw),
    run: (x, weight, bias, y, g) => vec4Rows(x, weight, bias, y, g, false),
  },
  '02_sliding_rows': {
    fits: (g) => segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
    run: rowTile('02_sliding_rows'),
  },
  '01_register_tile': {
    fits: (g) => segment(TILE.bw, g.kw, g.stride[1], g.dil[1]) <= MAX_SEG,
    run: rowTile('01_register_tile'),
  },
};

/** Input-gradient version 01's tile: multiples of the strides, so that every tile starts on a stride boundary. */
function inputTile(g: DepthwiseGeometry) {
  const [sh, sw] = g.stride;
  const bh = sh * Math.max(1, Math.floor(TILE.bh / sh));
  const bw = sw * Math.max(1, Math.floor(TILE.bw / sw));
  // dy values one tile row reads (the shader's seg_w).
  const segW = Math.floor((bw - 1 + g.pad[1]) / sw) - Math.floor((g.pad[1] - (g.kw - 1) * g.dil[1]) / sw) + 1;
  return { bh, bw, segW };
}

/** Input-gradient versions (05 and 03 are the forward kernels run transposed). */
export const INPUT_GRAD: Record<string, { fits: (g: DepthwiseGeometry) => boolean; run: InputGrad }> = {
  '05_stream_rows': {
    fits: (g) => is3x3(g, 1) && g.w % 4 === 0 && g.cout === g.c,
    run: (dy, weight, dx, g) => streamRows(dy, weight, null, dx, g, true),
  },
  '02_stream_s2': {
    // 3x3 stride 2 pad 1, M = 1, W = 2 OW with OW = 4n.
    fits: (g) => is3x3(g, 2) && g.pad[0] === 1 && g.cout === g.c && g.ow % 4 === 0 && g.w === 2 * g.ow,
    run: (dy, weight, dx, g) => {
      const ow4 = g.ow / 4;
      const { v, bh, wgX, wgZ, grid } = streams(g.n * g.c, ow4, g.oh + 1);
      const uniforms = (plane0: number, planes: number) => ({
        dx_h: g.h,
        dy_h: g.oh,
        ow4,
        c: g.c,
        plane0,
        planes,
        br: bh,
      });
      const spec = { WG_X: wgX, WG_Z: wgZ, V: v };
      overPlanes(K.depthwise_conv2d_backward_input_02_stream_s2, spec, g.n * g.c, uniforms, [dy, weight, dx], grid);
    },
  },
  '03_vec4_rows': {
    fits: (g) =>
      g.stride[0] === 1 &&
      g.stride[1] === 1 &&
      g.pad[0] <= (g.kh - 1) * g.dil[0] &&
      vec4Fits(g.ow, g.w, g.kw, 1, g.dil[1], (g.kw - 1) * g.dil[1] - g.pad[1], VEC4_TILE.bw),
    run: (dy, weight, dx, g) => vec4Rows(dy, weight, null, dx, g, true),
  },
  '01_register_tile': {
    fits: (g) => {
      const t = inputTile(g);
      return t.bh <= MAX_BH && t.bw <= MAX_BW && t.segW <= MAX_SEG;
    },
    run: (dy, weight, dx, g) => {
      const t = inputTile(g);
      const [tilesX, tilesY] = [Math.ceil(g.w / t.bw), Math.ceil(g.h / t.bh)];
      const [wgX, wgY] = lanes(tilesX, tilesY);
      const spec = { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: t.bh, BW: t.bw };
      const grid = (planes: number) => [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes];
      const kernel = K.depthwise_conv2d_backward_input_01_register_tile;
      overPlanes(kernel, spec, g.n * g.c, (p0) => planeUniforms(g, p0), [dy, weight, dx], grid);
    },
  },
};
