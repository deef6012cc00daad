// argmax: out[m] = the index k (along one dimension) of the largest x (LARGEST) or of the
// smallest (argmin), the first one on ties, as torch.argmax / torch.argmin. NaN wins either
// way, as in PyTorch: the index of the first NaN.
//
// The input reads as [outer, K, inner] (src/ops/reduce.ts merges the other dimensions); output
// element m = o * inner + i looks at x[(o * K + k) * inner + i] for k in [0, K).
//
// Buffers:  x [outer * K * inner] f32, out [outer * inner] i32
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535).
// Launched by src/ops/extrema.ts (argmax, argmin, and the backward of max and min).

override WG: u32 = 256u;
override LARGEST: bool = true;

struct Params {
  m: u32,
  k: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> p: Params;

// NOTE: `v != v` is no NaN test here: WGSL lets compilers assume floats are never NaN, and
// they fold it to false. The bit pattern cannot be folded: exponent all ones, mantissa nonzero.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let m = (wg.y * groups.x + wg.x) * WG + lid;
  if (m >= p.m) { return; }
  let o = m / p.inner;
  let i = m % p.inner;
  var best = x[o * p.k * p.inner + i];
  var best_k = 0u;
  for (var k = 1u; k < p.k; k++) {
    let v = x[(o * p.k + k) * p.inner + i];
    let better = select((v < best), (v > best), LARGEST);
    if (!is_nan(best) && (better || is_nan(v))) { best = v; best_k = k; }
  }
  out[m] = i32(best_k);
}
