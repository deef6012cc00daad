// batchnorm version 02, training statistics: as batchnorm_stats.wgsl (version 01; the formulas
// and the running-statistics update are there) but vectorised: V is vec4<f32> when the plane
// size S divides by 4, else f32, and the loops walk samples then the plane (no per-element
// division or modulo). Two passes (mean, then squared deviations): no cancellation.
//   mean_c = mean of x[n, c, s];  var_c = mean of (x - mean_c)^2;  stats[c] = (mean_c, 1/sqrt(var_c + eps))
//
// Buffers:  x [N, C, S] (S counted in V), stats [C, 2], running_mean [C], running_var [C]
//           (updated), tracked [1] i32 (updated by channel 0)
// Dispatch: C workgroups of WG, each reducing its channel in workgroup memory.
// Launched by src/ops/batchnorm.ts.

alias V = vec4<f32>;

override WG: u32 = 256u;
override VEC4: bool = true;   // whether V is vec4<f32> (then S = 4 s)

struct Params {
  n: u32,
  c: u32,
  s: u32,   // plane size in units of V
  eps: f32,
  momentum: f32,
  update_running: u32,
}

@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> tracked: array<i32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> partial: array<f32, WG>;

// v as a vec4f: itself for vec4, (v, 0, 0, 0) for f32, so that sums are a dot with 1.
fn widen(v: V) -> vec4f {
  return vec4f(v) * select(vec4f(1.0, 0.0, 0.0, 0.0), vec4f(1.0), VEC4);
}

// Sum over the workgroup of each invocation's `v` (all invocations must call it).
// same as batchnorm_stats.wgsl:workgroup_sum
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let count = f32(p.n * p.s * select(1u, 4u, VEC4));
  var acc = vec4f(0.0);
  for (var n = 0u; n < p.n; n++) {
    let base = (n * p.c + c) * p.s;
    for (var k = lid; k < p.s; k += WG) { acc += widen(x[base + k]); }
  }
  let mean = workgroup_sum(lid, dot(acc, vec4f(1.0))) / count;
  var dev = vec4f(0.0);
  for (var n = 0u; n < p.n; n++) {
    let base = (n * p.c + c) * p.s;
    for (var k = lid; k < p.s; k += WG) {
      let d = widen(x[base + k] - V(mean));
      dev += d * d;
    }
  }
  let variance = workgroup_sum(lid, dot(dev, vec4f(1.0))) / count;
  if (lid == 0u) {
    stats[2u * c] = mean;
    stats[2u * c + 1u] = 1.0 / sqrt(variance + p.eps);
    if (p.update_running != 0u) {
      let unbiased = variance * count / max(count - 1.0, 1.0);
      running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mean;
      running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * unbiased;
      if (c == 0u) { tracked[0] += 1; }
    }
  }
}
