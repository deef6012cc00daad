// layernorm_forward: layer normalisation of each row of D values,
//   mean = sum_i x_i / D,  var = sum_i (x_i - mean)^2 / D   (biased, as PyTorch)
//   rstd = 1 / sqrt(var + eps),  y_i = (x_i - mean) * rstd * w_i + b_i
// The input reads as [outer, D, inner]: a row is D values `inner` apart. Two entry points:
//   rows:    inner = 1 (nn.LayerNorm over the last dims): one workgroup per row, its WG
//            invocations stride over the row and combine in workgroup memory (two passes:
//            the mean, then the squared deviations, so no cancellation).
//   columns: inner > 1 (ConvNeXt's LayerNorm2d on NCHW, D = C, inner = H * W): one invocation
//            per (outer, inner) position looping over D; neighbouring invocations read
//            neighbouring addresses, and no permuted copy of the input is needed.
// Without AFFINE, w and b are not read; without BIAS, b is not (any buffer is bound there).
//
// Buffers:  x [outer, D, inner], w [D], b [D], y [outer, D, inner],
//           stats [rows, 2] (mean, rstd per row, rows = outer * inner, kept for backward)
// Dispatch: rows: one workgroup per row (2-D past 65535); columns: ceil(rows / WG) workgroups.
// Launched by src/ops/layer_norm.ts.

override WG: u32 = 256u;
override AFFINE: bool = true;
override BIAS: bool = true;

struct Params {
  outer: u32,
  d: u32,
  inner: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> partial: array<f32, WG>;

// Sum of every invocation's `v` over the workgroup (tree reduction); all invocations get it.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();   // before anyone writes partial again
  return total;
}

fn affine(v: f32, c: u32) -> f32 {
  var out = v;
  if (AFFINE) { out *= w[c]; }
  if (BIAS) { out += b[c]; }
  return out;
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * groups.x + wg.x;   // uniform across the workgroup: every invocation returns together
  if (row >= p.outer) { return; }
  let base = row * p.d;
  var s = 0.0;
  for (var i = lid; i < p.d; i += WG) { s += x[base + i]; }
  let mean = workgroup_sum(lid, s) / f32(p.d);
  var q = 0.0;
  for (var i = lid; i < p.d; i += WG) {
    let c = x[base + i] - mean;
    q += c * c;
  }
  let rstd = inverseSqrt(workgroup_sum(lid, q) / f32(p.d) + p.eps);
  for (var i = lid; i < p.d; i += WG) { y[base + i] = affine((x[base + i] - mean) * rstd, i); }
  if (lid == 0u) {
    stats[2u * row] = mean;
    stats[2u * row + 1u] = rstd;
  }
}

@compute @workgroup_size(WG)
fn columns(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.outer * p.inner) { return; }
  let o = r / p.inner;
  let base = o * p.d * p.inner + (r - o * p.inner);
  var s = 0.0;
  for (var c = 0u; c < p.d; c++) { s += x[base + c * p.inner]; }
  let mean = s / f32(p.d);
  var q = 0.0;
  for (var c = 0u; c < p.d; c++) {
    let v = x[base + c * p.inner] - mean;
    q += v * v;
  }
  let rstd = inverseSqrt(q / f32(p.d) + p.eps);
  for (var c = 0u; c < p.d; c++) { y[base + c * p.inner] = affine((x[base + c * p.inner] - mean) * rstd, c); }
  stats[2u * r] = mean;
  stats[2u * r + 1u] = rstd;
}
