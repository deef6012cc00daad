// Depthwise conv2d, gradients of the weight and bias, pass 2 of 2: adds the partial sums of
// pass 1 (backward_weight_01_plane_partials.wgsl: one per sample; backward_weight_03_vec4_strips_shift.wgsl:
// one per sample and column strip) in a fixed order:
//   out[co, t] = sum_{n, s} partial[n Cout + co, s, first + t],  t < p.taps, s < p.strips
// Run once for dw (first 0, taps KH KW: out is [Cout, 1, KH, KW]) and once for db (first KH KW,
// taps 1: out is [Cout]).
//
// Buffers:  partial [N Cout, p.strips, p.stride], out [Cout, p.taps]; f32.
// Dispatch: ceil(Cout p.taps / WG) workgroups of WG, folded into 2-D past 65535.
// Launched by src/ops/depthwise_weight_kernels.ts.

override WG: u32 = 64u;

struct Params {
  n: u32,
  cout: u32,
  stride: u32,             // values per plane in partial (TAPS + 1)
  first: u32,              // first value of each plane to add up
  taps: u32,               // values per channel in out
  strips: u32,             // partial sums per plane
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let k = (wg.y * groups.x + wg.x) * WG + lid;      // co p.taps + t
  if (k >= p.cout * p.taps) { return; }
  let co = k / p.taps;
  let t = k - co * p.taps;
  var total = 0.0;
  for (var n = 0u; n < p.n; n++) {
    for (var s = 0u; s < p.strips; s++) { total += partial[((n * p.cout + co) * p.strips + s) * p.stride + p.first + t]; }
  }
  out[k] = total;
}
