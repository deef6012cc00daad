/**
 * The kernel table: every WGSL file in `shaders/`, imported here and nowhere else (bundled as
 * text by esbuild's `text` loader), with what a launch needs to know about it: its entry points,
 * bindings in order, the `override` constants a call site may set (op switches by name: the
 * table maps names to the WGSL `const`s of the shader), the `alias` types it may be specialised
 * to, and the fields of its uniform `struct Params` in declaration order. Launch one with
 *   dispatch(K.binary_backward, { OP: 'mul', SIDE: 1 }, { n, rank, ... }, buffers, grid)
 * (gpu/kernel.ts). `test/kernels.test.ts` checks the table against the shader files.
 */
import activation_backward from '../shaders/activation_backward.wgsl';
import activation_forward from '../shaders/activation_forward.wgsl';
import adam_step from '../shaders/adam_step.wgsl';
import adam_multi_tensor from '../shaders/optim/02_adam_multi_tensor.wgsl';
import sparse_adam_rows from '../shaders/sparse_adam_rows.wgsl';
import add_relu from '../shaders/add_relu.wgsl';
import arange from '../shaders/arange.wgsl';
import argmax from '../shaders/argmax.wgsl';
import attention_heads from '../shaders/attention_heads.wgsl';
import avgpool2d_backward from '../shaders/avgpool2d_backward.wgsl';
import avgpool2d_forward from '../shaders/avgpool2d_forward.wgsl';
import batchnorm_backward from '../shaders/batchnorm_backward.wgsl';
import batchnorm_eval_stats from '../shaders/batchnorm_eval_stats.wgsl';
import batchnorm_forward from '../shaders/batchnorm_forward.wgsl';
import batchnorm_stats from '../shaders/batchnorm_stats.wgsl';
import batchnorm_02_backward from '../shaders/batchnorm/02_vec4_backward.wgsl';
import batchnorm_02_forward from '../shaders/batchnorm/02_vec4_forward.wgsl';
import batchnorm_02_stats from '../shaders/batchnorm/02_vec4_stats.wgsl';
import binary_backward from '../shaders/binary_backward.wgsl';
import binary_forward from '../shaders/binary_forward.wgsl';
import binary_02_vec4 from '../shaders/binary/02_vec4_same_shape.wgsl';
import bias_activation from '../shaders/bias_activation.wgsl';
import bias_activation_planes from '../shaders/bias_activation_planes.wgsl';
import cast from '../shaders/cast.wgsl';
import col2im from '../shaders/col2im.wgsl';
import compare from '../shaders/compare.wgsl';
import conv2d_forward_01 from '../shaders/conv2d/forward/01_implicit_subgroup.wgsl';
import conv2d_forward_02 from '../shaders/conv2d/forward/02_implicit_uniform_rows.wgsl';
import conv2d_forward_03 from '../shaders/conv2d/forward/03_implicit_subgroup_row_window.wgsl';
import conv2d_backward_weight_01 from '../shaders/conv2d/backward_weight/01_subgroup.wgsl';
import conv2d_backward_weight_02 from '../shaders/conv2d/backward_weight/02_uniform_rows.wgsl';
import conv2d_backward_weight_03 from '../shaders/conv2d/backward_weight/03_subgroup_row_window.wgsl';
import cross_entropy_backward from '../shaders/cross_entropy_backward.wgsl';
import cumsum from '../shaders/cumsum.wgsl';
import depthwise_forward_01 from '../shaders/depthwise_conv2d/forward_01_register_tile.wgsl';
import depthwise_forward_02 from '../shaders/depthwise_conv2d/forward_02_sliding_rows.wgsl';
import depthwise_forward_03 from '../shaders/depthwise_conv2d/forward_03_vec4_rows.wgsl';
import depthwise_forward_05 from '../shaders/depthwise_conv2d/forward_05_stream_rows.wgsl';
import depthwise_forward_06 from '../shaders/depthwise_conv2d/forward_06_stream_rows_s2.wgsl';
import depthwise_backward_input_02 from '../shaders/depthwise_conv2d/backward_input_02_stream_s2.wgsl';
import depthwise_backward_input_01 from '../shaders/depthwise_conv2d/backward_input_01_register_tile.wgsl';
import depthwise_backward_weight_01 from '../shaders/depthwise_conv2d/backward_weight_01_plane_partials.wgsl';
import depthwise_backward_weight_03 from '../shaders/depthwise_conv2d/backward_weight_03_vec4_strips_shift.wgsl';
import depthwise_backward_weight_sum from '../shaders/depthwise_conv2d/backward_weight_sum.wgsl';
import cross_entropy_forward from '../shaders/cross_entropy_forward.wgsl';
import dropout_forward from '../shaders/dropout_forward.wgsl';
import embedding_backward from '../shaders/embedding_backward.wgsl';
import embedding_backward_rows from '../shaders/embedding_backward_rows.wgsl';
import embedding_forward from '../shaders/embedding_forward.wgsl';
import fill from '../shaders/fill.wgsl';
import gather_strided from '../shaders/gather_strided.wgsl';
import im2col from '../shaders/im2col.wgsl';
import image_to_tensor from '../shaders/image_to_tensor.wgsl';
import matmul_01 from '../shaders/matmul/01_naive.wgsl';
import matmul_02 from '../shaders/matmul/02_register_4x4.wgsl';
import matmul_03 from '../shaders/matmul/03_vec4_4x4.wgsl';
import matmul_04 from '../shaders/matmul/04_vec4_8x8.wgsl';
import matmul_05 from '../shaders/matmul/05_row_strip.wgsl';
import matmul_06 from '../shaders/matmul/06_vec4_4x8.wgsl';
import matmul_07 from '../shaders/matmul/07_vec4_8x4_uniform_rows.wgsl';
import matmul_08 from '../shaders/matmul/08_vec4_16x4_uniform_rows.wgsl';
import matmul_09 from '../shaders/matmul/09_subgroup_broadcast.wgsl';
import matmul_10 from '../shaders/matmul/10_subgroup_broadcast_row_order.wgsl';
import matmul_11 from '../shaders/matmul/11_nt_rows.wgsl';
import matmul_12 from '../shaders/matmul/12_nt_vec4.wgsl';
import matmul_13 from '../shaders/matmul/13_nt_subgroup.wgsl';
import layernorm_backward from '../shaders/layernorm_backward.wgsl';
import layernorm_backward_affine from '../shaders/layernorm_backward_affine.wgsl';
import layernorm_forward from '../shaders/layernorm_forward.wgsl';
import layernorm_02_vec4_rows from '../shaders/layernorm/02_vec4_rows_forward.wgsl';
import max_backward from '../shaders/max_backward.wgsl';
import maxpool2d_backward from '../shaders/maxpool2d_backward.wgsl';
import maxpool2d_forward from '../shaders/maxpool2d_forward.wgsl';
import maxpool2d_02_planes from '../shaders/maxpool2d/02_planes_forward.wgsl';
import maxpool2d_03_vec4_2x2 from '../shaders/maxpool2d/03_vec4_2x2.wgsl';
import probe_copy_peak from '../shaders/probe_copy_peak.wgsl';
import probe_fma_peak from '../shaders/probe_fma_peak.wgsl';
import random from '../shaders/random.wgsl';
import random_inplace from '../shaders/random_inplace.wgsl';
import reduce from '../shaders/reduce.wgsl';
import scatter_strided from '../shaders/scatter_strided.wgsl';
import sgd_step from '../shaders/sgd_step.wgsl';
import sgd_multi_tensor from '../shaders/optim/02_sgd_multi_tensor.wgsl';
import softmax_backward from '../shaders/softmax_backward.wgsl';
import softmax_forward from '../shaders/softmax_forward.wgsl';
import unary_backward from '../shaders/unary_backward.wgsl';
import unary_forward from '../shaders/unary_forward.wgsl';
import where_forward from '../shaders/where_forward.wgsl';
import { nameKernels, type KernelSpec } from './gpu/kernel.js';
import type { BindingKind } from './gpu/pipelines.js';

// ---- op codes: each name is a `const NAME = value;` in the shaders that switch on it ----

export const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6 } as const;
export const UNARY_OPS = { neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, relu: 5, sigmoid: 6, tanh: 7, pow: 8 } as const;
export const COMPARE_OPS = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 } as const;
export const REDUCE_OPS = { sum: 0, max: 1, min: 2 } as const;
export const DISTRIBUTIONS = { uniform: 0, normal: 1 } as const;
/** random.wgsl's draws: the distributions, and uniform integers (randint). */
export const RANDOM_DRAWS = { ...DISTRIBUTIONS, integer: 2 } as const;
export const ACTIVATIONS = { silu: 0, hardswish: 1, hardsigmoid: 2, relu6: 3, gelu: 4, gelu_tanh: 5, relu: 6 } as const;
/** The activations a convolution applies as it stores its outputs (ops/fused_conv.ts). */
export const CONV_ACTIVATIONS = { none: 0, relu: 1, relu6: 2, silu: 3, hardswish: 4 } as const;

// ---- shared shapes of entries ----

const main = ['main'] as const;
const none = [] as const;
const T = ['T'] as const;
const rw = ['read', 'write', 'uniform'] as const;
const rrw = ['read', 'read', 'write', 'uniform'] as const;
const rrrw = ['read', 'read', 'read', 'write', 'uniform'] as const;
const wg = { WG: 'u32' } as const;
/** `count` copies of one slot's bindings, for the multi-tensor kernels. */
const slots = (count: number, kinds: readonly BindingKind[]): BindingKind[] =>
  Array.from({ length: count }, () => kinds).flat();
/** n elements, the output's shape and two operands' strides (0 on broadcast dims). */
const broadcastParams = { n: 'u32', rank: 'u32', out_shape: 'dims', a_strides: 'dims', b_strides: 'dims' } as const;
// prettier-ignore
const poolParams = {
  total: 'u32', h: 'u32', w: 'u32', oh: 'u32', ow: 'u32', kh: 'u32', kw: 'u32', stride_h: 'u32', stride_w: 'u32', pad_h: 'u32', pad_w: 'u32',
} as const;
const layerNorm = { outer: 'u32', d: 'u32', inner: 'u32', eps: 'f32' } as const;
const pool = { ...poolParams, dil_h: 'u32', dil_w: 'u32' } as const;
// prettier-ignore
const convGeometry = {
  n: 'u32', c: 'u32', h: 'u32', w: 'u32', groups: 'u32', oh: 'u32', ow: 'u32', kh: 'u32', kw: 'u32',
  stride_h: 'u32', stride_w: 'u32', pad_h: 'u32', pad_w: 'u32', dil_h: 'u32', dil_w: 'u32',
} as const;
/** Implicit-GEMM convolution (forward and dx): taps, strides and dilations are overrides. */
// prettier-ignore
const convForward = {
  entryPoints: main, bindings: ['read', 'read', 'read', 'write', 'uniform'], aliases: none,
  overrides: {
    WG_X: 'u32', KH: 'u32', KW: 'u32', STRIDE_H: 'u32', STRIDE_W: 'u32', DIL_H: 'u32', DIL_W: 'u32', TRANSPOSED: 'bool', HAS_BIAS: 'bool', ACT: CONV_ACTIVATIONS,
  },
  params: {
    src_h: 'u32', src_w: 'u32', out_h: 'u32', out_w: 'u32', rows: 'u32', reduce: 'u32', groups: 'u32', pad_h: 'u32', pad_w: 'u32',
    a_row_stride: 'u32', a_r_stride: 'u32', a_group_stride: 'u32',
  },
} as const;
/** Depthwise convolution (ops/depthwise_kernels.ts): geometry as overrides, one plane per workgroup z. */
const depthwiseGeometry = {
  KH: 'u32',
  KW: 'u32',
  STRIDE_H: 'u32',
  STRIDE_W: 'u32',
  DIL_H: 'u32',
  DIL_W: 'u32',
  PAD_H: 'u32',
  PAD_W: 'u32',
  MULT: 'u32',
} as const;
const depthwisePlanes = { h: 'u32', w: 'u32', oh: 'u32', ow: 'u32', cin: 'u32', cout: 'u32', plane0: 'u32' } as const;
const depthwiseTile = { entryPoints: main, aliases: none, params: depthwisePlanes } as const;
const tileLanes = { WG_X: 'u32', WG_Y: 'u32', BH: 'u32', BW: 'u32' } as const;
// prettier-ignore
const convWeightGrad = {
  entryPoints: main, bindings: rrw, aliases: none, overrides: { WG_X: 'u32' },
  params: {
    n: 'u32', h: 'u32', w: 'u32', oh: 'u32', ow: 'u32', rows: 'u32', cg: 'u32', groups: 'u32', kh: 'u32', kw: 'u32',
    stride_h: 'u32', stride_w: 'u32', pad_h: 'u32', pad_w: 'u32', dil_h: 'u32', dil_w: 'u32',
  },
} as const;
/** C[b] = A[b] @ B[b]; batch strides in units of each array's element (f32 or vec4f). */
const matmul = {
  entryPoints: main,
  bindings: rrw,
  aliases: none,
  overrides: { WG_X: 'u32', WG_Y: 'u32' },
  params: { m: 'u32', n: 'u32', k: 'u32', a_batch_stride: 'u32', b_batch_stride: 'u32' },
} as const;
/** C = A @ B^T into columns [c_col, c_col + N) of a C with ldc columns. */
const matmulNT = {
  entryPoints: main,
  bindings: rrw,
  aliases: none,
  overrides: { WG_X: 'u32' },
  params: { m: 'u32', n: 'u32', k: 'u32', ldc: 'u32', c_col: 'u32' },
} as const;

// One line per kernel: the table reads as a table.
// prettier-ignore
const table = {
  // elementwise (ops/elementwise.ts, ops/compare.ts)
  binary_forward: { source: binary_forward, entryPoints: ['main', 'rows'], bindings: rrw, aliases: T, overrides: { OP: BINARY_OPS, BROADCAST: 'bool', ...wg }, params: broadcastParams },
  binary_02_vec4: { source: binary_02_vec4, entryPoints: main, bindings: rrw, aliases: none, overrides: { OP: BINARY_OPS, ...wg }, params: { n: 'u32' } },
  binary_backward: { source: binary_backward, entryPoints: ['main', 'rows'], bindings: rrrw, aliases: none, overrides: { OP: BINARY_OPS, SIDE: 'u32', BROADCAST: 'bool', ...wg }, params: broadcastParams },
  unary_forward: { source: unary_forward, entryPoints: main, bindings: rw, aliases: T, overrides: { OP: UNARY_OPS, ...wg }, params: { n: 'u32', exponent: 'f32' } },
  unary_backward: { source: unary_backward, entryPoints: main, bindings: rrrw, aliases: none, overrides: { OP: UNARY_OPS, ...wg }, params: { n: 'u32', exponent: 'f32' } },
  compare: { source: compare, entryPoints: main, bindings: rrw, aliases: T, overrides: { OP: COMPARE_OPS, ...wg }, params: broadcastParams },
  where_forward: {
    source: where_forward, entryPoints: main, bindings: rrrw, aliases: T, overrides: wg,
    params: { n: 'u32', rank: 'u32', out_shape: 'dims', cond_strides: 'dims', a_strides: 'dims', b_strides: 'dims' },
  },
  // the activations of post-2016 networks (ops/activation.ts): V is vec4<f32> or f32, U its unsigned twin
  activation_forward: { source: activation_forward, entryPoints: main, bindings: rw, aliases: ['V', 'U'], overrides: { OP: ACTIVATIONS, ...wg }, params: { n: 'u32' } },
  activation_backward: { source: activation_backward, entryPoints: main, bindings: rrw, aliases: ['V'], overrides: { OP: ACTIVATIONS, ...wg }, params: { n: 'u32' } },
  // fused layers (ops/fused.ts): a residual add + relu, a Linear's bias + activation
  add_relu: { source: add_relu, entryPoints: main, bindings: rrw, aliases: ['V', 'U'], overrides: wg, params: { n: 'u32' } },
  bias_activation: { source: bias_activation, entryPoints: main, bindings: rrw, aliases: ['V'], overrides: { ACT: CONV_ACTIVATIONS, ...wg }, params: { rows: 'u32', cols: 'u32' } },
  bias_activation_planes: { source: bias_activation_planes, entryPoints: main, bindings: rrw, aliases: ['V'], overrides: { ACT: CONV_ACTIVATIONS, ...wg }, params: { c: 'u32', s: 'u32' } },
  cast: { source: cast, entryPoints: main, bindings: rw, aliases: ['FROM', 'TO'], overrides: wg, params: { n: 'u32' } },
  // creation (ops/create.ts)
  fill: { source: fill, entryPoints: main, bindings: ['write', 'uniform'], aliases: T, overrides: wg, params: { n: 'u32', bits: 'u32' } },
  arange: {
    source: arange, entryPoints: main, bindings: ['write', 'uniform'], aliases: T, overrides: { ...wg, INT_MATH: 'bool' },
    params: { n: 'u32', start: 'f32', step: 'f32', start_i: 'i32', step_i: 'i32', base: 'u32' },
  },
  random: {
    source: random, entryPoints: main, bindings: ['write', 'uniform'], aliases: T, overrides: { DIST: RANDOM_DRAWS, ...wg },
    params: { n: 'u32', seed: 'u32', stream: 'u32', low: 'f32', high: 'f32', base: 'u32', low_i: 'i32', range: 'u32' },
  },
  random_inplace: {
    source: random_inplace, entryPoints: main, bindings: ['write', 'uniform'], aliases: none, overrides: { DIST: DISTRIBUTIONS, PER: 'u32', ...wg },
    params: { n: 'u32', seed: 'u32', stream: 'u32', low: 'f32', high: 'f32', base: 'u32' },
  },
  // shape (ops/shape.ts)
  gather_strided: {
    source: gather_strided, entryPoints: ['main', 'rows'], bindings: rw, aliases: T, overrides: wg,
    params: { n: 'u32', rank: 'u32', offset: 'u32', scale: 'f32', out_shape: 'dims', strides: 'dims' },
  },
  scatter_strided: {
    source: scatter_strided, entryPoints: main, bindings: rw, aliases: T, overrides: wg,
    params: { n: 'u32', rank: 'u32', offset: 'u32', shape: 'dims', strides: 'dims' },
  },
  // reductions (ops/reduce.ts, ops/extrema.ts)
  reduce: {
    source: reduce, entryPoints: ['main', 'per_thread'], bindings: rw, aliases: T, overrides: { OP: REDUCE_OPS, RED_CONTIGUOUS: 'bool', ...wg },
    params: {
      m: 'u32', k: 'u32', chunks: 'u32', chunk_len: 'u32', kept_rank: 'u32', red_rank: 'u32', scale: 'f32', init_bits: 'u32',
      kept_shape: 'dims', kept_strides: 'dims', red_shape: 'dims', red_strides: 'dims',
    },
  },
  argmax: { source: argmax, entryPoints: main, bindings: rw, aliases: none, overrides: { ...wg, LARGEST: 'bool' }, params: { m: 'u32', k: 'u32', inner: 'u32' } },
  max_backward: { source: max_backward, entryPoints: main, bindings: rrw, aliases: none, overrides: wg, params: { n: 'u32', k: 'u32', inner: 'u32' } },
  // products (ops/matmul.ts, the versions in ops/matmul_versions.ts)
  matmul_01_naive: { source: matmul_01, ...matmul },
  matmul_02_register_4x4: { source: matmul_02, ...matmul },
  matmul_03_vec4_4x4: { source: matmul_03, ...matmul },
  matmul_04_vec4_8x8: { source: matmul_04, ...matmul },
  matmul_05_row_strip: { source: matmul_05, ...matmul },
  matmul_06_vec4_4x8: { source: matmul_06, ...matmul },
  matmul_07_vec4_8x4_uniform_rows: { source: matmul_07, ...matmul },
  matmul_08_vec4_16x4_uniform_rows: { source: matmul_08, ...matmul },
  matmul_09_subgroup_broadcast: { source: matmul_09, ...matmul },
  matmul_10_subgroup_broadcast_row_order: { source: matmul_10, ...matmul },
  matmul_11_nt_rows: { source: matmul_11, ...matmulNT },
  matmul_12_nt_vec4: { source: matmul_12, ...matmulNT },
  matmul_13_nt_subgroup: { source: matmul_13, ...matmulNT },
  // convolution (ops/conv.ts)
  conv2d_01_implicit_subgroup: { source: conv2d_forward_01, ...convForward },
  conv2d_02_implicit_uniform_rows: { source: conv2d_forward_02, ...convForward },
  conv2d_03_implicit_subgroup_row_window: { source: conv2d_forward_03, ...convForward },
  conv2d_backward_weight_01_subgroup: { source: conv2d_backward_weight_01, ...convWeightGrad },
  conv2d_backward_weight_02_uniform_rows: { source: conv2d_backward_weight_02, ...convWeightGrad },
  conv2d_backward_weight_03_subgroup_row_window: { source: conv2d_backward_weight_03, ...convWeightGrad },
  im2col: { source: im2col, entryPoints: main, bindings: rw, aliases: none, overrides: wg, params: convGeometry },
  // depthwise convolution (ops/depthwise_conv.ts, launched by ops/depthwise_kernels.ts)
  depthwise_conv2d_forward_01_register_tile: {
    source: depthwise_forward_01, ...depthwiseTile, bindings: rrrw,
    overrides: { ...depthwiseGeometry, ...tileLanes, HAS_BIAS: 'bool', SEG_H: 'u32', SEG_W: 'u32' },
  },
  depthwise_conv2d_forward_02_sliding_rows: {
    source: depthwise_forward_02, ...depthwiseTile, bindings: rrrw,
    overrides: { ...depthwiseGeometry, ...tileLanes, HAS_BIAS: 'bool', SEG_W: 'u32', SLIDE: 'bool' },
  },
  depthwise_conv2d_forward_03_vec4_rows: {
    source: depthwise_forward_03, entryPoints: main, aliases: none, bindings: rrrw,
    overrides: {
      ...depthwiseGeometry, ...tileLanes, TRANSPOSED: 'bool', HAS_BIAS: 'bool', SEG_W: 'u32', LEAD: 'u32', OFF: 'u32', NV: 'u32', SLIDE: 'bool', PHASES: 'u32', SOURCES: 'u32',
    },
    params: { src_h: 'u32', src_w: 'u32', out_h: 'u32', out_w: 'u32', src_c: 'u32', out_c: 'u32', plane0: 'u32' },
  },
  depthwise_conv2d_forward_05_stream_rows: {
    source: depthwise_forward_05, entryPoints: main, aliases: none, bindings: rrrw,
    overrides: { WG_X: 'u32', WG_Z: 'u32', V: 'u32', PAD_H: 'u32', MULT: 'u32', TRANSPOSED: 'bool', HAS_BIAS: 'bool' },
    params: { src_h: 'u32', out_h: 'u32', w4: 'u32', src_c: 'u32', out_c: 'u32', plane0: 'u32', planes: 'u32', bh: 'u32' },
  },
  depthwise_conv2d_forward_06_stream_rows_s2: {
    source: depthwise_forward_06, entryPoints: main, aliases: none, bindings: rrrw,
    overrides: { WG_X: 'u32', WG_Z: 'u32', V: 'u32', MULT: 'u32', HAS_BIAS: 'bool' },
    params: { src_h: 'u32', out_h: 'u32', ow4: 'u32', src_c: 'u32', out_c: 'u32', plane0: 'u32', planes: 'u32', bh: 'u32' },
  },
  depthwise_conv2d_backward_input_02_stream_s2: {
    source: depthwise_backward_input_02, entryPoints: main, aliases: none, bindings: rrw,
    overrides: { WG_X: 'u32', WG_Z: 'u32', V: 'u32' },
    params: { dx_h: 'u32', dy_h: 'u32', ow4: 'u32', c: 'u32', plane0: 'u32', planes: 'u32', br: 'u32' },
  },
  depthwise_conv2d_backward_input_01_register_tile: {
    source: depthwise_backward_input_01, ...depthwiseTile, bindings: rrw, overrides: { ...depthwiseGeometry, ...tileLanes },
  },
  depthwise_conv2d_backward_weight_01_plane_partials: {
    source: depthwise_backward_weight_01, ...depthwiseTile, bindings: rrw,
    overrides: { ...depthwiseGeometry, ...tileLanes, SEG_H: 'u32', SEG_W: 'u32', TAPS: 'u32' },
  },
  depthwise_conv2d_backward_weight_03_vec4_strips_shift: {
    source: depthwise_backward_weight_03, entryPoints: main, aliases: none, bindings: rrw,
    overrides: { ...depthwiseGeometry, WG_X: 'u32', BW: 'u32', SEG_W: 'u32', LEAD: 'u32', OFF: 'u32', NV: 'u32', SHIFT: 'u32', KEEP: 'u32', TAPS: 'u32' },
    params: { ...depthwisePlanes, strips: 'u32' },
  },
  depthwise_conv2d_backward_weight_sum: {
    source: depthwise_backward_weight_sum, entryPoints: main, bindings: rw, aliases: none, overrides: wg,
    params: { n: 'u32', cout: 'u32', stride: 'u32', first: 'u32', taps: 'u32', strips: 'u32' },
  },
  col2im: { source: col2im, entryPoints: main, bindings: rw, aliases: none, overrides: wg, params: convGeometry },
  // pooling (ops/pool.ts)
  maxpool2d_forward: { source: maxpool2d_forward, entryPoints: main, bindings: ['read', 'write', 'write', 'uniform'], aliases: none, overrides: wg, params: pool },
  maxpool2d_02_planes: { source: maxpool2d_02_planes, entryPoints: main, bindings: ['read', 'write', 'write', 'uniform'], aliases: none, overrides: wg, params: pool },
  maxpool2d_03_vec4_2x2: { source: maxpool2d_03_vec4_2x2, entryPoints: main, bindings: ['read', 'write', 'write', 'uniform'], aliases: none, overrides: wg, params: pool },
  maxpool2d_backward: { source: maxpool2d_backward, entryPoints: main, bindings: rrw, aliases: none, overrides: wg, params: pool },
  avgpool2d_forward: { source: avgpool2d_forward, entryPoints: main, bindings: rw, aliases: none, overrides: { ...wg, ADAPTIVE: 'bool', COUNT_PAD: 'bool' }, params: poolParams },
  avgpool2d_backward: { source: avgpool2d_backward, entryPoints: main, bindings: rw, aliases: none, overrides: { ...wg, ADAPTIVE: 'bool', COUNT_PAD: 'bool' }, params: poolParams },
  // softmax, losses, dropout (ops/softmax.ts, ops/loss.ts, ops/dropout.ts)
  softmax_forward: { source: softmax_forward, entryPoints: main, bindings: rw, aliases: none, overrides: { ...wg, LOG: 'bool' }, params: { rows: 'u32', d: 'u32', inner: 'u32' } },
  softmax_backward: { source: softmax_backward, entryPoints: main, bindings: rrw, aliases: none, overrides: { ...wg, LOG: 'bool' }, params: { rows: 'u32', d: 'u32', inner: 'u32' } },
  cross_entropy_forward: {
    source: cross_entropy_forward, entryPoints: main, bindings: ['read', 'read', 'write', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { samples: 'u32', classes: 'u32', inner: 'u32', ignore: 'i32', smoothing: 'f32', site: 'u32' },
  },
  cross_entropy_backward: {
    source: cross_entropy_backward, entryPoints: main, bindings: rrrw, aliases: none, overrides: wg,
    params: { samples: 'u32', classes: 'u32', inner: 'u32', ignore: 'i32', smoothing: 'f32' },
  },
  dropout_forward: {
    source: dropout_forward, entryPoints: main, bindings: ['read', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', seed: 'u32', stream: 'u32', p: 'f32' },
  },
  // batch normalisation (ops/batchnorm.ts)
  batchnorm_stats: {
    source: batchnorm_stats, entryPoints: main, bindings: ['read', 'write', 'write', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', c: 'u32', s: 'u32', eps: 'f32', momentum: 'f32', update_running: 'u32', xc: 'u32' },
  },
  batchnorm_eval_stats: { source: batchnorm_eval_stats, entryPoints: main, bindings: rrw, aliases: none, overrides: wg, params: { c: 'u32', eps: 'f32' } },
  batchnorm_forward: {
    source: batchnorm_forward, entryPoints: main, bindings: ['read', 'read', 'read', 'read', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', c: 'u32', s: 'u32', xc: 'u32' },
  },
  batchnorm_backward: {
    source: batchnorm_backward, entryPoints: ['main', 'reduce'], bindings: ['read', 'read', 'read', 'read', 'write', 'write', 'uniform'], aliases: none,
    overrides: { ...wg, TRAINING: 'bool', ACCUMULATE: 'bool' }, params: { n: 'u32', c: 'u32', s: 'u32', xc: 'u32' },
  },
  // version 02: V = vec4<f32> where the plane divides by 4, channel and sample from the grid
  batchnorm_02_vec4_stats: {
    source: batchnorm_02_stats, entryPoints: main, bindings: ['read', 'write', 'write', 'write', 'write', 'uniform'], aliases: ['V'], overrides: { ...wg, VEC4: 'bool' },
    params: { n: 'u32', c: 'u32', s: 'u32', eps: 'f32', momentum: 'f32', update_running: 'u32' },
  },
  batchnorm_02_vec4_forward: {
    source: batchnorm_02_forward, entryPoints: main, bindings: ['read', 'read', 'read', 'read', 'write', 'uniform'], aliases: ['V'], overrides: wg,
    params: { n: 'u32', c: 'u32', s: 'u32' },
  },
  batchnorm_02_vec4_backward: {
    source: batchnorm_02_backward, entryPoints: ['main', 'reduce'], bindings: ['read', 'read', 'read', 'read', 'write', 'write', 'uniform'], aliases: ['V'],
    overrides: { ...wg, TRAINING: 'bool', VEC4: 'bool' }, params: { n: 'u32', c: 'u32', s: 'u32' },
  },
  // multi-head attention's head split (ops/attention.ts)
  attention_heads: {
    source: attention_heads, entryPoints: ['split', 'merge'], bindings: rw, aliases: none, overrides: { ...wg, TRANSPOSED: 'bool' },
    params: { b: 'u32', s: 'u32', parts: 'u32', h: 'u32', dh: 'u32', part: 'u32', scale: 'f32' },
  },
  // layer normalisation (ops/layer_norm.ts): x as [outer, d, inner]
  layernorm_forward: {
    source: layernorm_forward, entryPoints: ['rows', 'columns'], bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], aliases: none,
    overrides: { ...wg, AFFINE: 'bool', BIAS: 'bool' }, params: layerNorm,
  },
  layernorm_02_vec4_rows: {
    source: layernorm_02_vec4_rows, entryPoints: main, bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], aliases: none,
    overrides: { ...wg, AFFINE: 'bool', BIAS: 'bool' }, params: layerNorm,
  },
  layernorm_backward: {
    source: layernorm_backward, entryPoints: ['rows', 'columns'], bindings: ['read', 'read', 'read', 'read', 'write', 'uniform'], aliases: none,
    overrides: { ...wg, AFFINE: 'bool' }, params: layerNorm,
  },
  layernorm_backward_affine: {
    source: layernorm_backward_affine, entryPoints: main, bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], aliases: none, overrides: wg, params: layerNorm,
  },
  // optimisers (optim/sgd.ts, optim/adam.ts)
  sgd_step: {
    source: sgd_step, entryPoints: main, bindings: ['write', 'read', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', first_step: 'u32', nesterov: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weight_decay: 'f32' },
  },
  adam_step: {
    source: adam_step, entryPoints: main, bindings: ['write', 'read', 'write', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: {
      n: 'u32', amsgrad: 'u32', decoupled: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weight_decay: 'f32', step_size: 'f32', bc2_sqrt: 'f32',
    },
  },
  // multi-tensor optimiser steps, several parameters of one group per launch (optim/multi_tensor.ts)
  sgd_multi_tensor: {
    source: sgd_multi_tensor, entryPoints: main, bindings: [...slots(5, ['write', 'read', 'write']), 'uniform'], aliases: none, overrides: wg,
    params: {
      n: 'dims', wg_start: 'dims', first_step: 'dims', nesterov: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weight_decay: 'f32',
    },
  },
  adam_multi_tensor: {
    source: adam_multi_tensor, entryPoints: main, bindings: [...slots(3, ['write', 'read', 'write', 'write', 'write']), 'uniform'], aliases: none,
    overrides: wg,
    params: {
      n: 'dims', wg_start: 'dims', step_size: 'vec4f', bc2_sqrt: 'vec4f', amsgrad: 'u32', decoupled: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32',
      eps: 'f32', weight_decay: 'f32',
    },
  },
  sparse_adam_rows: {
    source: sparse_adam_rows, entryPoints: main, bindings: ['read', 'read', 'write', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', dim: 'u32', row_start: 'u32', row_count: 'u32', beta1: 'f32', beta2: 'f32', eps: 'f32', step_size: 'f32' },
  },
  // embeddings and running sums (ops/embedding.ts, ops/cumsum.ts)
  embedding_forward: {
    source: embedding_forward, entryPoints: main, bindings: ['read', 'read', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', dim: 'u32', num: 'u32', row_start: 'u32', row_count: 'u32', site: 'u32' },
  },
  embedding_backward: {
    source: embedding_backward, entryPoints: ['links', 'scatter'], bindings: ['read', 'read', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', dim: 'u32', padding_idx: 'i32', row_start: 'u32', row_count: 'u32' },
  },
  embedding_backward_rows: {
    source: embedding_backward_rows, entryPoints: main, bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], aliases: none, overrides: wg,
    params: { n: 'u32', dim: 'u32', padding_idx: 'i32' },
  },
  cumsum: { source: cumsum, entryPoints: main, bindings: rw, aliases: T, overrides: { ...wg, REVERSE: 'bool' }, params: { outer: 'u32', len: 'u32', inner: 'u32' } },
  // data (data/gpu_batch.ts)
  image_to_tensor: {
    source: image_to_tensor, entryPoints: main, bindings: rw, aliases: none, overrides: wg,
    params: { n: 'u32', hw: 'u32', c: 'u32', pad: 'u32', mean: 'vec4f', stdev: 'vec4f' },
  },
  // the adapter's measured peaks (profile/peaks.ts): instruments, not ops
  probe_fma_peak: { source: probe_fma_peak, entryPoints: main, bindings: ['write', 'uniform'], aliases: none, overrides: wg, params: { iters: 'u32' } },
  probe_copy_peak: { source: probe_copy_peak, entryPoints: main, bindings: rw, aliases: none, overrides: wg, params: { n: 'u32' } },
} as const satisfies Record<string, KernelSpec>;

/** Every kernel, by name: `K.binary_forward`, `K.matmul_03_vec4_4x4`, ... */
export const K = nameKernels(table);
export type KernelName = keyof typeof K;
