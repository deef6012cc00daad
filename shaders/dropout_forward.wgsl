// dropout_forward: inverted dropout. Each element is kept with probability 1 - P and scaled by
// 1 / (1 - P), so the expected value is unchanged and evaluation needs no rescaling:
//   mask_i = (u_i >= P) / (1 - P),  y_i = x_i mask_i,  u_i uniform in [0, 1)
// u_i comes from the same counter-based hash as random.wgsl (seeded, reproducible). The mask
// is kept for the backward pass, dx = g * mask (the binary mul kernel).
//
// Buffers:  x [n], y [n], mask [n]
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/dropout.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  seed: u32,
  stream: u32,
  p: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// PCG-style 3-word hash, as random.wgsl (Jarzynski & Olano, JCGT 2020).
// same as random.wgsl:pcg3d
fn pcg3d(input: vec3u) -> vec3u {
  var v = input * 1664525u + 1013904223u;
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  v ^= v >> vec3u(16u);
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  let u = f32(pcg3d(vec3u(i, p.seed, p.stream)).x >> 8u) * (1.0 / 16777216.0);
  let m = select(0.0, 1.0 / (1.0 - p.p), u >= p.p);
  mask[i] = m;
  y[i] = x[i] * m;
}
