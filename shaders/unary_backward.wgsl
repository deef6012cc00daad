// unary_backward: dx = g * f'(x), written with the forward output y where that is cheaper.
//
//   neg: -g            exp: g * y            log: g / x          sqrt: g / (2 y)
//   abs: g * sign(x)   relu: g * (x > 0)     sigmoid: g * y (1 - y)
//   tanh: g * (1 - y^2)                      pow: g * e * x^(e-1)  (0 where e == 0)
// NOTE: relu'(0) = 0 and abs'(0) = 0, as in PyTorch.
//
// Buffers:  g [n], x [n], y [n] (forward output), dx [n]
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/ops/elementwise.ts (unary).

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
  exponent: f32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

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

fn local_grad(gi: f32, xi: f32, yi: f32) -> f32 {
  switch OP {
    case NEG: { return -gi; }
    case EXP: { return gi * yi; }
    case LOG: { return gi / xi; }
    case SQRT: { return gi / (2.0 * yi); }
    case ABS: { return gi * sign(xi); }
    case RELU: { return select(0.0, gi, xi > 0.0); }
    case SIGMOID: { return gi * yi * (1.0 - yi); }
    case TANH: { return gi * (1.0 - yi * yi); }
    default: {
      if (p.exponent == 0.0) { return 0.0; }
      return gi * p.exponent * power(xi, p.exponent - 1.0);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  dx[i] = local_grad(g[i], x[i], y[i]);
}
