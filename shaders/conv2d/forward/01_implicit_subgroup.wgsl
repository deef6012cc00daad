// conv2d version 01, implicit GEMM with subgroup broadcasts: the convolution as the product
//   out[n, g, row, p] = sum over taps (kh, kw), then r:  A[g, row, r, kh, kw] * src[n, g, r, tap(p, kh, kw)]
// computed straight from the input (no im2col buffer). A subgroup holds 8 rows by 4 pixels per
// lane, as matmul version 09: lane i (i < 8) loads A for row i and the other lanes read it with
// `subgroupBroadcast`; each lane gathers its own 4 source values. The taps are the outer loops,
// so where a tap lands (and whether it falls in the padding) is worked out once per tap and
// pixel, and the inner loop over r is 5 loads and 8 vec4 FMAs with no index arithmetic.
// Two uses (override TRANSPOSED):
//   forward:  rows = Cout/G, r = Cin/G, src = x [N, Cin, H, W], out = y [N, Cout, OH, OW],
//             tap(p, kh, kw) = (oh S - P + kh D, ow S - P + kw D), and the bias is added;
//   TRANSPOSED, dx = conv_transpose(dy, W): rows = Cin/G, r = Cout/G, src = dy, out = dx,
//             tap(p, kh, kw) = ((ih + P - kh D) / S, (iw + P - kw D) / S) where whole and inside.
// A is the weight [Cout, Cin/G, KH, KW] read through strides (row, r, group) given as params.
// Needs the `subgroups` feature and a subgroup size of at least 8 (lanes 0..7 hold the rows);
// control flow stays uniform until the stores. KH, KW, strides and dilations are override
// constants, so the tap loops unroll and the divisions of the transposed taps are by constants.
// Measured on the VGG-like layer (batch 8, 64 -> 64, 56x56, 3x3, pad 1, bias; llvmpipe, 2 cores,
// 2026-12-01, CPU time of round-robin runs, robust to the machine's load): forward 217 ms of CPU
// against 132 for the equivalent 25088x64x576 matmul (61% of its speed) and 330 for im2col +
// matmul. Version 03 removes half of its loads.
//
// Buffers:  src [N, G R, SH_, SW_], a (weights), bias [Cout] (unused unless HAS_BIAS),
//           out [N, G ROWS, OH_, OW_]; all f32.
// Dispatch: (G ceil(ROWS / 8), ceil(OH_ OW_ / (4 WG_X)), N) workgroups of WG_X x 1: x walks
//           the (group, block of 8 rows) first, so consecutive workgroups reuse the same source pixels.
// Launched by src/ops/conv.ts.

enable subgroups;

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

// One r: row i gets A[row i, r, tap] (held by lane i as `s`) times this lane's 4 source values.
// same as matmul/09_subgroup_broadcast.wgsl:accumulate
fn accumulate(s: f32, bk: vec4f) {
  c0 = fma(vec4f(subgroupBroadcast(s, 0u)), bk, c0);
  c1 = fma(vec4f(subgroupBroadcast(s, 1u)), bk, c1);
  c2 = fma(vec4f(subgroupBroadcast(s, 2u)), bk, c2);
  c3 = fma(vec4f(subgroupBroadcast(s, 3u)), bk, c3);
  c4 = fma(vec4f(subgroupBroadcast(s, 4u)), bk, c4);
  c5 = fma(vec4f(subgroupBroadcast(s, 5u)), bk, c5);
  c6 = fma(vec4f(subgroupBroadcast(s, 6u)), bk, c6);
  c7 = fma(vec4f(subgroupBroadcast(s, 7u)), bk, c7);
}

// Where output pixel (oy, ox) reads tap (kh, kw) in its source plane, or -1 if nowhere.
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
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
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
  let a_lane = g * p.a_group_stride + min(row + lane % 8u, p.rows - 1u) * p.a_row_stride;
  let src_plane = p.src_h * p.src_w;
  let src_base = (n * p.groups + g) * p.reduce * src_plane;
  for (var kh = 0u; kh < KH; kh++) {
    for (var kw = 0u; kw < KW; kw++) {
      let t = vec4i(tap(oy.x, ox.x, kh, kw), tap(oy.y, ox.y, kh, kw), tap(oy.z, ox.z, kh, kw), tap(oy.w, ox.w, kh, kw));
      let inside = t >= vec4i(0);
      let o = vec4u(max(t, vec4i(0))) + vec4u(src_base);
      var ai = a_lane + kh * KW + kw;
      var si = 0u;
      for (var r = 0u; r < p.reduce; r++) {
        let b = select(vec4f(0.0), vec4f(src[o.x + si], src[o.y + si], src[o.z + si], src[o.w + si]), inside);
        accumulate(a[ai], b);
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
