// layernorm_backward_affine: the gradients of LayerNorm's weight and bias,
//   dw_c = sum over rows of g * xhat,   db_c = sum over rows of g,   xhat = (x - mean) * rstd
// where the rows of channel c are every (outer, inner) position of x viewed as [outer, D, inner].
// One workgroup per channel c: its WG invocations stride over the outer * inner positions and
// combine in workgroup memory. (For inner = 1 a position is a row of the [rows, D] input.)
//
// Buffers:  g [outer, D, inner], x [outer, D, inner], stats [outer * inner, 2] (mean, rstd),
//           dw [D], db [D]
// Dispatch: D workgroups (2-D past 65535).
// Launched by src/ops/layer_norm.ts.

override WG: u32 = 256u;

struct Params {
  outer: u32,
  d: u32,
  inner: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> partial: array<vec2f, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let c = wg.y * groups.x + wg.x;
  if (c >= p.d) { return; }
  var s = vec2f(0.0);   // (sum g * xhat, sum g)
  // Positions r = o * inner + i walk the outer index o and the inner index i without a
  // division per element: each invocation starts at r = lid and steps by WG.
  var o = lid / p.inner;
  var i = lid - o * p.inner;
  let step_o = WG / p.inner;
  let step_i = WG - step_o * p.inner;
  for (var r = lid; r < p.outer * p.inner; r += WG) {
    let at = (o * p.d + c) * p.inner + i;
    let gv = g[at];
    s += vec2f(gv * (x[at] - stats[2u * r]) * stats[2u * r + 1u], gv);
    o += step_o;
    i += step_i;
    if (i >= p.inner) {
      i -= p.inner;
      o += 1u;
    }
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    dw[c] = partial[0].x;
    db[c] = partial[0].y;
  }
}
