// matmul version 02, register-blocked 4x4 with scalar loads: each invocation computes a 4x4
// block of C, so every A element it loads is used 4 times and every B element 4 times (16 FMAs
// per 8 loads instead of 1 per 2). Bounds-checked loads: any M, N, K; used for shapes whose
// N or K is not a multiple of 4.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 9.0 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K], b [batch, K, N], c [batch, M, N], row-major f32 (batch stride 0:
//           shared).
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

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// A[row, k], or 0 outside the matrix.
fn load_a(base: u32, row: u32, k: u32) -> f32 {
  if (row >= p.m || k >= p.k) { return 0.0; }
  return a[base + row * p.k + k];
}

// B[k, col..col+3], zero-filled outside the matrix.
fn load_b(base: u32, k: u32, col: u32) -> vec4f {
  if (k >= p.k) { return vec4f(0.0); }
  let i = base + k * p.n + col;
  return vec4f(
    select(0.0, b[i], col < p.n),
    select(0.0, b[i + 1u], col + 1u < p.n),
    select(0.0, b[i + 2u], col + 2u < p.n),
    select(0.0, b[i + 3u], col + 3u < p.n));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x * 4u;
  let row = gid.y * 4u;
  if (row >= p.m || col >= p.n) { return; }
  let a_base = gid.z * p.a_batch_stride;
  let b_base = gid.z * p.b_batch_stride;
  var acc: array<vec4f, 4>;
  for (var k = 0u; k < p.k; k++) {
    let bk = load_b(b_base, k, col);
    for (var r = 0u; r < 4u; r++) {
      acc[r] = fma(vec4f(load_a(a_base, row + r, k)), bk, acc[r]);
    }
  }
  let c_base = gid.z * p.m * p.n;
  for (var r = 0u; r < 4u; r++) {
    if (row + r >= p.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col + j < p.n) { c[c_base + (row + r) * p.n + col + j] = acc[r][j]; }
    }
  }
}
