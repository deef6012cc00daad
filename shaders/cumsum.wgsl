// cumsum: inclusive running sums along one dim, as torch.cumsum; REVERSE sums from the end,
// which is cumsum's backward (dx[k] = sum over j >= k of g[j]):
//   out[o, k, i] = sum_{j <= k} x[o, j, i]        (REVERSE: sum_{j >= k})
// for x seen as [outer, len, inner] around the summed dim. T is f32 or i32 (torchtext sums an
// int mask to number positions).
//
// Buffers:  x [outer, len, inner], out [outer, len, inner]
// Dispatch: one invocation per line (outer * inner), each walking its line in order, so results
//           are exact for i32 and the same bits every run for f32; workgroups of WG.
// Launched by src/ops/cumsum.ts.

alias T = f32;

override WG: u32 = 64u;
override REVERSE: bool = false;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let line = (wg.y * groups.x + wg.x) * WG + lid;
  if (line >= p.outer * p.inner) { return; }
  let base = (line / p.inner) * p.len * p.inner + line % p.inner;
  var acc = T(0);
  for (var k = 0u; k < p.len; k++) {
    let j = select(k, p.len - 1u - k, REVERSE);
    acc += x[base + j * p.inner];
    out[base + j * p.inner] = acc;
  }
}
