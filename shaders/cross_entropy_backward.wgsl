// cross_entropy_backward: gradient of the per-sample loss of cross_entropy_forward.wgsl with
// respect to the logits, scaled by the upstream gradient g of that sample:
//   dx_c = g (softmax_c - (1 - eps) [c == t] - eps / C),  and 0 for ignored samples.
//
// Buffers:  g [N, inner], x [N, C, inner], labels [N, inner] i32, dx [N, C, inner]
// Dispatch: one invocation per sample (N * inner), workgroups of WG (2-D past 65535).
// Launched by src/ops/loss.ts.

override WG: u32 = 256u;

struct Params {
  samples: u32,
  classes: u32,
  inner: u32,
  ignore: i32,
  smoothing: f32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let s = (wg.y * groups.x + wg.x) * WG + lid;
  if (s >= p.samples) { return; }
  let base = (s / p.inner) * p.classes * p.inner + s % p.inner;
  let t = labels[s];
  if (t == p.ignore) {
    for (var c = 0u; c < p.classes; c++) { dx[base + c * p.inner] = 0.0; }
    return;
  }
  var m = -0x1.fffffep+127f;   // the lowest f32 (a constant -inf is a WGSL error)
  for (var c = 0u; c < p.classes; c++) { m = max(m, x[base + c * p.inner]); }
  var total = 0.0;
  for (var c = 0u; c < p.classes; c++) { total += exp(x[base + c * p.inner] - m); }
  let gs = g[s];
  let off = p.smoothing / f32(p.classes);
  for (var c = 0u; c < p.classes; c++) {
    let k = base + c * p.inner;
    let prob = exp(x[k] - m) / total;
    let hit = select(0.0, 1.0 - p.smoothing, i32(c) == t);
    dx[k] = gs * (prob - hit - off);
  }
}
