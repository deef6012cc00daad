// matmul version 09, rows shared through subgroup broadcasts: a subgroup computes 8 rows of C
// by 4 columns per lane. Each lane loads ONE row of A (4 consecutive k as a vec4), and the
// other lanes read it from that lane's register with `subgroupBroadcast` instead of loading it
// again. On a SIMD CPU driver (llvmpipe: a subgroup is the 8 lanes of a vector register) a
// load is a per-lane gather while a broadcast is one register permute, so per step of 4 k a
// lane does 5 vec4 loads (1 of A, 4 of B) for 32 vec4 FMAs, where version 07 does 12. Twice
// as fast as any version without subgroups there.
// Needs the `subgroups` feature, a subgroup size of at least 8 (lanes 0..7 hold the 8 rows),
// and K and N multiples of 4. Control flow stays uniform until the stores (broadcasts need
// every lane active): lanes past N or M compute on clamped loads and skip their stores.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 29.7 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(N / (4 WG_X)), ceil(M / 8), batch) workgroups of WG_X x 1.
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
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let n4 = p.n / 4u;
  let k4 = p.k / 4u;
  let row = wg.y * 8u;
  let a_row = wg.z * p.a_batch_stride + min(row + lane % 8u, p.m - 1u) * k4;
  let b_col = wg.z * p.b_batch_stride + min(gid.x, n4 - 1u);
  for (var kk = 0u; kk < k4; kk++) {
    let av = a[a_row + kk];             // A[row + lane, 4 kk .. 4 kk + 3]
    let kb = b_col + kk * 4u * n4;
    accumulate(av.x, b[kb]);
    accumulate(av.y, b[kb + n4]);
    accumulate(av.z, b[kb + 2u * n4]);
    accumulate(av.w, b[kb + 3u * n4]);
  }
  if (gid.x >= n4) { return; }
  let out = wg.z * p.m * n4 + gid.x;
  let rows = array<vec4f, 8>(c0, c1, c2, c3, c4, c5, c6, c7);
  for (var r = 0u; r < 8u; r++) {
    if (row + r < p.m) { c[out + (row + r) * n4] = rows[r]; }
  }
}
