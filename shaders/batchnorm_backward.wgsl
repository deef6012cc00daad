// batchnorm_backward: gradients of batch norm, with xhat = (x - mean) invstd and M = N S
// values per channel (Ioffe & Szegedy 2015, section 3):
//   entry `reduce` (one workgroup per channel):
//     dbeta_c = sum g,  dgamma_c = sum g xhat
//   entry `main` (per element):
//     training: dx = gamma invstd / M (M g - dbeta_c - xhat dgamma_c)
//     eval:     dx = gamma invstd g          (the statistics are constants)
//
// With ACCUMULATE, dx += the gradient instead of dx = (a DenseNet feature store's shared gradient,
// which every layer reading a channel prefix adds to).
//
// Buffers:  g [N, C, S], x [N, XC, S] (channels [0, C) were normalised: XC = C, or more for the
//           channel prefix of a feature store), stats [C, 2], gamma [C], sums [C, 2] =
//           (dbeta, dgamma), dx [N, XC, S] (channels [0, C) written)
// Dispatch: reduce: C workgroups of WG; main: (ceil(S / WG), N C) workgroups of WG x 1 (N C
//           folded into y and z past 65535). Launched by src/ops/batchnorm.ts.

override WG: u32 = 64u;
override TRAINING: bool = true;
override ACCUMULATE: bool = false;

struct Params {
  n: u32,
  c: u32,
  s: u32,
  xc: u32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

var<workgroup> partial: array<vec2f, WG>;

@compute @workgroup_size(WG)
fn reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let mean = stats[2u * c];
  let invstd = stats[2u * c + 1u];
  var acc = vec2f(0.0);
  for (var k = lid; k < p.n * p.s; k += WG) {
    let i = ((k / p.s) * p.c + c) * p.s + k % p.s;
    let xi = ((k / p.s) * p.xc + c) * p.s + k % p.s;
    acc += vec2f(g[i], g[i] * (x[xi] - mean) * invstd);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    sums[2u * c] = partial[0].x;
    sums[2u * c + 1u] = partial[0].y;
  }
}

@compute @workgroup_size(WG, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let plane = wg.z * groups.y + wg.y;
  let s = gid.x;
  if (plane >= p.n * p.c || s >= p.s) { return; }
  let c = plane % p.c;
  let i = plane * p.s + s;
  let xi = ((plane / p.c) * p.xc + c) * p.s + s;
  let invstd = stats[2u * c + 1u];
  var d: f32;
  if (!TRAINING) {
    d = g[i] * gamma[c] * invstd;
  } else {
    let m = f32(p.n * p.s);
    let xhat = (x[xi] - stats[2u * c]) * invstd;
    d = gamma[c] * invstd / m * (m * g[i] - sums[2u * c] - xhat * sums[2u * c + 1u]);
  }
  if (ACCUMULATE) { dx[xi] += d; } else { dx[xi] = d; }
}
