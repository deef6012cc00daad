// matmul version 08, 16 rows x 4 columns per invocation, rows shared by the workgroup: version
// 07 with twice the rows, so each gathered B vec4 feeds 16 vec4 FMAs instead of 8, at the cost
// of 16 accumulators (more than a CPU's vector registers hold: some spill).
// Needs K and N multiples of 4.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 8.0 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(N / (4 WG_X)), ceil(M / 16), batch) workgroups of WG_X x 1.
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

const ROWS: u32 = 16u;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let n4 = p.n / 4u;
  let k4 = p.k / 4u;
  let col4 = min(gid.x, n4 - 1u);
  let row = wg.y * ROWS;
  let a_base = wg.z * p.a_batch_stride;
  let b_base = wg.z * p.b_batch_stride + col4;
  var a_row: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) { a_row[r] = a_base + min(row + r, p.m - 1u) * k4; }
  var acc: array<vec4f, ROWS>;
  for (var kk = 0u; kk < k4; kk++) {
    let kb = b_base + kk * 4u * n4;
    let b0 = b[kb];
    let b1 = b[kb + n4];
    let b2 = b[kb + 2u * n4];
    let b3 = b[kb + 3u * n4];
    for (var r = 0u; r < ROWS; r++) {
      let av = a[a_row[r] + kk];
      acc[r] = fma(vec4f(av.x), b0, fma(vec4f(av.y), b1, fma(vec4f(av.z), b2, fma(vec4f(av.w), b3, acc[r]))));
    }
  }
  if (gid.x >= n4) { return; }
  let out = wg.z * p.m * n4 + gid.x;
  for (var r = 0u; r < ROWS; r++) {
    if (row + r < p.m) { c[out + (row + r) * n4] = acc[r]; }
  }
}
