// matmul version 03, register-blocked 4x4 with vec4 loads: each invocation computes a 4x4
// block of C from four vec4 rows of A (4 consecutive k) and four vec4 rows of B (4 columns),
// 64 FMAs per 8 vector loads, no workgroup memory and no barriers (llvmpipe runs a workgroup's
// invocations as SIMD lanes of one CPU thread, where barriers are expensive).
// Needs K and N multiples of 4. Rows past M are clamped on load and skipped on store.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 13.0 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f
//           (batch strides in vec4s; 0 shares one matrix across the batch).
// Dispatch: (ceil(N / (4 WG_X)), ceil(M / (4 WG_Y)), batch) workgroups of WG_X x WG_Y.
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
  let col4 = gid.x;
  let row = gid.y * 4u;
  if (row >= p.m || col4 >= n4) { return; }
  let a_base = gid.z * p.a_batch_stride;
  let b_base = gid.z * p.b_batch_stride + col4;
  // Row offsets of the 4 A rows, clamped so that loads stay inside the matrix.
  var a_row: array<u32, 4>;
  for (var r = 0u; r < 4u; r++) { a_row[r] = a_base + min(row + r, p.m - 1u) * k4; }
  var acc: array<vec4f, 4>;
  for (var kk = 0u; kk < k4; kk++) {
    let k = kk * 4u;
    let b0 = b[b_base + k * n4];
    let b1 = b[b_base + (k + 1u) * n4];
    let b2 = b[b_base + (k + 2u) * n4];
    let b3 = b[b_base + (k + 3u) * n4];
    for (var r = 0u; r < 4u; r++) {
      let av = a[a_row[r] + kk];
      acc[r] = fma(vec4f(av.x), b0, acc[r]);
      acc[r] = fma(vec4f(av.y), b1, acc[r]);
      acc[r] = fma(vec4f(av.z), b2, acc[r]);
      acc[r] = fma(vec4f(av.w), b3, acc[r]);
    }
  }
  let c_base = gid.z * p.m * n4 + col4;
  for (var r = 0u; r < 4u; r++) {
    if (row + r < p.m) { c[c_base + (row + r) * n4] = acc[r]; }
  }
}
