// batchnorm_stats: per-channel batch statistics for batch norm in training mode, and the
// running-statistics update (PyTorch's):
//   mean_c = mean over (n, s) of x[n, c, s],  var_c = mean of (x - mean_c)^2 (biased)
//   stats[c] = (mean_c, 1 / sqrt(var_c + eps))
//   running_mean_c = (1 - m) running_mean_c + m mean_c
//   running_var_c  = (1 - m) running_var_c  + m var_c * M / (M - 1)   (unbiased, M = N S)
//   num_batches_tracked += 1
// Two passes over the channel's M values (mean, then squared deviations): no cancellation.
//
// Buffers:  x [N, XC, S] (S = H W, or L, or 1; channels [0, C) are normalised: XC = C, or more
//           when the input is the channel prefix of a DenseNet feature store), stats [C, 2], running_mean [C], running_var [C]
//           (updated), tracked [1] i32 (updated by channel 0)
// Dispatch: C workgroups of WG; the workgroup strides over the channel and reduces in
//           workgroup memory. Launched by src/ops/batchnorm.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  c: u32,
  s: u32,
  eps: f32,
  momentum: f32,
  update_running: u32,
  xc: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> tracked: array<i32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> partial: array<f32, WG>;

// Sum over the workgroup of each invocation's `v` (all invocations must call it).
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

// Element k of channel c, with k = n S + s.
fn at(c: u32, k: u32) -> f32 {
  return x[((k / p.s) * p.xc + c) * p.s + k % p.s];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let count = p.n * p.s;
  var acc = 0.0;
  for (var k = lid; k < count; k += WG) { acc += at(c, k); }
  let mean = workgroup_sum(lid, acc) / f32(count);
  var dev = 0.0;
  for (var k = lid; k < count; k += WG) {
    let d = at(c, k) - mean;
    dev += d * d;
  }
  let variance = workgroup_sum(lid, dev) / f32(count);
  if (lid == 0u) {
    stats[2u * c] = mean;
    stats[2u * c + 1u] = 1.0 / sqrt(variance + p.eps);
    if (p.update_running != 0u) {
      let unbiased = variance * f32(count) / max(f32(count) - 1.0, 1.0);
      running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mean;
      running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * unbiased;
      if (c == 0u) { tracked[0] += 1; }
    }
  }
}
