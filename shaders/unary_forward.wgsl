// unary_forward: y = f(x), elementwise. T is substituted (f32, or i32 for neg/abs/relu).
//
// Buffers:  x [n], y [n]
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/elementwise.ts (unary).

alias T = f32;

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: UNARY_OPS)
const NEG = 0u;
const EXP = 1u;
const LOG = 2u;
const SQRT = 3u;
const ABS = 4u;
const RELU = 5u;
const SIGMOID = 6u;
const TANH = 7u;
const POW = 8u;

override WG: u32 = 256u;

struct Params {
  n: u32,
  exponent: f32,   // for pow
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;
@group(0) @binding(2) var<uniform> p: Params;

// x^e as PyTorch 1.13 computes it: e of 0.5, -0.5, 2, 3, -1, -2 are sqrt, rsqrt, x*x, x*x*x,
// 1/x and 1/(x*x) (so pow(-0, -1) = -inf, pow(-0, -0.5) = -inf); any other e follows C's pow:
// x^e is real for negative x only for integer e (NaN otherwise), and the zeros and infinities
// of either sign follow C's table. WGSL's pow (exp2(e log2 x)) is used for |x| only.
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

fn apply(v: T) -> T {
  switch OP {
    case NEG: { return -v; }
    case ABS: { return abs(v); }
    case RELU: { return select(v, T(0), v < T(0)); }   // NaN and -0 stay, as PyTorch
    default: {}
  }
  let f = f32(v);
  switch OP {
    case EXP: { return T(exp(f)); }
    case LOG: { return T(log(f)); }
    case SQRT: { return T(sqrt(f)); }
    // sigmoid(x) = 1 / (1 + e^-x), written to avoid overflow for large |x|.
    case SIGMOID: { return T(select(exp(f) / (1.0 + exp(f)), 1.0 / (1.0 + exp(-f)), f >= 0.0)); }
    case TANH: { return T(tanh(f)); }
    default: { return T(power(f, p.exponent)); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  y[i] = apply(x[i]);
}
