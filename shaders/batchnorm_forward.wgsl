// batchnorm_forward: y = (x - mean_c) * invstd_c * gamma_c + beta_c, with (mean, invstd) from
// batchnorm_stats.wgsl (training) or from the running statistics (evaluation; the launcher
// fills stats from them).
//
// Buffers:  x [N, XC, S] (channels [0, C) are read: XC = C, or more when x is the channel prefix
//           of a DenseNet feature store, read in place), stats [C, 2], gamma [C], beta [C],
//           y [N, C, S]
// Dispatch: (ceil(S / WG), N C) workgroups of WG x 1 (N C folded into y and z past 65535):
//           x walks the S positions, y is one (n, c) plane, so the channel is the same for the
//           whole workgroup. Launched by src/ops/batchnorm.ts.

override WG: u32 = 64u;

struct Params {
  n: u32,
  c: u32,
  s: u32,
  xc: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let plane = wg.z * groups.y + wg.y;   // n * C + c
  let s = gid.x;
  if (plane >= p.n * p.c || s >= p.s) { return; }
  let c = plane % p.c;
  let scale = stats[2u * c + 1u] * gamma[c];
  let xi = ((plane / p.c) * p.xc + c) * p.s + s;
  y[plane * p.s + s] = (x[xi] - stats[2u * c]) * scale + beta[c];
}
