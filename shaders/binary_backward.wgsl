// binary_backward: the gradient of out = a OP b with respect to one operand (SIDE), evaluated
// at every output element. Where that operand was broadcast, src/ops/elementwise.ts then sums
// the result down to the operand's shape with the reduce kernel.
//
//   add: da = g,      db = g
//   sub: da = g,      db = -g
//   mul: da = g * b,  db = g * a
//   div: da = g / b,  db = -g * a / b^2
//   maximum / minimum: the gradient goes to the selected operand; on ties it is split evenly;
//                      where either is NaN both get g (PyTorch masks only the losing side).
//   pow: da = g * b * a^(b-1)  (0 where b == 0),
//        db = g * a^b * log(a) (0 where a == 0 and b >= 0; NaN for a < 0), as PyTorch's.
//
// Buffers:  g [n] = out_shape, a and b as in binary_forward, grad [n] = out_shape.
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535); or, entry
//           point `rows`, as binary_forward.wgsl's.

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: BINARY_OPS)
const ADD = 0u;
const SUB = 1u;
const MUL = 2u;
const DIV = 3u;
const MAXIMUM = 4u;
const MINIMUM = 5u;
const POW = 6u;

override SIDE: u32 = 0u;     // 0: gradient for a, 1: for b
override BROADCAST: bool = true;
override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4u, 2>,
  a_strides: array<vec4u, 2>,
  b_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

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

// d(x^e)/dx and d(x^e)/de, as PyTorch's pow_backward_self and pow_backward_exponent.
fn pow_grad(gi: f32, x: f32, e: f32) -> f32 {
  if (SIDE == 0u) { return select(gi * e * c_power(x, e - 1.0), 0.0, e == 0.0); }
  if (x == 0.0 && e >= 0.0) { return 0.0; }
  // NOTE: WGSL's log is undefined for x <= 0: log(0) = -inf and log(x < 0) = NaN, built from
  // runtime values (constant infinities and NaN are WGSL errors).
  let neg_inf = bitcast<f32>(0xff800000u | (bitcast<u32>(x) & 0u));
  let nan = bitcast<f32>(0x7fc00000u | (bitcast<u32>(x) & 0u));
  let log_x = select(select(log(x), neg_inf, x == 0.0), nan, x < 0.0);
  return gi * c_power(x, e) * log_x;
}

fn local_grad(gi: f32, x: f32, y: f32) -> f32 {
  switch OP {
    case ADD: { return gi; }
    case SUB: { return select(gi, -gi, SIDE == 1u); }
    case MUL: { return gi * select(y, x, SIDE == 1u); }
    case DIV: { return select(gi / y, -gi * x / (y * y), SIDE == 1u); }
    case POW: { return pow_grad(gi, x, y); }
    default: {
      // PyTorch zeroes only where the other operand wins: with a NaN neither wins, both get g.
      if (x == y) { return 0.5 * gi; }
      let a_less = x < y;
      let a_greater = x > y;
      let loses = select(select(a_greater, a_less, OP == MAXIMUM), select(a_less, a_greater, OP == MAXIMUM), SIDE == 1u);
      return select(gi, 0.0, loses);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var ia = i;
  var ib = i;
  if (BROADCAST && p.rank == 1u) {
    // One (merged) dimension: a number operand or a same-shape one; no division needed.
    ia = i * p.a_strides[0].x;
    ib = i * p.b_strides[0].x;
  } else if (BROADCAST) {
    var rest = i;
    ia = 0u;
    ib = 0u;
    for (var d = i32(p.rank) - 1; d >= 0; d--) {
      let size = p.out_shape[d / 4][d % 4];
      let coord = rest % size;
      rest = rest / size;
      ia += coord * p.a_strides[d / 4][d % 4];
      ib += coord * p.b_strides[d / 4][d % 4];
    }
  }
  grad[i] = local_grad(g[i], a[ia], b[ib]);
}

@compute @workgroup_size(WG)
fn rows(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let last = i32(p.rank) - 1;
  let inner = p.out_shape[last / 4][last % 4];
  let row = wg.z * groups.y + wg.y;
  if (row * inner >= p.n) { return; }
  var rest = row;
  var ia = 0u;
  var ib = 0u;
  for (var d = last - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    let coord = rest % size;
    rest /= size;
    ia += coord * p.a_strides[d / 4][d % 4];
    ib += coord * p.b_strides[d / 4][d % 4];
  }
  let col = gid.x;
  if (col >= inner) { return; }
  let i = row * inner + col;
  ia += col * p.a_strides[last / 4][last % 4];
  ib += col * p.b_strides[last / 4][last % 4];
  grad[i] = local_grad(g[i], a[ia], b[ib]);
}
