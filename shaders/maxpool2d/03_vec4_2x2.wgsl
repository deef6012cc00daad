// maxpool2d_03_vec4_2x2: version 03 of max pooling for the 2 x 2 window at stride 2 without
// padding or dilation (VGG's pools) when W divides by 4: each invocation loads one vec4 from
// each of the window's two input rows and writes two neighbouring outputs, where versions 01
// and 02 load the window one float at a time (eight loads for these two outputs).
// out[n, c, oh, ow] = max of x[n, c, 2 oh + kh, 2 ow + kw] over kh, kw in {0, 1}, and which
// input element won (ih * W + iw), visited in version 01's order (kh, then kw) with its rule:
// the first maximum on ties, the first NaN wins. The same numbers and indices as version 01.
//
// Buffers:  x [N, C, H, W] (as W / 4 vec4s per row), out [N, C, OH, OW], index [N, C, OH, OW] i32
//           (OW = W / 2: even; OH = floor(H / 2))
// Dispatch: (ceil(W / 4 / WG), OH, N * C) workgroups of WG: x a vec4 column q (outputs 2q and
//           2q + 1), y the output row, z the plane (the launcher keeps OH and N * C under 65,536).
// Launched by src/ops/pool.ts.

override WG: u32 = 64u;

struct Params {
  total: u32,        // N * C * OH * OW
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
  dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> index: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

// same as argmax.wgsl:is_nan
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// The max of a window visited in version 01's order: a, b from the top row, c, d from the
// bottom; returns (value, position in the window 0..3 as a float).
fn window_max(a: f32, b: f32, c: f32, d: f32) -> vec2f {
  var best = a;
  var at = 0.0;
  let v = vec3f(b, c, d);
  for (var k = 0u; k < 3u; k++) {
    if (!is_nan(best) && (v[k] > best || is_nan(v[k]))) {
      best = v[k];
      at = f32(k + 1u);
    }
  }
  return vec2f(best, at);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let q = wg.x * WG + lid;
  let w4 = p.w / 4u;
  if (q >= w4) { return; }
  let oh = wg.y;
  let plane = wg.z;
  let top = (plane * p.h + 2u * oh) * w4 + q;
  let r0 = x[top];
  let r1 = x[top + w4];
  let o = (plane * p.oh + oh) * p.ow + 2u * q;
  let ih = i32(2u * oh);
  let iw = i32(4u * q);
  let left = window_max(r0.x, r0.y, r1.x, r1.y);
  let right = window_max(r0.z, r0.w, r1.z, r1.w);
  out[o] = left.x;
  out[o + 1u] = right.x;
  // Window position k -> input (ih + k / 2, iw + k % 2) of the pair's left window, +2 columns for the right.
  let kl = i32(left.y);
  let kr = i32(right.y);
  index[o] = (ih + kl / 2) * i32(p.w) + iw + kl % 2;
  index[o + 1u] = (ih + kr / 2) * i32(p.w) + iw + 2 + kr % 2;
}
