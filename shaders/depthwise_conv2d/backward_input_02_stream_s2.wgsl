// Depthwise conv2d 3x3, stride 2, padding 1, dilation 1, M = 1: the input gradient, version 02,
// as a gather (no scatter, no atomics). With y[oh, ow] += w[kh, kw] x[2 oh - 1 + kh, 2 ow - 1 + kw]:
//   dx[n, c, 2 r,     2 q    ] = w[1, 1] dy[r, q]
//   dx[n, c, 2 r,     2 q + 1] = w[1, 0] dy[r, q + 1] + w[1, 2] dy[r, q]
//   dx[n, c, 2 r - 1, iw     ] = the same along the row with kernel row 0 on dy row r, plus kernel row 2 on dy row r - 1
// (dy zero outside its plane). Each invocation owns a strip of V dy vec4s (8 V dx columns) and
// streams down dy rows r0 ..: each dy row is loaded once (V aligned vec4s plus the next vec4's
// first value, skipped at the plane's edge) and, with the previous dy row kept in registers,
// gives the two dx rows 2 r - 1 and 2 r: 4 dx vec4s stored per dy vec4 loaded. The even / odd
// columns are swizzles (free on llvmpipe, whose lanes are SIMD across invocations). No workgroup
// memory, barriers or dynamically indexed arrays (the V loops unroll).
// Needs W = 2 OW with OW a multiple of 4; any height (OH = floor((H - 1) / 2) + 1).
//
// Measured (llvmpipe, 2 cores, 8x144x56x56, % of the copy probe's GB/s for the same bytes, 3
// runs at load average 23-25, 2026-12-07): 161/207/213%, against version 01's 47-61% (its
// register tiles, still routed for other strided shapes).
//
// Buffers:  dy [N, C, OH, OW] as vec4s, w [C, 1, 3, 3], dx [N, C, H, 2 OW] as vec4s; all f32.
// Dispatch: (ceil(strips / WG_X), ceil((OH + 1) / p.br), ceil(planes / WG_Z)) workgroups of
//           WG_X x 1 x WG_Z, strips = ceil(OW / (4 V)), planes = N C counted from p.plane0
//           (p.planes of them); an invocation gives dx row pairs (2 r - 1, 2 r) for r in
//           [p.br gid.y, p.br (gid.y + 1)), r <= OH.
// Launched by src/ops/depthwise_kernels.ts.

override WG_X: u32 = 1u;
override WG_Z: u32 = 16u;
override V: u32 = 7u;             // dy vec4s per invocation along the row (at most MAX_V)

const MAX_V = 8u;

struct Params {
  dx_h: u32, dy_h: u32,          // rows of dx (H) and dy (OH)
  ow4: u32,                      // dy vec4s per row (dx has 2 ow4)
  c: u32,                        // channels
  plane0: u32,                   // first plane n C + c of this dispatch
  planes: u32,                   // planes in this dispatch
  br: u32,                       // dx row pairs per invocation
}

@group(0) @binding(0) var<storage, read> dy: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;

// dy row r's vec4s u0 ..< u0 + V as ds[0 ..< V] and the next vec4 as ds[V], zero outside the plane.
fn load_row(plane4: u32, r: u32, u0: u32) -> array<vec4f, MAX_V + 1u> {
  var ds: array<vec4f, MAX_V + 1u>;
  for (var k = 0u; k < V + 1u; k++) { ds[k] = vec4f(0.0); }
  if (r < p.dy_h) {
    let row4 = plane4 + r * p.ow4 + u0;
    for (var v = 0u; v < V; v++) {
      if (u0 + v < p.ow4) { ds[v] = dy[row4 + v]; }
    }
    if (u0 + V < p.ow4) { ds[V] = dy[row4 + V]; }
  }
  return ds;
}

// Kernel row k along dy vec4 v: dx columns 8 v ..< 8 v + 8 of the strip, as two vec4s.
fn spread(ds: ptr<function, array<vec4f, MAX_V + 1u>>, v: u32, k: vec3f) -> array<vec4f, 2> {
  let d = (*ds)[v];
  let e = (*ds)[v + 1u].x;
  let even = d * k.y;
  let odd = fma(vec4f(d.yzw, e), vec4f(k.x), d * k.z);
  return array<vec4f, 2>(vec4f(even.x, odd.x, even.y, odd.y), vec4f(even.z, odd.z, even.w, odd.w));
}

@compute @workgroup_size(WG_X, 1, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let u0 = gid.x * V;                                // first dy vec4 of the strip
  let r0 = gid.y * p.br;
  if (gid.z >= p.planes || u0 >= p.ow4 || r0 > p.dy_h) { return; }
  let plane = p.plane0 + gid.z;                      // n C + c
  let dy4 = plane * p.dy_h * p.ow4;
  let dx_w4 = 2u * p.ow4;
  let t = (plane % p.c) * 9u;
  let k0 = vec3f(w[t], w[t + 1u], w[t + 2u]);
  let k1 = vec3f(w[t + 3u], w[t + 4u], w[t + 5u]);
  let k2 = vec3f(w[t + 6u], w[t + 7u], w[t + 8u]);
  var prev = load_row(dy4, r0 - 1u, u0);             // r0 - 1 wraps past dy_h when r0 = 0: zeros
  let pairs = min(p.br, p.dy_h + 1u - r0);
  for (var i = 0u; i < pairs; i++) {
    let r = r0 + i;
    var cur = load_row(dy4, r, u0);
    let odd_row = 2 * i32(r) - 1;
    let o_odd = (plane * p.dx_h + u32(max(odd_row, 0))) * dx_w4 + 2u * u0;
    let o_even = (plane * p.dx_h + 2u * r) * dx_w4 + 2u * u0;
    for (var v = 0u; v < V; v++) {
      if (u0 + v < p.ow4) {
        if (odd_row >= 0 && u32(odd_row) < p.dx_h) {
          let a = spread(&cur, v, k0);
          let b = spread(&prev, v, k2);
          dx[o_odd + 2u * v] = a[0] + b[0];
          dx[o_odd + 2u * v + 1u] = a[1] + b[1];
        }
        if (2u * r < p.dx_h) {
          let m = spread(&cur, v, k1);
          dx[o_even + 2u * v] = m[0];
          dx[o_even + 2u * v + 1u] = m[1];
        }
      }
    }
    prev = cur;
  }
}
