// conv2d version 03, version 01 with a row window for stride-1 rows: a lane's 4 output pixels
// are consecutive in one output row (rows are cut into quads of 4 pixels, the last one partial
// when OW is not a multiple of 4), so for one kernel row kh the KW taps of its 4 pixels read
// only KW + 3 consecutive source values (3 x 3: 6 loads instead of 12). The loop order becomes
// kernel row, then reduced channel r, then the KW taps unrolled over the window:
//   window[i] = src[n, g, r, row(kh), x0 + i], i < KW + 3;  tap kw of pixel j = window[j + kw]
// (forward: x0 = ow0 - P; TRANSPOSED: x0 = iw0 + P - (KW - 1), taps flipped: window[j + KW-1-kw]).
// Per (kh, r): KW + 3 gathered loads and KW broadcast loads for 8 KW vec4 FMAs. Everything else
// (subgroup broadcasts of 8 rows, taps, dispatch, bias) as version 01.
// Needs stride 1 and dilation 1 along the width, KW <= 13, the `subgroups` feature and
// subgroups of at least 8 lanes.
// Measured on the VGG-like layer (batch 8, 64 -> 64, 56x56, 3x3, pad 1, bias; llvmpipe, 2 cores,
// 2026-12-01, CPU time of round-robin runs): forward 137-140 ms of CPU against 125-132 for the
// equivalent 25088x64x576 matmul (90-95% of its speed), 217 for version 01 and 330 for im2col +
// matmul; dx (TRANSPOSED) costs about the forward's time. The wall-clock figures of one
// `bench/cnn.ts` run are in src/ops/conv.ts.
//
// Buffers:  src [N, G R, SH_, SW_], a (weights), bias [Cout] (unused unless HAS_BIAS),
//           out [N, G ROWS, OH_, OW_]; all f32.
// Dispatch: (G ceil(ROWS / 8), ceil(OH_ ceil(OW_ / 4) / WG_X), N) workgroups of WG_X x 1.
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

// Source row of output row oy for kernel row kh, or -1 if none (padding, stride gap).
fn source_row(oy: u32, kh: u32) -> i32 {
  if (!TRANSPOSED) {
    let iy = i32(oy * STRIDE_H + kh * DIL_H) - i32(p.pad_h);
    return select(-1, iy, iy >= 0 && iy < i32(p.src_h));
  }
  let ty = i32(oy + p.pad_h) - i32(kh * DIL_H);   // = (source row) * S
  if (ty < 0) { return -1; }
  let sy = u32(ty) / STRIDE_H;
  return select(-1, i32(sy), sy * STRIDE_H == u32(ty) && sy < p.src_h);
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
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let pixels = p.out_h * p.out_w;
  let row_blocks = (p.rows + 7u) / 8u;
  let g = wg.x / row_blocks;
  let row = (wg.x % row_blocks) * 8u;
  let n = wg.z;
  // This lane's 4 output pixels (oy, ox .. ox + 3): each output row is cut into ceil(OW / 4)
  // quads, the last one partial, so a quad never straddles two rows.
  let quads = (p.out_w + 3u) / 4u;
  let slot = wg.y * WG_X + lid.x;
  let here = min(slot, p.out_h * quads - 1u);      // lanes past the end compute duplicates
  let oy = here / quads;
  let ox = (here % quads) * 4u;
  let x0 = select(i32(ox) - i32(p.pad_w), i32(ox + p.pad_w) - i32(KW - 1u), TRANSPOSED);
  // Which window entries fall inside the source row (the same for every kernel row and r).
  var inside: array<bool, 16>;
  for (var i = 0u; i < KW + 3u; i++) {
    inside[i] = x0 + i32(i) >= 0 && x0 + i32(i) < i32(p.src_w);
  }
  let a_lane = g * p.a_group_stride + min(row + lane % 8u, p.rows - 1u) * p.a_row_stride;
  let src_plane = p.src_h * p.src_w;
  let src_base = (n * p.groups + g) * p.reduce * src_plane;
  var window: array<f32, 16>;
  for (var kh = 0u; kh < KH; kh++) {
    // A lane whose row falls outside reads zeros (no early exit: broadcasts need every lane).
    let sy = source_row(oy, kh);
    var ok: array<bool, 16>;
    for (var i = 0u; i < KW + 3u; i++) { ok[i] = inside[i] && sy >= 0; }
    var ai = a_lane + kh * KW;
    var si = src_base + u32(max(sy, 0)) * p.src_w;
    for (var r = 0u; r < p.reduce; r++) {
      for (var i = 0u; i < KW + 3u; i++) {
        window[i] = select(0.0, src[u32(max(i32(si) + x0 + i32(i), 0))], ok[i]);
      }
      for (var kw = 0u; kw < KW; kw++) {
        let t = select(kw, KW - 1u - kw, TRANSPOSED);
        accumulate(a[ai + kw], vec4f(window[t], window[t + 1u], window[t + 2u], window[t + 3u]));
      }
      ai += p.a_r_stride;
      si += src_plane;
    }
  }
  if (slot >= p.out_h * quads) { return; }
  let acc = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var i = 0u; i < 8u; i++) {
    let ch = row + i;
    if (ch >= p.rows) { break; }
    let oc = g * p.rows + ch;
    let v = activate(acc[i] + vec4f(select(0.0, bias[oc], HAS_BIAS)));
    let base = (n * p.groups * p.rows + oc) * pixels + oy * p.out_w + ox;
    for (var j = 0u; j < 4u; j++) {
      if (ox + j < p.out_w) { out[base + j] = v[j]; }
    }
  }
}
