// binary_backward: the gradient of out = a OP b with respect to one operand (SIDE), evaluated
// at every output element. Where that operand was broadcast, src/ops/elementwise.ts then sums
// the result down to the operand's shape with the reduce kernel.
//
//   add: da = g,      db = g
//   sub: da = g,      db = -g
//   mul: da = g * b,  db = g * a
//   div: da = g / b,  db = -g * a / b^2
//   maximum / minimum: the gradient goes to the selected operand; on ties it is split evenly
//                      (as PyTorch does).
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

fn local_grad(gi: f32, x: f32, y: f32) -> f32 {
  switch OP {
    case ADD: { return gi; }
    case SUB: { return select(gi, -gi, SIDE == 1u); }
    case MUL: { return gi * select(y, x, SIDE == 1u); }
    case DIV: { return select(gi / y, -gi * x / (y * y), SIDE == 1u); }
    default: {
      if (x == y) { return 0.5 * gi; }
      let a_wins = select((x < y), (x > y), OP == MAXIMUM);
      return select(0.0, gi, a_wins == (SIDE == 0u));
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
