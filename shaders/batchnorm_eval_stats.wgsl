// batchnorm_eval_stats: the statistics batch norm uses in evaluation mode, from the running
// ones: stats[c] = (running_mean_c, 1 / sqrt(running_var_c + eps)).
//
// Buffers:  running_mean [C], running_var [C], stats [C, 2]
// Dispatch: ceil(C / WG) workgroups of WG. Launched by src/ops/batchnorm.ts.

override WG: u32 = 64u;

struct Params {
  c: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> running_mean: array<f32>;
@group(0) @binding(1) var<storage, read> running_var: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.c) { return; }
  stats[2u * c] = running_mean[c];
  stats[2u * c + 1u] = 1.0 / sqrt(running_var[c] + p.eps);
}
