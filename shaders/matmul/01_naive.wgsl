// matmul version 01, naive: one output element per invocation, every operand element read
// from storage every time. C[b] = A[b] @ B[b] for any M, N, K. The reference the others must
// match, and a fallback no adapter can get wrong.
// Measured at 1024^3 on llvmpipe (2 cores, Mesa 25.0.7): 2.5 GFLOP/s (FMA probe 97.4; `npm run bench`, 2026-11-24).
//
// Buffers:  a [batch, M, K], b [batch, K, N], c [batch, M, N], row-major f32; a batch stride
//           of 0 shares one matrix across the batch.
// Dispatch: (ceil(N / WG_X), ceil(M / WG_Y), batch) workgroups of WG_X x WG_Y.
// Launched by src/ops/matmul.ts.

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

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

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (row >= p.m || col >= p.n) { return; }
  let a0 = gid.z * p.a_batch_stride + row * p.k;
  let b0 = gid.z * p.b_batch_stride + col;
  var acc = 0.0;
  for (var k = 0u; k < p.k; k++) {
    acc = fma(a[a0 + k], b[b0 + k * p.n], acc);
  }
  c[gid.z * p.m * p.n + row * p.n + col] = acc;
}
