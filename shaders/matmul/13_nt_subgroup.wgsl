// matmul version 13, "NT" with subgroup broadcasts: version 12 (C = A B^T, B read in its own
// [N, K] layout, Linear's y = x W^T, K a multiple of 4) where each lane loads one vec4 of one of
// the 8 A rows and the subgroup shares them (the trick of version 09): per step 1 vec4 load of A
// and 4 of B feed 128 FMAs, instead of 8 and 4. Needs the `subgroups` feature and a subgroup
// size of at least 8 (used only where versions 09/10 were verified on this adapter).
// C is written at column offset c_col of rows of length ldc (blocks of a weight's rows each fill
// their columns of C).
// Measured on llvmpipe (2 cores, Mesa 25.0.7, shared machine, load average ~9; min of 5 runs,
// 2026-12-01): M=8 K=8192 N=4096 in 20 ms, 27 GFLOP/s (6.8 GB/s of B; version 10 on x @ W^T
// with W^T materialised: 116 ms in the same run, plus the transpose); M=64 K=3136 N=128
// 16.1 GFLOP/s (version 12: 10.7). A split-K variant (lanes along K, workgroup reduction) ran
// 2.5x slower at M=8 and was dropped.
//
// Buffers:  a [M, K/4] vec4f, b [N, K/4] vec4f, c [M, ldc] f32 (columns c_col .. c_col + N - 1).
// Dispatch: (ceil(M / 8), ceil(N / (4 WG_X))) workgroups of WG_X: x walks blocks of rows first,
//           so consecutive workgroups (run one after another on a CPU core) reuse one block of B.
// Launched by src/ops/matmul.ts (matmulNT).

enable subgroups;

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
// same as matmul/12_nt_vec4.wgsl:dot4
fn dot4(av: vec4f, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f, acc: vec4f) -> vec4f {
  return acc + vec4f(dot(av, b0), dot(av, b1), dot(av, b2), dot(av, b3));
}

@compute @workgroup_size(WG_X)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let row = wg.x * 8u;
  let col = (wg.y * WG_X + local.x) * 4u;
  let k4 = p.k / 4u;
  // Rows past the edge are clamped: they compute values that are never stored.
  let last_m = p.m - 1u;
  let last_n = p.n - 1u;
  let a_row = min(row + lane % 8u, last_m) * k4;  // lane r of each 8 holds A row `row + r`
  let r0 = min(col, last_n) * k4;      let r1 = min(col + 1u, last_n) * k4;
  let r2 = min(col + 2u, last_n) * k4; let r3 = min(col + 3u, last_n) * k4;
  var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
  var c4 = vec4f(0.0); var c5 = vec4f(0.0); var c6 = vec4f(0.0); var c7 = vec4f(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let b0 = b[r0 + kk]; let b1 = b[r1 + kk]; let b2 = b[r2 + kk]; let b3 = b[r3 + kk];
    let av = a[a_row + kk];
    c0 = dot4(subgroupBroadcast(av, 0u), b0, b1, b2, b3, c0);
    c1 = dot4(subgroupBroadcast(av, 1u), b0, b1, b2, b3, c1);
    c2 = dot4(subgroupBroadcast(av, 2u), b0, b1, b2, b3, c2);
    c3 = dot4(subgroupBroadcast(av, 3u), b0, b1, b2, b3, c3);
    c4 = dot4(subgroupBroadcast(av, 4u), b0, b1, b2, b3, c4);
    c5 = dot4(subgroupBroadcast(av, 5u), b0, b1, b2, b3, c5);
    c6 = dot4(subgroupBroadcast(av, 6u), b0, b1, b2, b3, c6);
    c7 = dot4(subgroupBroadcast(av, 7u), b0, b1, b2, b3, c7);
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
