// add_relu: y = max(a + b, 0) elementwise for same-shaped a and b: a residual block's
// `relu(out + identity)` in one pass (reads a and b once, writes y once) instead of an add and a
// relu (which write and re-read the sum). NaN in a + b gives NaN out, as PyTorch's relu.
// V (and U) are substituted: vec4<f32> (vec4<u32>) when the element count divides by 4, else f32 (u32).
//
// Buffers:  a [n], b [n], y [n]   (n counted in V: elements / 4 for vec4)
// Dispatch: one invocation per V, workgroups of WG, 2-D past 65535 workgroups (gridFor).
// Launched by src/ops/fused.ts (addRelu); the backward is activation_backward.wgsl's RELU fed with y.

alias V = vec4<f32>;
alias U = vec4<u32>;

override WG: u32 = 256u;

struct Params {
  n: u32,   // length of a, b and y in units of V
}

@group(0) @binding(0) var<storage, read> a: array<V>;
@group(0) @binding(1) var<storage, read> b: array<V>;
@group(0) @binding(2) var<storage, read_write> y: array<V>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  let v = a[i] + b[i];
  // NOTE: the NaN test reads the bits (see activation_forward.wgsl): max may drop a NaN.
  let nan = (bitcast<U>(v) & U(0x7fffffffu)) > U(0x7f800000u);
  y[i] = select(max(v, V(0.0)), v, nan);
}
