// layernorm_02_vec4_rows: version 02 of layernorm_forward.wgsl's contiguous rows (inner = 1,
// nn.LayerNorm over the last dims) when D divides by 4: one invocation per row, as the
// `columns` entry point runs them on CPU adapters, but loading x, w and b and storing y 16
// bytes at a time (a quarter of the loads; rows start on 16-byte boundaries).
//   mean = sum_i x_i / D,  var = sum_i (x_i - mean)^2 / D   (biased, as PyTorch; two passes,
//   so no cancellation), rstd = 1 / sqrt(var + eps),  y_i = (x_i - mean) * rstd * w_i + b_i
// Each sum runs in four lanes, added at the end. Without AFFINE, w and b are not read; without
// BIAS, b is not.
//
// Buffers:  x [outer, D] (as D / 4 vec4s per row), w [D], b [D], y [outer, D],
//           stats [outer, 2] (mean, rstd per row, for layernorm_backward.wgsl)
// Dispatch: one invocation per row, workgroups of WG (2-D past 65535).
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

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn affine4(v: vec4f, c: u32) -> vec4f {
  var out = v;
  if (AFFINE) { out *= w[c]; }
  if (BIAS) { out += b[c]; }
  return out;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.outer) { return; }
  let d4 = p.d / 4u;
  let base = r * d4;
  var s = vec4f(0.0);
  for (var c = 0u; c < d4; c++) { s += x[base + c]; }
  let mean = (s.x + s.y + s.z + s.w) / f32(p.d);
  var q = vec4f(0.0);
  for (var c = 0u; c < d4; c++) {
    let v = x[base + c] - mean;
    q += v * v;
  }
  let rstd = inverseSqrt((q.x + q.y + q.z + q.w) / f32(p.d) + p.eps);
  for (var c = 0u; c < d4; c++) { y[base + c] = affine4((x[base + c] - mean) * rstd, c); }
  stats[2u * r] = mean;
  stats[2u * r + 1u] = rstd;
}
