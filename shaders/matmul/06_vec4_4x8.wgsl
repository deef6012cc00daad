// matmul version 06, register-blocked 4 rows x 8 columns with vec4 loads: each invocation
// keeps 8 vec4 accumulators (4 rows, two vec4 column groups), the most a CPU SIMD unit holds
// without spilling (the FMA probe's peak uses 8 independent vec4 accumulators too). Per step
// of 4 k: 4 vec4 loads of A and 8 of B feed 32 vec4 FMAs (03: 8 loads for 16; 04 has 16
// accumulators and spills). Needs K and N multiples of 4; a right-hand vec4 past N is computed
// from a clamped load and not stored.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 13.6 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K/4] vec4f, b [batch, K, N/4] vec4f, c [batch, M, N/4] vec4f.
// Dispatch: (ceil(N / (8 WG_X)), ceil(M / (4 WG_Y)), batch) workgroups of WG_X x WG_Y.
// Launched by src/ops/matmul.ts.

override WG_X: u32 = 8u;
override WG_Y: u32 = 32u;

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
  let col4 = gid.x * 2u;
  let row = gid.y * 4u;
  if (row >= p.m || col4 >= n4) { return; }
  let col4b = min(col4 + 1u, n4 - 1u);
  let a_base = gid.z * p.a_batch_stride;
  let b_base = gid.z * p.b_batch_stride;
  let r0 = a_base + row * k4;
  let r1 = a_base + min(row + 1u, p.m - 1u) * k4;
  let r2 = a_base + min(row + 2u, p.m - 1u) * k4;
  let r3 = a_base + min(row + 3u, p.m - 1u) * k4;
  var c00 = vec4f(0.0); var c01 = vec4f(0.0);
  var c10 = vec4f(0.0); var c11 = vec4f(0.0);
  var c20 = vec4f(0.0); var c21 = vec4f(0.0);
  var c30 = vec4f(0.0); var c31 = vec4f(0.0);
  for (var kk = 0u; kk < k4; kk++) {
    let kb = b_base + kk * 4u * n4;
    let a0 = a[r0 + kk];
    let a1 = a[r1 + kk];
    let a2 = a[r2 + kk];
    let a3 = a[r3 + kk];
    for (var j = 0u; j < 4u; j++) {
      let bl = b[kb + j * n4 + col4];
      let br = b[kb + j * n4 + col4b];
      c00 = fma(vec4f(a0[j]), bl, c00); c01 = fma(vec4f(a0[j]), br, c01);
      c10 = fma(vec4f(a1[j]), bl, c10); c11 = fma(vec4f(a1[j]), br, c11);
      c20 = fma(vec4f(a2[j]), bl, c20); c21 = fma(vec4f(a2[j]), br, c21);
      c30 = fma(vec4f(a3[j]), bl, c30); c31 = fma(vec4f(a3[j]), br, c31);
    }
  }
  let c_base = gid.z * p.m * n4;
  let right = col4 + 1u < n4;
  c[c_base + row * n4 + col4] = c00;
  if (right) { c[c_base + row * n4 + col4 + 1u] = c01; }
  if (row + 1u < p.m) {
    c[c_base + (row + 1u) * n4 + col4] = c10;
    if (right) { c[c_base + (row + 1u) * n4 + col4 + 1u] = c11; }
  }
  if (row + 2u < p.m) {
    c[c_base + (row + 2u) * n4 + col4] = c20;
    if (right) { c[c_base + (row + 2u) * n4 + col4 + 1u] = c21; }
  }
  if (row + 3u < p.m) {
    c[c_base + (row + 3u) * n4 + col4] = c30;
    if (right) { c[c_base + (row + 3u) * n4 + col4 + 1u] = c31; }
  }
}
