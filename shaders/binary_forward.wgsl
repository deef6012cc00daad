// binary_forward: out = a OP b, elementwise, with NumPy/PyTorch broadcasting.
//
// Buffers:  a   [size of a]     (contiguous; read through a_strides, 0 on broadcast dims)
//           b   [size of b]     (likewise through b_strides)
//           out [n] = out_shape (contiguous)
// Dispatch: one invocation per output element, workgroups of WG, folded into 2-D past 65535;
//           or, entry point `rows`, x along the innermost dimension and y (z past 65535) one
//           row of the outer ones, whose index math is then done once per workgroup.
// Launched by src/ops/elementwise.ts (binary). T is substituted (f32 or i32; vec4<f32> for
// same-shape float32 operands whose size divides by 4, BROADCAST false: n then counts vec4s).
// With BROADCAST false, a, b and out have one shape and the index math is skipped.

alias T = f32;

override OP: u32 = 0u;  // one of the OP values below (src/kernels.ts: BINARY_OPS)
const ADD = 0u;
const SUB = 1u;
const MUL = 2u;
const DIV = 3u;
const MAXIMUM = 4u;
const MINIMUM = 5u;

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

fn apply(x: T, y: T) -> T {
  switch OP {
    case ADD: { return x + y; }
    case SUB: { return x - y; }
    case MUL: { return x * y; }
    case DIV: { return x / y; }
    case MAXIMUM: { return max(x, y); }
    default: { return min(x, y); }
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
