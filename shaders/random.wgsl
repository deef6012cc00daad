// random: seeded uniform [0, 1), standard normal or uniform integer numbers, counter-based so that element i of
// a draw depends only on (seed, stream, i): the same on every GPU and for every workgroup size.
//
// Hash: PCG's output permutation applied to a 3-word input (Jarzynski & Olano, "Hash Functions
// for GPU Rendering", JCGT 2020, pcg3d). Normal: Box-Muller, z = sqrt(-2 ln u1) cos(2 pi u2).
//
// Integers (randint): low_i + (hash mod range), as PyTorch's random_(from, to); T is i32 then.
//
// Buffers:  out [n] T (f32, or i32 for randint's int32 result): elements base .. base + n - 1 of the draw (a tensor larger than one
//           storage binding is filled in chunks, each bound as a byte range).
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/create.ts (rand, randn, uniform, normal, randint).

override DIST: u32 = 0u;  // one of the DIST values below (src/kernels.ts: DISTRIBUTIONS)
const UNIFORM = 0u;
const NORMAL = 1u;
const INTEGER = 2u;

alias T = f32;

override WG: u32 = 256u;

struct Params {
  n: u32,
  seed: u32,
  stream: u32,   // advances with every draw, so consecutive draws differ
  low: f32,      // uniform: low + (high - low) u; normal: mean + std z
  high: f32,
  base: u32,     // index of out[0] in the whole tensor
  low_i: i32,    // integer: the smallest value
  range: u32,    // integer: high - low (> 0)
}

@group(0) @binding(0) var<storage, read_write> out: array<T>;
@group(0) @binding(1) var<uniform> p: Params;

fn pcg3d(input: vec3u) -> vec3u {
  var v = input * 1664525u + 1013904223u;
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  v ^= v >> vec3u(16u);
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  return v;
}

// 24 random bits as a float in [0, 1).
fn unit(bits: u32) -> f32 {
  return f32(bits >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  let h = pcg3d(vec3u(p.base + i, p.seed, p.stream));
  if (DIST == UNIFORM) {
    out[i] = T(p.low + (p.high - p.low) * unit(h.x));
  } else if (DIST == INTEGER) {
    out[i] = T(p.low_i + i32(h.x % p.range));
  } else {
    let u1 = 1.0 - unit(h.x);   // (0, 1]: log is finite
    let u2 = unit(h.y);
    let z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    out[i] = T(p.low + p.high * z);
  }
}
