// batchnorm version 02, backward: as batchnorm_backward.wgsl (version 01; the formulas are
// there) but vectorised: V is vec4<f32> when the plane size S divides by 4, else f32; `reduce`
// walks samples then the plane, `main` gets its channel and sample from the grid (no
// per-element division or modulo).
//   reduce: sums[c] = (sum of g, sum of g * xhat) over (n, s), xhat = (x - mean_c) invstd_c
//   main:   training  dx = gamma_c invstd_c / M (M g - sums_c.0 - xhat sums_c.1),  M = N S
//           eval      dx = g gamma_c invstd_c
//
// Buffers:  g [N, C, S], x [N, C, S], stats [C, 2], gamma [C], sums [C, 2], dx [N, C, S]
//           (S counted in V)
// Dispatch: reduce: C workgroups of WG; main: (ceil(s / WG), C, N) workgroups of WG.
// Launched by src/ops/batchnorm.ts.

alias V = vec4<f32>;

override WG: u32 = 64u;
override TRAINING: bool = true;
override VEC4: bool = true;   // whether V is vec4<f32> (then S = 4 s)

struct Params {
  n: u32,
  c: u32,
  s: u32,   // plane size in units of V
}

@group(0) @binding(0) var<storage, read> g: array<V>;
@group(0) @binding(1) var<storage, read> x: array<V>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<V>;
@group(0) @binding(6) var<uniform> p: Params;

var<workgroup> partial: array<vec2f, WG>;

// same as batchnorm/02_vec4_stats.wgsl:widen
fn widen(v: V) -> vec4f {
  return vec4f(v) * select(vec4f(1.0, 0.0, 0.0, 0.0), vec4f(1.0), VEC4);
}

@compute @workgroup_size(WG)
fn reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let mean = stats[2u * c];
  let invstd = stats[2u * c + 1u];
  var sg = vec4f(0.0);
  var sgx = vec4f(0.0);
  for (var n = 0u; n < p.n; n++) {
    let base = (n * p.c + c) * p.s;
    for (var k = lid; k < p.s; k += WG) {
      let gi = widen(g[base + k]);
      sg += gi;
      sgx += gi * widen(x[base + k] - V(mean));
    }
  }
  partial[lid] = vec2f(dot(sg, vec4f(1.0)), dot(sgx, vec4f(1.0)) * invstd);
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.y;
  let k = gid.x;
  if (k >= p.s) { return; }
  let i = (gid.z * p.c + c) * p.s + k;
  let invstd = stats[2u * c + 1u];
  if (!TRAINING) {
    dx[i] = g[i] * V(gamma[c] * invstd);
    return;
  }
  let m = f32(p.n * p.s * select(1u, 4u, VEC4));
  let xhat = (x[i] - V(stats[2u * c])) * V(invstd);
  dx[i] = V(gamma[c] * invstd / m) * (V(m) * g[i] - V(sums[2u * c]) - xhat * V(sums[2u * c + 1u]));
}
