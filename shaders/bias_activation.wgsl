// bias_activation: y[r, j] = act(z[r, j] + bias[j]) for z [rows, cols]: a Linear layer's bias and
// the activation after it in one pass over the matmul's output (instead of a broadcast add, then
// an activation, each reading and writing the whole tensor). act is one of
//   NONE, RELU max(v, 0), RELU6 clamp(v, 0, 6), SILU v sigmoid(v), HARDSWISH v clamp(v + 3, 0, 6) / 6.
// V is substituted: vec4<f32> when cols divides by 4 (bias then read as vec4 too), else f32.
// The 2-D grid gives each invocation its column and row directly: no per-element division.
//
// Buffers:  z [rows, cols], bias [cols], y [rows, cols]   (cols counted in V)
// Dispatch: (ceil(cols / WG), min(rows, 65535), ceil(rows / 65535)) workgroups of WG.
// Launched by src/ops/fused.ts (linearActivation); the backward (relu, relu6) is
// activation_backward.wgsl fed with y.

alias V = vec4<f32>;

override WG: u32 = 64u;
override ACT: u32 = 0u;   // src/kernels.ts: CONV_ACTIVATIONS
const NONE = 0u;
const RELU = 1u;
const RELU6 = 2u;
const SILU = 3u;
const HARDSWISH = 4u;

struct Params {
  rows: u32,
  cols: u32,   // in units of V
}

@group(0) @binding(0) var<storage, read> z: array<V>;
@group(0) @binding(1) var<storage, read> bias: array<V>;
@group(0) @binding(2) var<storage, read_write> y: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

fn act(v: V) -> V {
  switch ACT {
    case RELU: { return max(v, V(0.0)); }
    case RELU6: { return clamp(v, V(0.0), V(6.0)); }
    case SILU: { return v / (V(1.0) + exp(-v)); }
    case HARDSWISH: { return v * clamp(v + V(3.0), V(0.0), V(6.0)) / 6.0; }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let row = wg.z * groups.y + wg.y;
  let col = gid.x;
  if (row >= p.rows || col >= p.cols) { return; }
  let i = row * p.cols + col;
  y[i] = act(z[i] + bias[col]);
}
