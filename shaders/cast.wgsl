// cast: out = x converted between f32 and i32 (toward zero, as PyTorch's .int()).
//
// Buffers:  x [n] (FROM), out [n] (TO)
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/compare.ts (cast).

alias FROM = f32;
alias TO = i32;

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<FROM>;
@group(0) @binding(1) var<storage, read_write> out: array<TO>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  out[i] = TO(x[i]);
}
