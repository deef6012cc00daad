// Depthwise conv2d 3x3, stride 2, padding 1, dilation 1, version 06: version 05's streams at
// stride 2. Each invocation owns a strip of V output vec4s (4 V columns, read from 8 V source
// columns) of p.bh output rows; output row oh reads source rows 2 oh - 1, 2 oh and 2 oh + 1, so it
// streams down the source rows two at a time, each loaded once as 2 V aligned vec4s plus the
// vec4 on its left (for its last column; skipped at the plane's edge), with two accumulator rows:
// the output row being finished and the kernel row 0 part of the next one (source row 2 oh + 1).
// The even / odd columns are picked from the vec4s as swizzles (free: lanes are SIMD across
// invocations, a vec4 is four registers). No workgroup memory, barriers or dynamically indexed
// arrays (the V loops unroll):
//   y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] x[n, co / M, 2 oh - 1 + kh, 2 ow - 1 + kw]
// Needs W = 2 OW with OW a multiple of 4 (rows start on vec4s); any height.
//
// Measured (llvmpipe, 2 cores, 8x144x56x56, % of the copy probe's GB/s for the same bytes, 3
// runs at load average 23-25, 2026-12-07): 91/102/103%, against version 01's 61-86% and 03's
// 64-85% in the same rounds.
//
// Buffers:  x [N, C, H, 2 OW] as vec4s, w [M C, 1, 3, 3], bias [M C] (read only if HAS_BIAS),
//           y [N, M C, OH, OW] as vec4s; all f32.
// Dispatch: (ceil(strips / WG_X), ceil(OH / p.bh), ceil(planes / WG_Z)) workgroups of WG_X x 1 x WG_Z,
//           strips = ceil(OW / (4 V)), planes = N M C counted from p.plane0 (p.planes of them).
// Launched by src/ops/depthwise_kernels.ts.

override WG_X: u32 = 1u;
override WG_Z: u32 = 16u;
override V: u32 = 7u;             // output vec4s per invocation along the row (at most MAX_V)
override MULT: u32 = 1u;
override HAS_BIAS: bool = false;

const MAX_V = 8u;

struct Params {
  src_h: u32, out_h: u32,        // source and output rows
  ow4: u32,                      // output vec4s per row (the source has 2 ow4)
  src_c: u32, out_c: u32,        // channels of x and y
  plane0: u32,                   // first plane n OUT_C + c of this dispatch
  planes: u32,                   // planes in this dispatch
  bh: u32,                       // output rows per invocation
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;
@group(0) @binding(4) var<uniform> p: Params;

// Source row ih's vec4s 2 v0 - 1 ..< 2 (v0 + V) as xs[0 ..< 2 V + 1], zero outside the plane.
fn load_row(plane4: u32, ih: i32, v0: u32) -> array<vec4f, 2u * MAX_V + 1u> {
  var xs: array<vec4f, 2u * MAX_V + 1u>;
  for (var k = 0u; k < 2u * V + 1u; k++) { xs[k] = vec4f(0.0); }
  if (ih >= 0 && ih < i32(p.src_h)) {
    let row4 = plane4 + u32(ih) * 2u * p.ow4 + 2u * v0;
    if (v0 > 0u) { xs[0] = x[row4 - 1u]; }
    for (var v = 0u; v < V; v++) {
      if (v0 + v < p.ow4) {
        xs[2u * v + 1u] = x[row4 + 2u * v];
        xs[2u * v + 2u] = x[row4 + 2u * v + 1u];
      }
    }
  }
  return xs;
}

// Kernel row k of a source row for output vec4 v: columns 2 ow - 1, 2 ow, 2 ow + 1.
fn taps(xs: ptr<function, array<vec4f, 2u * MAX_V + 1u>>, v: u32, k: vec3f) -> vec4f {
  let a = (*xs)[2u * v + 1u];
  let b = (*xs)[2u * v + 2u];
  let left = vec4f((*xs)[2u * v].w, a.y, a.w, b.y);
  return fma(left, vec4f(k.x), fma(vec4f(a.x, a.z, b.x, b.z), vec4f(k.y), vec4f(a.y, a.w, b.y, b.w) * k.z));
}

@compute @workgroup_size(WG_X, 1, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let v0 = gid.x * V;                                // first output vec4 of the strip
  let oh0 = gid.y * p.bh;
  if (gid.z >= p.planes || v0 >= p.ow4 || oh0 >= p.out_h) { return; }
  let plane = p.plane0 + gid.z;                      // n OUT_C + c
  let n = plane / p.out_c;
  let c = plane - n * p.out_c;
  let plane4 = (n * p.src_c + c / MULT) * p.src_h * 2u * p.ow4;
  let t = c * 9u;
  let k0 = vec3f(w[t], w[t + 1u], w[t + 2u]);
  let k1 = vec3f(w[t + 3u], w[t + 4u], w[t + 5u]);
  let k2 = vec3f(w[t + 6u], w[t + 7u], w[t + 8u]);
  let b0 = vec4f(select(0.0, bias[c], HAS_BIAS));

  // next: kernel row 0's part of the coming output row (source row 2 oh - 1).
  var next: array<vec4f, MAX_V>;
  var xs = load_row(plane4, 2 * i32(oh0) - 1, v0);
  for (var v = 0u; v < V; v++) { next[v] = b0 + taps(&xs, v, k0); }
  let rows = min(p.bh, p.out_h - oh0);
  for (var i = 0u; i < rows; i++) {
    let oh = oh0 + i;
    var acc = next;
    xs = load_row(plane4, 2 * i32(oh), v0);
    for (var v = 0u; v < V; v++) { acc[v] += taps(&xs, v, k1); }
    xs = load_row(plane4, 2 * i32(oh) + 1, v0);
    for (var v = 0u; v < V; v++) {
      acc[v] += taps(&xs, v, k2);
      next[v] = b0 + taps(&xs, v, k0);
    }
    let o4 = (plane * p.out_h + oh) * p.ow4 + v0;
    for (var v = 0u; v < V; v++) {
      if (v0 + v < p.ow4) { y[o4 + v] = acc[v]; }
    }
  }
}
