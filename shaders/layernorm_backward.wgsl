// layernorm_backward: the input gradient of layernorm_forward.wgsl. With xhat_i = (x_i - mean) rstd
// and gw_i = g_i w_i (g_i without AFFINE), per row of D values:
//   dx_i = rstd * (gw_i - sum_j gw_j / D - xhat_i * sum_j gw_j xhat_j / D)
// Same layout and entry points as the forward: `rows` (inner = 1, one workgroup per row,
// both sums in one pass then combined in workgroup memory) and `columns` (inner > 1, one
// invocation per (outer, inner) position looping over D). mean and rstd come from the
// forward's stats, so x is read twice and nothing is recomputed from scratch.
//
// Buffers:  g [outer, D, inner] (upstream gradient), x [outer, D, inner], w [D],
//           stats [rows, 2] (mean, rstd), dx [outer, D, inner]
// Dispatch: rows: one workgroup per row (2-D past 65535); columns: ceil(rows / WG) workgroups.
// Launched by src/ops/layer_norm.ts.

override WG: u32 = 256u;
override AFFINE: bool = true;

struct Params {
  outer: u32,
  d: u32,
  inner: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> partial: array<vec2f, WG>;

fn workgroup_sum2(lid: u32, v: vec2f) -> vec2f {
  partial[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  return partial[0];
}

fn scaled(v: f32, c: u32) -> f32 {
  if (AFFINE) { return v * w[c]; }
  return v;
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * groups.x + wg.x;
  if (row >= p.outer) { return; }
  let base = row * p.d;
  let mean = stats[2u * row];
  let rstd = stats[2u * row + 1u];
  var s = vec2f(0.0);   // (sum gw, sum gw * xhat)
  for (var i = lid; i < p.d; i += WG) {
    let gw = scaled(g[base + i], i);
    s += vec2f(gw, gw * (x[base + i] - mean) * rstd);
  }
  let m = workgroup_sum2(lid, s) / f32(p.d);
  for (var i = lid; i < p.d; i += WG) {
    let xhat = (x[base + i] - mean) * rstd;
    dx[base + i] = rstd * (scaled(g[base + i], i) - m.x - xhat * m.y);
  }
}

@compute @workgroup_size(WG)
fn columns(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.outer * p.inner) { return; }
  let o = r / p.inner;
  let base = o * p.d * p.inner + (r - o * p.inner);
  let mean = stats[2u * r];
  let rstd = stats[2u * r + 1u];
  var s = vec2f(0.0);
  for (var c = 0u; c < p.d; c++) {
    let at = base + c * p.inner;
    let gw = scaled(g[at], c);
    s += vec2f(gw, gw * (x[at] - mean) * rstd);
  }
  let m = s / f32(p.d);
  for (var c = 0u; c < p.d; c++) {
    let at = base + c * p.inner;
    dx[at] = rstd * (scaled(g[at], c) - m.x - (x[at] - mean) * rstd * m.y);
  }
}
