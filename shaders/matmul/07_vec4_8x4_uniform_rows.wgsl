// matmul version 07, 8 rows x 4 columns per invocation, rows shared by the whole workgroup:
// a workgroup is one row of WG_X invocations (WG_Y = 1), so the 8 A rows come from the
// workgroup id, the same for every lane; a SIMD CPU driver (llvmpipe) then loads A once and
// broadcasts it, and only B, one vec4 per lane per k, is gathered. Per step of 4 k: 8 uniform
// vec4 loads of A and 4 gathered vec4 loads of B feed 32 vec4 FMAs into 8 accumulators (as
// many as the FMA probe keeps in registers). Needs K and N multiples of 4.
// The best version without subgroups on llvmpipe, though its gain over 03 suggests the driver
// still gathers the "uniform" A loads per lane; version 09 removes those loads instead.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 15.1 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(N / (4 WG_X)), ceil(M / 8), batch) workgroups of WG_X x 1.
// Launched by src/ops/matmul.ts.

override WG_X: u32 = 64u;
override WG_Y: u32 = 1u;   // must stay 1: rows come from the workgroup id

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
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let n4 = p.n / 4u;
  let k4 = p.k / 4u;
  let col4 = min(gid.x, n4 - 1u);   // lanes past N compute a duplicate and skip the store
  let row = wg.y * 8u;
  let a_base = wg.z * p.a_batch_stride;
  let b_base = wg.z * p.b_batch_stride + col4;
  let last = p.m - 1u;
  let r0 = a_base + min(row, last) * k4;
  let r1 = a_base + min(row + 1u, last) * k4;
  let r2 = a_base + min(row + 2u, last) * k4;
  let r3 = a_base + min(row + 3u, last) * k4;
  let r4 = a_base + min(row + 4u, last) * k4;
  let r5 = a_base + min(row + 5u, last) * k4;
  let r6 = a_base + min(row + 6u, last) * k4;
  let r7 = a_base + min(row + 7u, last) * k4;
  var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
  var c4 = vec4f(0.0); var c5 = vec4f(0.0); var c6 = vec4f(0.0); var c7 = vec4f(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let kb = b_base + kk * 4u * n4;
    let a0 = a[r0 + kk]; let a1 = a[r1 + kk]; let a2 = a[r2 + kk]; let a3 = a[r3 + kk];
    let a4 = a[r4 + kk]; let a5 = a[r5 + kk]; let a6 = a[r6 + kk]; let a7 = a[r7 + kk];
    let b0 = b[kb];
    let b1 = b[kb + n4];
    let b2 = b[kb + 2u * n4];
    let b3 = b[kb + 3u * n4];
    c0 = fma(vec4f(a0.x), b0, c0); c1 = fma(vec4f(a1.x), b0, c1); c2 = fma(vec4f(a2.x), b0, c2); c3 = fma(vec4f(a3.x), b0, c3);
    c4 = fma(vec4f(a4.x), b0, c4); c5 = fma(vec4f(a5.x), b0, c5); c6 = fma(vec4f(a6.x), b0, c6); c7 = fma(vec4f(a7.x), b0, c7);
    c0 = fma(vec4f(a0.y), b1, c0); c1 = fma(vec4f(a1.y), b1, c1); c2 = fma(vec4f(a2.y), b1, c2); c3 = fma(vec4f(a3.y), b1, c3);
    c4 = fma(vec4f(a4.y), b1, c4); c5 = fma(vec4f(a5.y), b1, c5); c6 = fma(vec4f(a6.y), b1, c6); c7 = fma(vec4f(a7.y), b1, c7);
    c0 = fma(vec4f(a0.z), b2, c0); c1 = fma(vec4f(a1.z), b2, c1); c2 = fma(vec4f(a2.z), b2, c2); c3 = fma(vec4f(a3.z), b2, c3);
    c4 = fma(vec4f(a4.z), b2, c4); c5 = fma(vec4f(a5.z), b2, c5); c6 = fma(vec4f(a6.z), b2, c6); c7 = fma(vec4f(a7.z), b2, c7);
    c0 = fma(vec4f(a0.w), b3, c0); c1 = fma(vec4f(a1.w), b3, c1); c2 = fma(vec4f(a2.w), b3, c2); c3 = fma(vec4f(a3.w), b3, c3);
    c4 = fma(vec4f(a4.w), b3, c4); c5 = fma(vec4f(a5.w), b3, c5); c6 = fma(vec4f(a6.w), b3, c6); c7 = fma(vec4f(a7.w), b3, c7);
  }
  if (gid.x >= n4) { return; }
  let out = wg.z * p.m * n4 + gid.x;
  let rows = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var r = 0u; r < 8u; r++) {
    if (row + r < p.m) { c[out + (row + r) * n4] = rows[r]; }
  }
}
