// arange: out[i] = start + (base + i) * step.
//
// Buffers:  out [n] (T: f32 or i32): elements base .. base + n - 1 of the result (a tensor larger
//           than one storage binding is filled in chunks, each bound as a byte range).
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/create.ts.

alias T = f32;

override WG: u32 = 256u;
// Exact integer arithmetic for int32 results with integer start and step (f32 holds integers
// exactly only up to 2^24).
override INT_MATH: bool = false;

struct Params {
  n: u32,
  start: f32,
  step: f32,
  start_i: i32,  // start and step again, as integers, for INT_MATH
  step_i: i32,
  base: u32,     // index of out[0] in the whole tensor
}

@group(0) @binding(0) var<storage, read_write> out: array<T>;
@group(0) @binding(1) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  if (INT_MATH) {
    out[i] = T(p.start_i + i32(p.base + i) * p.step_i);
  } else {
    out[i] = T(p.start + f32(p.base + i) * p.step);
  }
}
