// conv2d version 02, implicit GEMM without subgroups (for adapters without the `subgroups`
// feature, such as browsers in compatibility mode): the same product, taps and dispatch as
// version 01, but a workgroup is one row of WG_X invocations that all compute the same 8 rows
// (from the workgroup id), so the 8 A values of a step are loaded at addresses that are the
// same for every lane (a SIMD driver may load them once) instead of broadcast; each lane still
// gathers its own 4 source values. Per r: 8 uniform loads, 4 gathered loads, 8 vec4 FMAs.
//   forward:  rows = Cout/G, r = Cin/G, src = x, out = y (+ bias);
//   TRANSPOSED (dx = conv_transpose(dy, W)): rows = Cin/G, r = Cout/G, src = dy, out = dx.
// See version 01 for the taps. KH, KW, strides and dilations are override constants.
// Measured on the VGG-like layer (batch 8, 64 -> 64, 56x56, 3x3, pad 1, bias; llvmpipe, 2 cores,
// 2026-12-01, CPU time of round-robin runs): forward 356 ms of CPU against 127 for the equivalent
// matmul (36%) and 140 for version 03; forward + both gradients (with
// backward_weight/02_uniform_rows.wgsl) 3.1x its forward. Still ahead of im2col with a matmul that has
// no subgroups either (456 ms with matmul 03, 559 with 07).
//
// Buffers:  src [N, G R, SH_, SW_], a (weights), bias [Cout] (unused unless HAS_BIAS),
//           out [N, G ROWS, OH_, OW_]; all f32.
// Dispatch: (G ceil(ROWS / 8), ceil(OH_ OW_ / (4 WG_X)), N) workgroups of WG_X x 1.
// Launched by src/ops/conv.ts.

override WG_X: u32 = 64u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DIL_H: u32 = 1u;
override DIL_W: u32 = 1u;
override TRANSPOSED: bool = false;
override HAS_BIAS: bool = false;
// The activation applied as each output is stored (src/kernels.ts: CONV_ACTIVATIONS; the fused
// conv + bias + activation of src/ops/fused_conv.ts). NONE for dx (TRANSPOSED).
override ACT: u32 = 0u;
const NONE = 0u;
const RELU = 1u;
const RELU6 = 2u;
const SILU = 3u;
const HARDSWISH = 4u;

struct Params {
  src_h: u32, src_w: u32,        // source plane
  out_h: u32, out_w: u32,        // output plane
  rows: u32, reduce: u32,        // output channels and reduced channels per group
  groups: u32,
  pad_h: u32, pad_w: u32,
  a_row_stride: u32, a_r_stride: u32, a_group_stride: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

var<private> c0: vec4f; var<private> c1: vec4f; var<private> c2: vec4f; var<private> c3: vec4f;
var<private> c4: vec4f; var<private> c5: vec4f; var<private> c6: vec4f; var<private> c7: vec4f;

// One r: row i gets A[row i, r, tap] times this lane's 4 source values.
fn accumulate(ai: u32, r0: u32, r1: u32, r2: u32, r3: u32, r4: u32, r5: u32, r6: u32, r7: u32, bk: vec4f) {
  c0 = fma(vec4f(a[r0 + ai]), bk, c0);
  c1 = fma(vec4f(a[r1 + ai]), bk, c1);
  c2 = fma(vec4f(a[r2 + ai]), bk, c2);
  c3 = fma(vec4f(a[r3 + ai]), bk, c3);
  c4 = fma(vec4f(a[r4 + ai]), bk, c4);
  c5 = fma(vec4f(a[r5 + ai]), bk, c5);
  c6 = fma(vec4f(a[r6 + ai]), bk, c6);
  c7 = fma(vec4f(a[r7 + ai]), bk, c7);
}

// Where output pixel (oy, ox) reads tap (kh, kw) in its source plane, or -1 if nowhere.
// same as conv2d/forward/01_implicit_subgroup.wgsl:tap
fn tap(oy: u32, ox: u32, kh: u32, kw: u32) -> i32 {
  if (!TRANSPOSED) {
    let iy = i32(oy * STRIDE_H + kh * DIL_H) - i32(p.pad_h);
    let ix = i32(ox * STRIDE_W + kw * DIL_W) - i32(p.pad_w);
    if (iy < 0 || iy >= i32(p.src_h) || ix < 0 || ix >= i32(p.src_w)) { return -1; }
    return iy * i32(p.src_w) + ix;
  }
  let ty = i32(oy + p.pad_h) - i32(kh * DIL_H);   // = (source row) * S
  let tx = i32(ox + p.pad_w) - i32(kw * DIL_W);
  if (ty < 0 || tx < 0) { return -1; }
  let sy = u32(ty) / STRIDE_H;
  let sx = u32(tx) / STRIDE_W;
  if (sy * STRIDE_H != u32(ty) || sx * STRIDE_W != u32(tx) || sy >= p.src_h || sx >= p.src_w) { return -1; }
  return i32(sy * p.src_w + sx);
}

// y = act(v) for the fused activations: relu, relu6 = clamp(v, 0, 6), silu = v sigmoid(v),
// hardswish = v clamp(v + 3, 0, 6) / 6.
// same as conv2d/forward/01_implicit_subgroup.wgsl:activate
fn activate(v: vec4f) -> vec4f {
  switch ACT {
    case RELU: { return max(v, vec4f(0.0)); }
    case RELU6: { return clamp(v, vec4f(0.0), vec4f(6.0)); }
    case SILU: { return v / (vec4f(1.0) + exp(-v)); }
    case HARDSWISH: { return v * clamp(v + vec4f(3.0), vec4f(0.0), vec4f(6.0)) / 6.0; }
    default: { return v; }
  }
}

@compute @workgroup_size(WG_X, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let pixels = p.out_h * p.out_w;
  let row_blocks = (p.rows + 7u) / 8u;
  let g = wg.x / row_blocks;
  let row = (wg.x % row_blocks) * 8u;
  let n = wg.z;
  let pix = (wg.y * WG_X + lid.x) * 4u;
  // This lane's 4 output pixels (clamped: lanes past the end compute duplicates, never stored).
  let q = min(vec4u(pix) + vec4u(0u, 1u, 2u, 3u), vec4u(pixels - 1u));
  let oy = q / p.out_w;
  let ox = q % p.out_w;
  // The 8 rows' weights (clamped: rows past the end compute duplicates, never stored).
  let a_g = g * p.a_group_stride;
  let last = p.rows - 1u;
  let r0 = a_g + min(row, last) * p.a_row_stride;
  let r1 = a_g + min(row + 1u, last) * p.a_row_stride;
  let r2 = a_g + min(row + 2u, last) * p.a_row_stride;
  let r3 = a_g + min(row + 3u, last) * p.a_row_stride;
  let r4 = a_g + min(row + 4u, last) * p.a_row_stride;
  let r5 = a_g + min(row + 5u, last) * p.a_row_stride;
  let r6 = a_g + min(row + 6u, last) * p.a_row_stride;
  let r7 = a_g + min(row + 7u, last) * p.a_row_stride;
  let src_plane = p.src_h * p.src_w;
  let src_base = (n * p.groups + g) * p.reduce * src_plane;
  for (var kh = 0u; kh < KH; kh++) {
    for (var kw = 0u; kw < KW; kw++) {
      let t = vec4i(tap(oy.x, ox.x, kh, kw), tap(oy.y, ox.y, kh, kw), tap(oy.z, ox.z, kh, kw), tap(oy.w, ox.w, kh, kw));
      let inside = t >= vec4i(0);
      let o = vec4u(max(t, vec4i(0))) + vec4u(src_base);
      var ai = kh * KW + kw;
      var si = 0u;
      for (var r = 0u; r < p.reduce; r++) {
        let b = select(vec4f(0.0), vec4f(src[o.x + si], src[o.y + si], src[o.z + si], src[o.w + si]), inside);
        accumulate(ai, r0, r1, r2, r3, r4, r5, r6, r7, b);
        ai += p.a_r_stride;
        si += src_plane;
      }
    }
  }
  if (pix >= pixels) { return; }
  let acc = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var i = 0u; i < 8u; i++) {
    let ch = row + i;
    if (ch >= p.rows) { break; }
    let oc = g * p.rows + ch;
    let v = activate(acc[i] + vec4f(select(0.0, bias[oc], HAS_BIAS)));
    let base = (n * p.groups * p.rows + oc) * pixels + pix;
    for (var j = 0u; j < 4u; j++) {
      if (pix + j < pixels) { out[base + j] = v[j]; }
    }
  }
}
