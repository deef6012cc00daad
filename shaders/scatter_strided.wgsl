// scatter_strided: out[offset + sum_d coord_d(i) * strides_d] = x[i], where coord(i) are the
// coordinates of i in x's shape; the rest of out is left as it was. Used to write a block into
// a larger tensor: concatenation (each input into its region), and slice backward (the
// gradient into a zero tensor of the input's shape).
//
// Buffers:  x [n] = shape (contiguous), out [any] (T: f32 or i32)
// Dispatch: one invocation per element of x, workgroups of WG (2-D past 65535).
// Launched by src/ops/shape.ts.

alias T = f32;

override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  offset: u32,
  shape: array<vec4u, 2>,
  strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var rest = i;
  var dst = p.offset;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = p.shape[d / 4][d % 4];
    dst += (rest % size) * p.strides[d / 4][d % 4];
    rest /= size;
  }
  out[dst] = x[i];
}
