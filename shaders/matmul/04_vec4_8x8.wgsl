// matmul version 04, register-blocked 8x8 with vec4 loads: each invocation computes 8 rows by
// 8 columns (two vec4s) of C. Twice the reuse of version 03 per load (per step of 4 k, 8 A
// and 8 B vec4 loads feed 64 vec4 FMAs), at the cost of 16 vec4 accumulators: more than a
// CPU's vector registers hold, so on llvmpipe they spill and the gain is small. Needs K and N multiples of 4 (a right-hand half-tile past N
// is computed from clamped loads and not stored).
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 13.6 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(N / (8 WG_X)), ceil(M / (8 WG_Y)), batch) workgroups of WG_X x WG_Y.
// Launched by src/ops/matmul.ts.

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_batch_stride: u32,
  b_batch_stride: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n4 = p.n / 4u;
  let k4 = p.k / 4u;
  let col4 = gid.x * 2u;
  let row = gid.y * 8u;
  if (row >= p.m || col4 >= n4) { return; }
  let col4b = min(col4 + 1u, n4 - 1u);
  let a_base = gid.z * p.a_batch_stride;
  let b_base = gid.z * p.b_batch_stride;
  var a_row: array<u32, 8>;
  for (var r = 0u; r < 8u; r++) { a_row[r] = a_base + min(row + r, p.m - 1u) * k4; }
  var left: array<vec4f, 8>;
  var right: array<vec4f, 8>;
  for (var kk = 0u; kk < k4; kk++) {
    let k = b_base + kk * 4u * n4;
    let l0 = b[k + col4];            let r0 = b[k + col4b];
    let l1 = b[k + n4 + col4];       let r1 = b[k + n4 + col4b];
    let l2 = b[k + 2u * n4 + col4];  let r2 = b[k + 2u * n4 + col4b];
    let l3 = b[k + 3u * n4 + col4];  let r3 = b[k + 3u * n4 + col4b];
    for (var r = 0u; r < 8u; r++) {
      let av = a[a_row[r] + kk];
      left[r] = fma(vec4f(av.x), l0, left[r]);
      left[r] = fma(vec4f(av.y), l1, left[r]);
      left[r] = fma(vec4f(av.z), l2, left[r]);
      left[r] = fma(vec4f(av.w), l3, left[r]);
      right[r] = fma(vec4f(av.x), r0, right[r]);
      right[r] = fma(vec4f(av.y), r1, right[r]);
      right[r] = fma(vec4f(av.z), r2, right[r]);
      right[r] = fma(vec4f(av.w), r3, right[r]);
    }
  }
  let c_base = gid.z * p.m * n4;
  for (var r = 0u; r < 8u; r++) {
    if (row + r >= p.m) { break; }
    c[c_base + (row + r) * n4 + col4] = left[r];
    if (col4 + 1u < n4) { c[c_base + (row + r) * n4 + col4 + 1u] = right[r]; }
  }
}
