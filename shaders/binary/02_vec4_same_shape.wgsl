// binary_02_vec4: out = a OP b for float32 operands of one shape whose element count divides by
// 4, four elements per invocation (one 16-byte load of each operand, one store): version 02 of
// binary_forward.wgsl's same-shape path, which is memory-bound and did one element per
// invocation. The ops and their edge cases are binary_forward.wgsl's: add, sub, mul, div on
// vec4 directly; maximum/minimum NaN-aware (NaN wins, a tie of 0 and -0 gives a) lane by lane
// with vector selects; pow as PyTorch 1.13 computes it, the scalar function per component.
//
// Buffers:  a [n], b [n], out [n]   (n counted in vec4s: elements / 4)
// Dispatch: one invocation per vec4, workgroups of WG, 2-D past 65535 workgroups (gridFor).
// Launched by src/ops/elementwise.ts (binary, same-shape float32 operands).

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: BINARY_OPS)
const ADD = 0u;
const SUB = 1u;
const MUL = 2u;
const DIV = 3u;
const MAXIMUM = 4u;
const MINIMUM = 5u;
const POW = 6u;

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(3) var<uniform> p: Params;

// NaN by its bits, per lane (compilers may fold `v != v` to false).
fn is_nan4(v: vec4f) -> vec4<bool> {
  return (bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u);
}

// x^e as PyTorch 1.13 computes it: e of 0.5, -0.5, 2, 3, -1, -2 are sqrt, rsqrt, x*x, x*x*x,
// 1/x and 1/(x*x) (so pow(-0, -1) = -inf, pow(-0, -0.5) = -inf); any other e follows C's pow:
// x^e is real for negative x only for integer e (NaN otherwise), and the zeros and infinities
// of either sign follow C's table. WGSL's pow (exp2(e log2 x)) is used for |x| only.
// same as unary_forward.wgsl:power
fn power(v: f32, e: f32) -> f32 {
  if (e == 0.0) { return 1.0; }
  if (e == 1.0) { return v; }
  if (e == 0.5) { return sqrt(v); }
  if (e == -0.5) { return 1.0 / sqrt(v); }
  if (e == 2.0) { return v * v; }
  if (e == 3.0) { return v * v * v; }
  if (e == -1.0) { return 1.0 / v; }
  if (e == -2.0) { return 1.0 / (v * v); }
  // Built from runtime values: a constant NaN or inf is a WGSL error.
  let zero_bits = bitcast<u32>(v) & 0u;
  let inf = bitcast<f32>(0x7f800000u | zero_bits);
  let nan = bitcast<f32>(0x7fc00000u | zero_bits);
  if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { return v; }   // NaN
  let a = abs(v);
  var magnitude = pow(a, e);
  if (a == 0.0) { magnitude = select(0.0, inf, e < 0.0); }
  if (a == inf) { magnitude = select(0.0, inf, e > 0.0); }
  let negative = (bitcast<u32>(v) >> 31u) == 1u;
  if (!negative) { return magnitude; }
  let integer = floor(e) == e;
  if (!integer) { return select(nan, magnitude, a == 0.0 || a == inf); }
  let odd = abs(e % 2.0) == 1.0;
  return select(magnitude, -magnitude, odd);
}

fn apply4(x: vec4f, y: vec4f) -> vec4f {
  switch OP {
    case ADD: { return x + y; }
    case SUB: { return x - y; }
    case MUL: { return x * y; }
    case DIV: { return x / y; }
    case POW: { return vec4f(power(x.x, y.x), power(x.y, y.y), power(x.z, y.z), power(x.w, y.w)); }
    // NaN wins and a tie (0 and -0) gives x, as torch.maximum / torch.minimum.
    case MAXIMUM: { return select(select(y, x, x >= y), x + y, is_nan4(x) | is_nan4(y)); }
    default: { return select(select(y, x, x <= y), x + y, is_nan4(x) | is_nan4(y)); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  out[i] = apply4(a[i], b[i]);
}
