// cast: out = x converted between f32 and i32 (toward zero, as PyTorch's .int()). NaN, the
// infinities and floats outside i32's range become -2^31, as PyTorch 1.13 gives them on x86
// (cvttss2si's "integer indefinite"); WGSL's own conversion would clamp them.
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

fn convert(v: FROM) -> TO {
  let to_int = TO(0.5) == TO(0);
  let from_float = FROM(0.5) != FROM(0);
  // |v| >= 2^31 (bits of 2^31: 0x4f000000), the infinities and NaN.
  if (to_int && from_float && (bitcast<u32>(f32(v)) & 0x7fffffffu) >= 0x4f000000u) {
    return TO(bitcast<i32>(0x80000000u));
  }
  return TO(v);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  out[i] = convert(x[i]);
}
