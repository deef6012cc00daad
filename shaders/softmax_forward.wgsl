// softmax_forward: softmax or log-softmax along one dimension, computed stably:
//   m = max_j x_j,  s = sum_j exp(x_j - m)
//   softmax:     y_i = exp(x_i - m) / s
//   log_softmax: y_i = x_i - m - log(s)
// The input reads as [outer, D, inner] (the dimension in the middle); one invocation handles
// one (outer, inner) row, looping over D.
//
// Buffers:  x [outer, D, inner], y [outer, D, inner]
// Dispatch: one invocation per row (outer * inner), workgroups of WG (2-D past 65535).
// Launched by src/ops/softmax.ts.

override WG: u32 = 256u;
override LOG: bool = false;

struct Params {
  rows: u32,
  d: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.rows) { return; }
  let base = (r / p.inner) * p.d * p.inner + r % p.inner;
  var m = -0x1.fffffep+127f;   // the lowest f32 (a constant -inf is a WGSL error)
  for (var j = 0u; j < p.d; j++) { m = max(m, x[base + j * p.inner]); }
  var s = 0.0;
  for (var j = 0u; j < p.d; j++) { s += exp(x[base + j * p.inner] - m); }
  let log_s = log(s);
  for (var j = 0u; j < p.d; j++) {
    let shifted = x[base + j * p.inner] - m;
    y[base + j * p.inner] = select(exp(shifted) / s, shifted - log_s, LOG);
  }
}
