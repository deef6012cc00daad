// conv2d weight gradient, version 03: for stride-1 rows and kernels 2 or 3 wide, implicit GEMM with a
// sliding window and subgroup broadcasts:
//   dW[g Cout/G + co, ci, kh, kw] = sum over (n, oy, ox) of
//       dy[n, g Cout/G + co, oy, ox] * x[n, g Cin/G + ci, oy S - P + kh D, ox - P + kw]
// Each lane owns one (ci, kh) and the KW (<= 3) taps kw of it for 8 output channels. Walking
// along an output row, the 3 x values it needs, x[ox - P + kw] for kw = 0..2, slide by one per
// step: each step loads ONE new x value and, through `subgroupBroadcast` from lanes 0..7, one
// dy value per channel, for 8 vec3 FMAs (backward_weight/01_subgroup.wgsl loads 5 for 8
// vec4s). vec3, not vec4: the 24 accumulators leave registers free (3 x 3 is the kernel that
// matters; a 2-wide one computes an unused third tap). Padding columns read as 0; rows outside the input are masked
// (control flow stays uniform: broadcasts need every lane).
// Needs stride 1 and dilation 1 along the width, 2 <= KW <= 3, the `subgroups` feature and
// subgroups of at least 8 lanes.
// Measured on the VGG-like layer (batch 8, 64 -> 64, 56x56, 3x3, pad 1; llvmpipe, 2 cores,
// 2026-12-01, CPU time of round-robin runs): about 135 ms of CPU, the time of the forward (version
// 03); vec4 accumulators (one unused tap) took about 7% longer.
//
// Buffers:  x [N, Cin, H, W], dy [N, Cout, OH, OW], dw [Cout, Cin/G, KH, KW]; all f32.
// Dispatch: (G ceil(Cout/G / 8), ceil(Cin/G KH / WG_X), 1) workgroups of WG_X x 1.
// Launched by src/ops/conv.ts (conv2d's backward).

enable subgroups;

override WG_X: u32 = 64u;

struct Params {
  n: u32, h: u32, w: u32, oh: u32, ow: u32,
  rows: u32, cg: u32, groups: u32,   // output channels per group, input channels per group, G
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32, pad_h: u32, pad_w: u32, dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<private> c0: vec3f; var<private> c1: vec3f; var<private> c2: vec3f; var<private> c3: vec3f;
var<private> c4: vec3f; var<private> c5: vec3f; var<private> c6: vec3f; var<private> c7: vec3f;

// One pixel: channel i gets dy[channel i] (held by lane i as `s`) times this lane's 3 taps.
fn accumulate(s: f32, bk: vec3f) {
  c0 = fma(vec3f(subgroupBroadcast(s, 0u)), bk, c0);
  c1 = fma(vec3f(subgroupBroadcast(s, 1u)), bk, c1);
  c2 = fma(vec3f(subgroupBroadcast(s, 2u)), bk, c2);
  c3 = fma(vec3f(subgroupBroadcast(s, 3u)), bk, c3);
  c4 = fma(vec3f(subgroupBroadcast(s, 4u)), bk, c4);
  c5 = fma(vec3f(subgroupBroadcast(s, 5u)), bk, c5);
  c6 = fma(vec3f(subgroupBroadcast(s, 6u)), bk, c6);
  c7 = fma(vec3f(subgroupBroadcast(s, 7u)), bk, c7);
}

// The window x[ox - P + kw], kw = 0..2, of the current pixel.
var<private> v: vec3f;

// x[row, ix], or 0 outside the row or the input.
fn checked(x_row: i32, ix: i32, row_ok: bool) -> f32 {
  return select(0.0, x[u32(x_row + max(ix, 0))], row_ok && ix >= 0 && ix < i32(p.w));
}

// Next pixel: the window slides by one (its new last tap is `next`), then accumulates.
fn slide(next: f32, d: f32) {
  v = vec3f(v.yz, next);
  accumulate(d, v);
}

@compute @workgroup_size(WG_X, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let row_blocks = (p.rows + 7u) / 8u;
  let g = wg.x / row_blocks;
  let row = (wg.x % row_blocks) * 8u;
  let me = wg.y * WG_X + lid.x;                       // (ci, kh), clamped: duplicates never stored
  let pair = min(me, p.cg * p.kh - 1u);
  let ci = pair / p.kh;
  let kh = pair % p.kh;
  let plane = p.h * p.w;
  let out_plane = p.oh * p.ow;
  let my_row = g * p.rows + min(row + lane % 8u, p.rows - 1u);
  let x0 = -i32(p.pad_w);                              // source column of tap 0 at ox = 0
  for (var n = 0u; n < p.n; n++) {
    let x_plane = ((n * p.groups + g) * p.cg + ci) * plane;
    let dy_plane = (n * p.groups * p.rows + my_row) * out_plane;
    for (var oy = 0u; oy < p.oh; oy++) {
      let iy = i32(oy * p.stride_h + kh * p.dil_h) - i32(p.pad_h);
      let row_ok = iy >= 0 && iy < i32(p.h);
      let x_row = i32(x_plane) + max(iy, 0) * i32(p.w);
      // The window: x[ox - P + kw], kw = 0..2 (0 outside the row or the input).
      v = vec3f(0.0, checked(x_row, x0, row_ok), checked(x_row, x0 + 1, row_ok));
      let dy_row = dy_plane + oy * p.ow;
      // Pixels [safe_lo, safe_hi) take their new tap from inside the row: no column checks
      // there, 4 pixels per iteration; the few at the edges check.
      let safe_lo = u32(max(0, i32(p.pad_w) - 2));
      let safe_hi = u32(clamp(i32(p.w) + i32(p.pad_w) - 2, i32(safe_lo), i32(p.ow)));
      var ox = 0u;
      for (; ox < safe_lo; ox++) { slide(checked(x_row, i32(ox) + x0 + 2, row_ok), dy[dy_row + ox]); }
      for (; ox + 4u <= safe_hi; ox += 4u) {
        let xi = u32(x_row + i32(ox) + x0 + 2);
        let d = dy_row + ox;
        slide(select(0.0, x[xi], row_ok), dy[d]);
        slide(select(0.0, x[xi + 1u], row_ok), dy[d + 1u]);
        slide(select(0.0, x[xi + 2u], row_ok), dy[d + 2u]);
        slide(select(0.0, x[xi + 3u], row_ok), dy[d + 3u]);
      }
      for (; ox < p.ow; ox++) { slide(checked(x_row, i32(ox) + x0 + 2, row_ok), dy[dy_row + ox]); }
    }
  }
  if (me >= p.cg * p.kh) { return; }
  let acc = array<vec3f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var i = 0u; i < 8u; i++) {
    if (row + i >= p.rows) { break; }
    let base = (((g * p.rows + row + i) * p.cg + ci) * p.kh + kh) * p.kw;
    for (var j = 0u; j < p.kw; j++) { dw[base + j] = acc[i][j]; }
  }
}
