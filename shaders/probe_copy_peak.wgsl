// probe_copy_peak (a measuring instrument, not an op): the adapter's memory bandwidth. dst = src, one vec4 per
// invocation.
//
// Buffers:  src [n] vec4f, dst [n] vec4f
// Dispatch: ceil(n / WG) workgroups of WG, folded into 2-D past 65535. Launched by src/profile/peaks.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4f>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  dst[i] = src[i];
}
