// matmul version 11, "NT": C = A B^T with B read in its own [N, K] layout, for y = x W^T of a
// Linear layer whose weight W is [out, in] (no transposed copy of W is made). Each invocation
// computes 8 rows x 4 columns of C; both its A rows and its B rows are walked along K, so every
// load streams through contiguous memory. Any M, N, K (loads clamped, stores bounds-checked).
// C is written at column offset c_col of rows of length ldc, so a weight too large for one
// storage binding is multiplied in blocks of its rows, each block filling its columns of C.
// Measured on llvmpipe (2 cores, Mesa 25.0.7, shared machine, load average ~9; min of 5 runs,
// 2026-12-01): M=8 K=8190 N=4096 in 98 ms, 5.5 GFLOP/s.
//
// Buffers:  a [M, K], b [N, K] (a block of W's rows), c [M, ldc] (columns c_col .. c_col + N - 1
//           written), row-major f32.
// Dispatch: (ceil(M / 8), ceil(N / (4 WG_X))) workgroups of WG_X: x walks blocks of rows first,
//           so consecutive workgroups (run one after another on a CPU core) reuse one block of B.
// Launched by src/ops/matmul.ts (matmulNT).

override WG_X: u32 = 64u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  ldc: u32,
  c_col: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let row = wg.x * 8u;
  let col = (wg.y * WG_X + local.x) * 4u;
  // Rows past the edge are clamped: they compute values that are never stored.
  let last_m = p.m - 1u;
  let last_n = p.n - 1u;
  let a0 = min(row, last_m) * p.k;      let a1 = min(row + 1u, last_m) * p.k;
  let a2 = min(row + 2u, last_m) * p.k; let a3 = min(row + 3u, last_m) * p.k;
  let a4 = min(row + 4u, last_m) * p.k; let a5 = min(row + 5u, last_m) * p.k;
  let a6 = min(row + 6u, last_m) * p.k; let a7 = min(row + 7u, last_m) * p.k;
  let b0 = min(col, last_n) * p.k;      let b1 = min(col + 1u, last_n) * p.k;
  let b2 = min(col + 2u, last_n) * p.k; let b3 = min(col + 3u, last_n) * p.k;
  // acc_r[j] = sum_k A[row + r, k] B[col + j, k]
  var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
  var c4 = vec4f(0.0); var c5 = vec4f(0.0); var c6 = vec4f(0.0); var c7 = vec4f(0.0);
  for (var kk = 0u; kk < p.k; kk++) {
    let bk = vec4f(b[b0 + kk], b[b1 + kk], b[b2 + kk], b[b3 + kk]);
    c0 = fma(vec4f(a[a0 + kk]), bk, c0);
    c1 = fma(vec4f(a[a1 + kk]), bk, c1);
    c2 = fma(vec4f(a[a2 + kk]), bk, c2);
    c3 = fma(vec4f(a[a3 + kk]), bk, c3);
    c4 = fma(vec4f(a[a4 + kk]), bk, c4);
    c5 = fma(vec4f(a[a5 + kk]), bk, c5);
    c6 = fma(vec4f(a[a6 + kk]), bk, c6);
    c7 = fma(vec4f(a[a7 + kk]), bk, c7);
  }
  let rows = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var r = 0u; r < 8u; r++) {
    if (row + r >= p.m) { break; }
    let out = (row + r) * p.ldc + p.c_col + col;
    for (var j = 0u; j < 4u; j++) {
      if (col + j < p.n) { c[out + j] = rows[r][j]; }
    }
  }
}
