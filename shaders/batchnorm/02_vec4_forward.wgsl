// batchnorm version 02, forward: y = (x - mean_c) * invstd_c * gamma_c + beta_c, as
// batchnorm_forward.wgsl (version 01) but vectorised: V is vec4<f32> when the plane size S
// divides by 4 (one 16-byte load and store per invocation), else f32, and the grid gives each
// invocation its channel and sample directly (no per-element division or modulo).
//
// Buffers:  x [N, C, S], stats [C, 2] (mean, invstd), gamma [C], beta [C], y [N, C, S]
//           (S counted in V: the uniform `s` is S / 4 for vec4)
// Dispatch: (ceil(s / WG), C, N) workgroups of WG. Launched by src/ops/batchnorm.ts.

alias V = vec4<f32>;

override WG: u32 = 64u;

struct Params {
  n: u32,
  c: u32,
  s: u32,   // plane size in units of V
}

@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<V>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.y;
  let k = gid.x;
  if (k >= p.s) { return; }
  let scale = stats[2u * c + 1u] * gamma[c];
  let i = (gid.z * p.c + c) * p.s + k;
  // NOTE: (x - mean) scale + beta, not x scale + (beta - mean scale): where |mean| >> std the
  // latter loses the digits that tell the values apart (a GoogLeNet gradient moved 2%).
  y[i] = (x[i] - V(stats[2u * c])) * V(scale) + V(beta[c]);
}
