// bias_activation_planes: y[n, c, s] = act(z[n, c, s] + bias[c]) for z [N, C, S]: a
// convolution's bias and the activation after it in one pass over its output, where the
// convolution itself cannot apply them (the im2col + matmul path of strided convolutions:
// ResNet's stem and downsampling). act as in bias_activation.wgsl (NONE, RELU, RELU6, SILU, HARDSWISH).
// V is substituted: vec4<f32> when S divides by 4, else f32; the grid gives each invocation its
// channel and sample directly (no per-element division).
//
// Buffers:  z [N, C, S], bias [C], y [N, C, S]   (S counted in V)
// Dispatch: (ceil(s / WG), C, N) workgroups of WG. Launched by src/ops/fused.ts (conv2dActivation).

alias V = vec4<f32>;

override WG: u32 = 64u;
override ACT: u32 = 0u;   // src/kernels.ts: CONV_ACTIVATIONS
const NONE = 0u;
const RELU = 1u;
const RELU6 = 2u;
const SILU = 3u;
const HARDSWISH = 4u;

struct Params {
  c: u32,
  s: u32,   // plane size in units of V
}

@group(0) @binding(0) var<storage, read> z: array<V>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

// same as bias_activation.wgsl:act
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
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  if (k >= p.s) { return; }
  let i = (gid.z * p.c + gid.y) * p.s + k;
  y[i] = act(z[i] + V(bias[gid.y]));
}
