// max_backward: the gradient of a max (or min) along one dimension goes to the element it selected:
// dx[o, k, i] = g[o, i] if k == index[o, i] else 0.
//
// Buffers:  g [outer * inner] f32, index [outer * inner] i32, dx [outer * K * inner] f32
// Dispatch: one invocation per input element, workgroups of WG (2-D past 65535).
// Launched by src/ops/extrema.ts (max and min: index from argmax or argmin).

override WG: u32 = 256u;

struct Params {
  n: u32,
  k: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let j = (wg.y * groups.x + wg.x) * WG + lid;
  if (j >= p.n) { return; }
  let i = j % p.inner;
  let k = (j / p.inner) % p.k;
  let o = j / (p.inner * p.k);
  let m = o * p.inner + i;
  dx[j] = select(0.0, g[m], u32(index[m]) == k);
}
