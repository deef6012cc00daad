// gather_strided: out[i] = scale * x[offset + sum_d coord_d(i) * strides_d], where coord(i) are
// the coordinates of i in out_shape. One kernel serves every strided read:
//   permute / transpose / contiguous: strides permuted
//   slice (narrow, with step):        offset of the first element, strides times the step
//   expand / broadcast_to:            stride 0 on broadcast dimensions
//   sum and mean backward:            expand with scale 1 or 1/K
//
// Buffers:  x [any], out [n] = out_shape (T: f32 or i32)
// Dispatch, two entry points (src/ops/strided.ts picks one after merging dimensions):
//   main: one invocation per output element, workgroups of WG (2-D past 65535);
//   rows: x walks the innermost dimension, y (and z past 65535) one row of the others, the
//         same for the whole workgroup, so the division-heavy index math of the outer
//         dimensions runs once per workgroup instead of once per element.
// Launched by src/ops/shape.ts.

alias T = f32;

override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  offset: u32,
  scale: f32,
  out_shape: array<vec4u, 2>,
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
  var src = p.offset;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    src += (rest % size) * p.strides[d / 4][d % 4];
    rest /= size;
  }
  out[i] = x[src] * T(p.scale);
}

@compute @workgroup_size(WG)
fn rows(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let last = i32(p.rank) - 1;
  let inner = p.out_shape[last / 4][last % 4];
  let row = wg.z * groups.y + wg.y;
  if (row * inner >= p.n) { return; }
  var rest = row;
  var src = p.offset;
  for (var d = last - 1; d >= 0; d--) {
    let size = p.out_shape[d / 4][d % 4];
    src += (rest % size) * p.strides[d / 4][d % 4];
    rest /= size;
  }
  let col = gid.x;
  if (col >= inner) { return; }
  out[row * inner + col] = x[src + col * p.strides[last / 4][last % 4]] * T(p.scale);
}
