// softmax_backward: gradients of softmax and log-softmax along one dimension, from the forward
// output y and the upstream gradient g:
//   softmax:     dx_i = y_i (g_i - sum_j g_j y_j)
//   log_softmax: dx_i = g_i - exp(y_i) sum_j g_j
//
// Buffers:  g, y, dx [outer, D, inner]
// Dispatch: one invocation per row (outer * inner), workgroups of WG (2-D past 65535).
// Launched by src/ops/softmax.ts.

override WG: u32 = 256u;
override LOG: bool = false;

struct Params {
  rows: u32,
  d: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.rows) { return; }
  let base = (r / p.inner) * p.d * p.inner + r % p.inner;
  var dot = 0.0;
  for (var j = 0u; j < p.d; j++) {
    let k = base + j * p.inner;
    dot += select(g[k] * y[k], g[k], LOG);
  }
  for (var j = 0u; j < p.d; j++) {
    let k = base + j * p.inner;
    dx[k] = select(y[k] * (g[k] - dot), g[k] - exp(y[k]) * dot, LOG);
  }
}
