// binary_02_vec4: out = a OP b for float32 operands of one shape whose element count divides by
// 4, four elements per invocation (one 16-byte load of each operand, one store): version 02 of
// binary_forward.wgsl's same-shape path, which is memory-bound and did one element per
// invocation. The ops and their edge cases are binary_forward.wgsl's: add, sub, mul, div on
// vec4 directly; maximum/minimum NaN-aware (NaN wins, a tie of 0 and -0 gives a) lane by lane
// with vector selects; pow as C's pow (PyTorch's rule for a tensor exponent), the scalar function per component.
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

// x^e as C's pow, which PyTorch uses when the exponent is a tensor: no shortcuts (unlike a
// number exponent's sqrt or 1/x), so pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf; a NaN
// exponent gives NaN except 1^e = 1; (-1)^(+-inf) = 1; |x| < 1 or > 1 to +-inf as C's table;
// x^e is real for negative x only for integer e. WGSL's pow (exp2(e log2 x)) is used for |x| only.
// same as binary_forward.wgsl:c_power
fn c_power(v: f32, e: f32) -> f32 {
  // Built from runtime values: a constant NaN or inf is a WGSL error.
  let zero_bits = bitcast<u32>(v) & 0u;
  let inf = bitcast<f32>(0x7f800000u | zero_bits);
  let nan = bitcast<f32>(0x7fc00000u | zero_bits);
  if (e == 0.0 || v == 1.0) { return 1.0; }
  if ((bitcast<u32>(e) & 0x7fffffffu) > 0x7f800000u) { return e; }   // NaN exponent
  if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { return v; }   // NaN base
  let a = abs(v);
  if (a == 1.0 && abs(e) == inf) { return 1.0; }
  var magnitude = pow(a, e);
  if (abs(e) == inf) { magnitude = select(select(inf, 0.0, a < 1.0), select(0.0, inf, a < 1.0), e < 0.0); }
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
    case POW: { return vec4f(c_power(x.x, y.x), c_power(x.y, y.y), c_power(x.z, y.z), c_power(x.w, y.w)); }
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
