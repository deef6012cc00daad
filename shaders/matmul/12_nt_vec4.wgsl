// matmul version 12, "NT" with vec4 loads: version 11 (C = A B^T, B read in its own [N, K]
// layout, Linear's y = x W^T) for K a multiple of 4. Each invocation computes 8 rows x 4 columns
// of C and walks K four at a time: per step 8 vec4 loads of A and 4 of B feed 128 FMAs.
// C is written at column offset c_col of rows of length ldc (blocks of a weight's rows each fill
// their columns of C).
// Measured on llvmpipe (2 cores, Mesa 25.0.7, shared machine, load average ~9; min of 5 runs,
// 2026-12-01): M=8 K=8192 N=4096 in 87 ms, 6.2 GFLOP/s; M=64 K=3136 N=128 10.7 GFLOP/s.
//
// Buffers:  a [M, K/4] vec4f, b [N, K/4] vec4f, c [M, ldc] f32 (columns c_col .. c_col + N - 1).
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

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// The four dot products of one A row with this lane's four B rows, added to acc.
fn dot4(av: vec4f, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f, acc: vec4f) -> vec4f {
  return acc + vec4f(dot(av, b0), dot(av, b1), dot(av, b2), dot(av, b3));
}

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let row = wg.x * 8u;
  let col = (wg.y * WG_X + local.x) * 4u;
  let k4 = p.k / 4u;
  // Rows past the edge are clamped: they compute values that are never stored.
  let last_m = p.m - 1u;
  let last_n = p.n - 1u;
  let a0 = min(row, last_m) * k4;      let a1 = min(row + 1u, last_m) * k4;
  let a2 = min(row + 2u, last_m) * k4; let a3 = min(row + 3u, last_m) * k4;
  let a4 = min(row + 4u, last_m) * k4; let a5 = min(row + 5u, last_m) * k4;
  let a6 = min(row + 6u, last_m) * k4; let a7 = min(row + 7u, last_m) * k4;
  let r0 = min(col, last_n) * k4;      let r1 = min(col + 1u, last_n) * k4;
  let r2 = min(col + 2u, last_n) * k4; let r3 = min(col + 3u, last_n) * k4;
  var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
  var c4 = vec4f(0.0); var c5 = vec4f(0.0); var c6 = vec4f(0.0); var c7 = vec4f(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let b0 = b[r0 + kk]; let b1 = b[r1 + kk]; let b2 = b[r2 + kk]; let b3 = b[r3 + kk];
    c0 = dot4(a[a0 + kk], b0, b1, b2, b3, c0);
    c1 = dot4(a[a1 + kk], b0, b1, b2, b3, c1);
    c2 = dot4(a[a2 + kk], b0, b1, b2, b3, c2);
    c3 = dot4(a[a3 + kk], b0, b1, b2, b3, c3);
    c4 = dot4(a[a4 + kk], b0, b1, b2, b3, c4);
    c5 = dot4(a[a5 + kk], b0, b1, b2, b3, c5);
    c6 = dot4(a[a6 + kk], b0, b1, b2, b3, c6);
    c7 = dot4(a[a7 + kk], b0, b1, b2, b3, c7);
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
