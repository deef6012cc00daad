// binary_forward: out = a OP b, elementwise, with NumPy/PyTorch broadcasting (pow: a^b, float32).
//
// Buffers:  a   [size of a]     (contiguous; read through a_strides, 0 on broadcast dims)
//           b   [size of b]     (likewise through b_strides)
//           out [n] = out_shape (contiguous)
// Dispatch: one invocation per output element, workgroups of WG, folded into 2-D past 65535;
//           or, entry point `rows`, x along the innermost dimension and y (z past 65535) one
//           row of the outer ones, whose index math is then done once per workgroup.
// Launched by src/ops/elementwise.ts (binary). T is substituted (f32 or i32).
// With BROADCAST false, a, b and out have one shape and the index math is skipped.

alias T = f32;

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: BINARY_OPS)
const ADD = 0u;
const SUB = 1u;
const MUL = 2u;
const DIV = 3u;
const MAXIMUM = 4u;
const MINIMUM = 5u;
const POW = 6u;

override BROADCAST: bool = true;
override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4u, 2>,
  a_strides: array<vec4u, 2>,
  b_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> p: Params;

// The test reads the bits: compilers may fold `v != v` to false. Integers are never NaN.
fn is_nan(v: T) -> bool {
  if (T(0.5) == T(0)) { return false; }
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// x^e as C's pow, which PyTorch uses when the exponent is a tensor: no shortcuts (unlike a
// number exponent's sqrt or 1/x), so pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf; a NaN
// exponent gives NaN except 1^e = 1; (-1)^(+-inf) = 1; |x| < 1 or > 1 to +-inf as C's table;
// x^e is real for negative x only for integer e. WGSL's pow (exp2(e log2 x)) is used for |x| only.
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

fn apply(x: T, y: T) -> T {
  switch OP {
    case ADD: { return x + y; }
    case SUB: { return x - y; }
    case MUL: { return x * y; }
    case DIV: { return x / y; }
    case POW: { return T(c_power(f32(x), f32(y))); }
    // NaN wins and a tie (0 and -0) gives x, as torch.maximum / torch.minimum (WGSL's max and
    // min may drop NaN and pick either zero).
    case MAXIMUM: { return select(select(y, x, x >= y), x + y, is_nan(x) || is_nan(y)); }
    default: { return select(select(y, x, x <= y), x + y, is_nan(x) || is_nan(y)); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  if (!BROADCAST) {
    out[i] = apply(a[i], b[i]);
    return;
  }
  // One (merged) dimension: a number operand or a same-shape one; no division needed.
  if (p.rank == 1u) {
    out[i] = apply(a[i * p.a_strides[0].x], b[i * p.b_strides[0].x]);
    return;
  }
  // Walk the output coordinates from the last dimension, accumulating each input's offset.
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    let coord = rest % size;
    rest = rest / size;
    ia += coord * p.a_strides[d / 4][d % 4];
    ib += coord * p.b_strides[d / 4][d % 4];
  }
  out[i] = apply(a[ia], b[ib]);
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
  out[i] = apply(a[ia], b[ib]);
}
