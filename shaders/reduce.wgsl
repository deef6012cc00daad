// reduce: out[m] = scale * OP over k of x[offset(m, k)], for sum, mean (sum with scale 1/K),
// max and min, over any set of dimensions.
//
// src/ops/reduce.ts first merges adjacent dimensions so that the input reads as
//   kept dims   (kept_shape,  kept_strides):  m in [0, M) picks the output element
//   reduced dims (red_shape, red_strides):    k in [0, K) walks the elements reduced into it
// Work is split two ways, chosen per call by the launcher (two entry points):
//   per_thread: one invocation per output element loops over all K (small K).
//   main:       one workgroup per (m, chunk of K); its WG invocations stride over the chunk
//               and combine in workgroup memory (tree reduction). With several chunks the
//               result is a [M, chunks] partial that a second pass reduces.
// RED_CONTIGUOUS: the reduced dims are the innermost ones, so offset(m, k) = base(m) + k.
//
// Buffers:  x [any], out [M * chunks] (T: f32 or i32)
// Dispatch: per_thread: ceil(M / WG) workgroups; main: M * chunks workgroups (2-D past 65535).

alias T = f32;

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: REDUCE_OPS)
const SUM = 0u;
const MAX = 1u;
const MIN = 2u;

override RED_CONTIGUOUS: bool = false;
override WG: u32 = 256u;

struct Params {
  m: u32,              // output elements
  k: u32,              // elements reduced into each
  chunks: u32,         // chunks of K per output element (workgroup mode)
  chunk_len: u32,
  kept_rank: u32,
  red_rank: u32,
  scale: f32,          // applied to the result (1/K for mean)
  init_bits: u32,      // identity of OP as raw bits of T (0, -inf, +inf, or i32 extremes)
  kept_shape: array<vec4u, 2>,
  kept_strides: array<vec4u, 2>,
  red_shape: array<vec4u, 2>,
  red_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> partial: array<T, WG>;

// NaN in a max or min is the result, as in PyTorch (WGSL's max and min may drop it). The test
// reads the bits: compilers may fold `v != v` to false.
fn is_nan(v: T) -> bool {
  if (T(0.5) == T(0)) { return false; }   // T is i32: integers are never NaN
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn combine(a: T, b: T) -> T {
  switch OP {
    case SUM: { return a + b; }
    case MAX: { return select(max(a, b), a + b, is_nan(a) || is_nan(b)); }
    default: { return select(min(a, b), a + b, is_nan(a) || is_nan(b)); }
  }
}

fn base_offset(m: u32) -> u32 {
  var rest = m;
  var offset = 0u;
  for (var d = i32(p.kept_rank) - 1; d >= 0; d--) {
    let size = p.kept_shape[d / 4][d % 4];
    offset += (rest % size) * p.kept_strides[d / 4][d % 4];
    rest /= size;
  }
  return offset;
}

fn red_offset(k: u32) -> u32 {
  if (RED_CONTIGUOUS) { return k; }
  var rest = k;
  var offset = 0u;
  for (var d = i32(p.red_rank) - 1; d >= 0; d--) {
    let size = p.red_shape[d / 4][d % 4];
    offset += (rest % size) * p.red_strides[d / 4][d % 4];
    rest /= size;
  }
  return offset;
}

fn finish(v: T) -> T {
  if (OP == SUM) { return v * T(p.scale); }
  return v;
}

@compute @workgroup_size(WG)
fn per_thread(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let m = (wg.y * groups.x + wg.x) * WG + lid;
  if (m >= p.m) { return; }
  let base = base_offset(m);
  var acc = bitcast<T>(p.init_bits);
  for (var k = 0u; k < p.k; k++) { acc = combine(acc, x[base + red_offset(k)]); }
  out[m] = finish(acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  // `group` is (m, chunk); control flow stays uniform up to the barriers.
  let group = wg.y * groups.x + wg.x;
  let init = bitcast<T>(p.init_bits);
  let m = group / p.chunks;
  let chunk = group % p.chunks;
  let valid = m < p.m;
  var acc = init;
  if (valid) {
    let base = base_offset(m);
    let start = chunk * p.chunk_len;
    let end = min(p.k, start + p.chunk_len);
    for (var k = start + lid; k < end; k += WG) { acc = combine(acc, x[base + red_offset(k)]); }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] = combine(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u && valid) {
    out[group] = select(partial[0], finish(partial[0]), p.chunks == 1u);
  }
}
