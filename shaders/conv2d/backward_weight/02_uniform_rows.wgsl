// conv2d weight gradient, version 02: implicit GEMM for adapters without subgroups (see the subgroup
// version, backward_weight/01_subgroup.wgsl, for the method):
//   dW[g Cout/G + co, ci, kh, kw] = sum over (n, oy, ox) of
//       dy[n, g Cout/G + co, oy, ox] * x[n, g Cin/G + ci, oy S - P + kh D, ox S - P + kw D]
// read straight from dy and x (no im2col buffer). A workgroup owns one tap (kh, kw) and one
// block of 8 output channels; each lane owns 4 input channels. The 8 dy values of a pixel sit at
// addresses that are the same for every lane of the workgroup (a SIMD driver may load them
// once). Because the tap is the same for the whole workgroup, the output pixels whose tap falls
// in the padding are cut from the loop bounds once (no per-pixel checks), and every step is 8
// uniform loads of dy, 4 loads of x and 8 vec4 FMAs.
// Measured on the VGG-like layer (batch 8, 64 -> 64, 56x56, 3x3, pad 1; llvmpipe, 2 cores,
// 2026-12-01, CPU time): about 300 ms of CPU, 0.9x the forward of conv2d version 02.
//
// Buffers:  x [N, Cin, H, W], dy [N, Cout, OH, OW], dw [Cout, Cin/G, KH, KW]; all f32.
// Dispatch: (G ceil(Cout/G / 8), KH KW, ceil(Cin/G / (4 WG_X))) workgroups of WG_X x 1.
// Launched by src/ops/conv.ts (conv2d's backward).

override WG_X: u32 = 16u;

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

var<private> c0: vec4f; var<private> c1: vec4f; var<private> c2: vec4f; var<private> c3: vec4f;
var<private> c4: vec4f; var<private> c5: vec4f; var<private> c6: vec4f; var<private> c7: vec4f;

// One pixel: channel i gets dy[d + o[i]] times this lane's 4 inputs.
fn accumulate(d: u32, o: array<u32, 8>, bk: vec4f) {
  c0 = fma(vec4f(dy[d + o[0]]), bk, c0);
  c1 = fma(vec4f(dy[d + o[1]]), bk, c1);
  c2 = fma(vec4f(dy[d + o[2]]), bk, c2);
  c3 = fma(vec4f(dy[d + o[3]]), bk, c3);
  c4 = fma(vec4f(dy[d + o[4]]), bk, c4);
  c5 = fma(vec4f(dy[d + o[5]]), bk, c5);
  c6 = fma(vec4f(dy[d + o[6]]), bk, c6);
  c7 = fma(vec4f(dy[d + o[7]]), bk, c7);
}

// The outputs o in [lo, hi) whose tap o S - P + k D lands inside [0, size).
// same as conv2d/backward_weight/01_subgroup.wgsl:inside_range
fn inside_range(size: u32, out_size: u32, s: u32, pad: u32, kd: u32) -> vec2u {
  let first = i32(pad) - i32(kd);                  // o S >= P - k D
  let lo = select(0u, (u32(first) + s - 1u) / s, first > 0);
  let last = i32(size) - 1 + i32(pad) - i32(kd);   // o S <= size - 1 + P - k D
  let hi = select(0u, min(out_size, u32(last) / s + 1u), last >= 0);
  return vec2u(lo, max(lo, hi));
}

@compute @workgroup_size(WG_X, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let row_blocks = (p.rows + 7u) / 8u;
  let g = wg.x / row_blocks;
  let row = (wg.x % row_blocks) * 8u;
  let kh = wg.y / p.kw;
  let kw = wg.y % p.kw;
  let ci = (wg.z * WG_X + lid.x) * 4u;
  let plane = p.h * p.w;
  let out_plane = p.oh * p.ow;
  // This lane's 4 input channels and its dy channel (clamped: duplicates are never stored).
  let last = p.cg - 1u;
  let xc = vec4u(min(ci, last), min(ci + 1u, last), min(ci + 2u, last), min(ci + 3u, last)) * plane;
  // Offsets of the 8 channels' dy planes (rows past the end read the last again, never stored).
  let last_row = p.rows - 1u - row;
  let o = array<u32, 8>(0u, min(1u, last_row) * out_plane, min(2u, last_row) * out_plane, min(3u, last_row) * out_plane,
                        min(4u, last_row) * out_plane, min(5u, last_row) * out_plane, min(6u, last_row) * out_plane, min(7u, last_row) * out_plane);
  let ys = inside_range(p.h, p.oh, p.stride_h, p.pad_h, kh * p.dil_h);
  let xs = inside_range(p.w, p.ow, p.stride_w, p.pad_w, kw * p.dil_w);
  let iy0 = i32(kh * p.dil_h) - i32(p.pad_h);
  let ix0 = i32(kw * p.dil_w) - i32(p.pad_w);
  for (var n = 0u; n < p.n; n++) {
    let x_base = (n * p.groups + g) * p.cg * plane;
    let dy_base = (n * p.groups * p.rows + g * p.rows + row) * out_plane;
    for (var oy = ys.x; oy < ys.y; oy++) {
      let x_row = x_base + u32(i32(oy * p.stride_h) + iy0) * p.w;
      let dy_row = dy_base + oy * p.ow;
      for (var ox = xs.x; ox < xs.y; ox++) {
        let xi = vec4u(x_row + u32(i32(ox * p.stride_w) + ix0)) + xc;
        accumulate(dy_row + ox, o, vec4f(x[xi.x], x[xi.y], x[xi.z], x[xi.w]));
      }
    }
  }
  if (ci >= p.cg) { return; }
  let acc = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  let taps = p.kh * p.kw;
  for (var i = 0u; i < 8u; i++) {
    if (row + i >= p.rows) { break; }
    let base = ((g * p.rows + row + i) * p.cg + ci) * taps + wg.y;
    for (var j = 0u; j < 4u; j++) {
      if (ci + j < p.cg) { dw[base + j * taps] = acc[i][j]; }
    }
  }
}
