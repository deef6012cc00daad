// where_forward: out = cond != 0 ? a : b, elementwise with broadcasting of all three.
// Its backward reuses it: da = where(cond, g, 0), db = where(cond, 0, g), then summed down to
// each operand's shape (src/ops/compare.ts).
//
// Buffers:  cond [any] f32 (nonzero = true), a, b [any] (T), out [n] = out_shape (T)
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535).

alias T = f32;

override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  out_shape: array<vec4u, 2>,
  cond_strides: array<vec4u, 2>,
  a_strides: array<vec4u, 2>,
  b_strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> cond: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var rest = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    let coord = rest % size;
    rest /= size;
    ic += coord * p.cond_strides[d / 4][d % 4];
    ia += coord * p.a_strides[d / 4][d % 4];
    ib += coord * p.b_strides[d / 4][d % 4];
  }
  out[i] = select(b[ib], a[ia], cond[ic] != 0.0);
}
