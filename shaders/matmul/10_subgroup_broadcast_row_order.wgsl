// matmul version 10, version 09 with the workgroups walked down the rows first: workgroup x is
// the block of 8 rows and workgroup y the block of WG_X * 4 columns, so consecutive workgroups
// (which a CPU driver runs one after another on a core) share one block of B columns and find
// it in cache, instead of streaming all of B again for every block of rows. Most useful when B
// is large and M small (a convolution's per-sample products: M = Cout, N = OH OW).
// Needs the `subgroups` feature, a subgroup size of at least 8, and K and N multiples of 4.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 20.0 GFLOP/s (FMA probe 61.4; `npm run bench`, 2026-11-24; 09 measured 19.8 in the same run).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(M / 8), ceil(N / (4 WG_X)), batch) workgroups of WG_X x 1.
// Launched by src/ops/matmul.ts.

enable subgroups;

override WG_X: u32 = 64u;
override WG_Y: u32 = 1u;   // must stay 1: a workgroup's subgroups share its 8 rows

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

// The 8 rows of this lane's 4 columns of C.
var<private> c0: vec4f; var<private> c1: vec4f; var<private> c2: vec4f; var<private> c3: vec4f;
var<private> c4: vec4f; var<private> c5: vec4f; var<private> c6: vec4f; var<private> c7: vec4f;

// One k: row r gets A[r, k] (held by lane r as `s`) times this lane's B[k, 4 columns].
// same as matmul/09_subgroup_broadcast.wgsl:accumulate
fn accumulate(s: f32, bk: vec4f) {
  c0 = fma(vec4f(subgroupBroadcast(s, 0u)), bk, c0);
  c1 = fma(vec4f(subgroupBroadcast(s, 1u)), bk, c1);
  c2 = fma(vec4f(subgroupBroadcast(s, 2u)), bk, c2);
  c3 = fma(vec4f(subgroupBroadcast(s, 3u)), bk, c3);
  c4 = fma(vec4f(subgroupBroadcast(s, 4u)), bk, c4);
  c5 = fma(vec4f(subgroupBroadcast(s, 5u)), bk, c5);
  c6 = fma(vec4f(subgroupBroadcast(s, 6u)), bk, c6);
  c7 = fma(vec4f(subgroupBroadcast(s, 7u)), bk, c7);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let n4 = p.n / 4u;
  let k4 = p.k / 4u;
  let row = wg.x * 8u;
  let col4 = wg.y * WG_X + local.x;        // this lane's vec4 of columns
  let a_row = wg.z * p.a_batch_stride + min(row + lane % 8u, p.m - 1u) * k4;
  let b_col = wg.z * p.b_batch_stride + min(col4, n4 - 1u);
  for (var kk = 0u; kk < k4; kk++) {
    let av = a[a_row + kk];             // A[row + lane, 4 kk .. 4 kk + 3]
    let kb = b_col + kk * 4u * n4;
    accumulate(av.x, b[kb]);
    accumulate(av.y, b[kb + n4]);
    accumulate(av.z, b[kb + 2u * n4]);
    accumulate(av.w, b[kb + 3u * n4]);
  }
  if (col4 >= n4) { return; }
  let out = wg.z * p.m * n4 + col4;
  let rows = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var r = 0u; r < 8u; r++) {
    if (row + r < p.m) { c[out + (row + r) * n4] = rows[r]; }
  }
}
