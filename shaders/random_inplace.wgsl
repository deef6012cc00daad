// random_inplace: overwrites a tensor with seeded uniform [low, high) or normal (mean, std)
// numbers, as PyTorch's in-place `Tensor.uniform_` / `Tensor.normal_` (what `torch.nn.init`
// calls). Element i gets exactly the number that `random.wgsl` gives element i of a fresh draw
// with the same (seed, stream): pcg3d(i, seed, stream), Box-Muller for the normal.
//
// Each invocation writes PER elements, WG apart (first + k WG), so one workgroup covers WG * PER
// consecutive elements with the lanes of every step adjacent. NOTE: on llvmpipe the cost of a
// fill is mostly per invocation, not per element: 64 elements per invocation run 6-8x faster
// than one (measured on 6 x 16.7M-element tensors: uniform 2030 -> 263 ms, normal 3450 -> 527 ms).
//
// Buffers:  out [n] f32, elements base .. base + n - 1 of the tensor (a tensor larger than one
//           storage binding is filled in chunks, each bound as a byte range).
// Dispatch: ceil(n / PER) invocations in workgroups of WG (2-D past 65535 workgroups).
// Launched by src/ops/random_inplace.ts (uniform_, normal_).

override DIST: u32 = 0u;  // one of the DIST values below (src/kernels.ts: DISTRIBUTIONS)
const UNIFORM = 0u;
const NORMAL = 1u;

override WG: u32 = 64u;
override PER: u32 = 64u;

struct Params {
  n: u32,
  seed: u32,
  stream: u32,   // the draw's number: consecutive draws differ
  low: f32,      // uniform: low + (high - low) u; normal: low + high z (mean, std)
  high: f32,
  base: u32,     // index of out[0] in the whole tensor
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

// same as random.wgsl:pcg3d
fn pcg3d(input: vec3u) -> vec3u {
  var v = input * 1664525u + 1013904223u;
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  v ^= v >> vec3u(16u);
  v.x += v.y * v.z; v.y += v.z * v.x; v.z += v.x * v.y;
  return v;
}

// 24 random bits as a float in [0, 1).
// same as random.wgsl:unit
fn unit(bits: u32) -> f32 {
  return f32(bits >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = (wg.y * groups.x + wg.x) * WG * PER + lid;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= p.n) { return; }
    let h = pcg3d(vec3u(p.base + i, p.seed, p.stream));
    if (DIST == UNIFORM) {
      out[i] = p.low + (p.high - p.low) * unit(h.x);
    } else {
      let u1 = 1.0 - unit(h.x);   // (0, 1]: log is finite
      let u2 = unit(h.y);
      out[i] = p.low + p.high * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
  }
}
