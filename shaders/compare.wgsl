// compare: out = (a OP b) as 1.0 or 0.0, elementwise with broadcasting (masks for `where`,
// accuracy counting, ...). T is the operands' type (f32 or i32); the mask is always f32.
//
// Buffers:  a, b [any] read through broadcast strides, out [n] f32 = out_shape
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535).
// Launched by src/ops/compare.ts. Not differentiable (the gradient is zero almost everywhere).

alias T = f32;

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: COMPARE_OPS)
const EQ = 0u;
const NE = 1u;
const LT = 2u;
const LE = 3u;
const GT = 4u;
const GE = 5u;

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
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// same as binary_forward.wgsl:is_nan
fn is_nan(v: T) -> bool {
  if (T(0.5) == T(0)) { return false; }
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn test(x: T, y: T) -> bool {
  switch OP {
    case EQ: { return x == y; }
    // NOTE: NaN != anything, NaN included, as IEEE and PyTorch (drivers may compile `!=` ordered).
    case NE: { return x != y || is_nan(x) || is_nan(y); }
    case LT: { return x < y; }
    case LE: { return x <= y; }
    case GT: { return x > y; }
    default: { return x >= y; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    let coord = rest % size;
    rest /= size;
    ia += coord * p.a_strides[d / 4][d % 4];
    ib += coord * p.b_strides[d / 4][d % 4];
  }
  out[i] = select(0.0, 1.0, test(a[ia], b[ib]));
}
