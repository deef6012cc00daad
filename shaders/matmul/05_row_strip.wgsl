// matmul version 05, column-per-lane strips: each invocation computes ROWS rows of one column
// of C with scalar accumulators, and a workgroup is one row of WG_X invocations on the same
// rows. Written for CPU-style SIMD execution (llvmpipe runs a workgroup's invocations as the
// lanes of vector registers): across the lanes the A element is the same address (one load,
// broadcast) and the B elements are consecutive (one vector load), so each k costs ROWS
// vector FMAs for one B load and ROWS scalar loads, and the accumulators (ROWS registers of
// 8 lanes) fit in the CPU's vector registers. Needs K a multiple of 4 (A read as vec4).
// It lost: llvmpipe does not treat the A loads as uniform (each lane gathers its own copy),
// and the dynamically indexed accumulator array lives in memory, not registers.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 6.4 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N] f32, c [batch, M, N] f32.
// Dispatch: (ceil(N / WG_X), ceil(M / ROWS), batch) workgroups of WG_X x 1.
// Launched by src/ops/matmul.ts.

override WG_X: u32 = 64u;
override WG_Y: u32 = 1u;
const ROWS: u32 = 8u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_batch_stride: u32,   // in vec4s
  b_batch_stride: u32,   // in floats
}

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let k4 = p.k / 4u;
  let col = min(gid.x, p.n - 1u);         // lanes past N compute a duplicate and skip the store
  let row = wg.y * ROWS;                   // the same for every lane of the workgroup
  let a_base = wg.z * p.a_batch_stride;
  let b_base = wg.z * p.b_batch_stride + col;
  var a_row: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) { a_row[r] = a_base + min(row + r, p.m - 1u) * k4; }
  var acc: array<f32, ROWS>;
  for (var kk = 0u; kk < k4; kk++) {
    let kb = b_base + kk * 4u * p.n;
    let b0 = b[kb];
    let b1 = b[kb + p.n];
    let b2 = b[kb + 2u * p.n];
    let b3 = b[kb + 3u * p.n];
    for (var r = 0u; r < ROWS; r++) {
      let av = a[a_row[r] + kk];
      acc[r] = fma(av.x, b0, fma(av.y, b1, fma(av.z, b2, fma(av.w, b3, acc[r]))));
    }
  }
  if (gid.x >= p.n) { return; }
  let c_base = wg.z * p.m * p.n + gid.x;
  for (var r = 0u; r < ROWS; r++) {
    if (row + r < p.m) { c[c_base + (row + r) * p.n] = acc[r]; }
  }
}
