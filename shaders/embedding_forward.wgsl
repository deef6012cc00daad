// embedding_forward: a gather of table rows by index, as torch.nn.functional.embedding:
//   out[t, d] = weight[ids[t], d]
// The table may be larger than one storage binding (XLM-R's 250,002 x 768 floats, 733 MiB), so
// it is bound in runs of rows: this launch sees rows [p.row_start, p.row_start + p.row_count)
// of the table as `weight` and writes only the tokens whose id falls in that run; the launches
// over all runs together write every token. An id outside [0, p.num) writes NaN and raises a
// device-side assert (from the launch whose run starts at row 0): the launch's assert id
// (`site`), the first such id and num are recorded in `asserts`, and reading what depends on
// the output throws "index out of range in self" (src/gpu/asserts.ts).
//
// Buffers:  ids [n] i32, weight [row_count, dim] (a range of the [num, dim] table), out [n, dim],
//           asserts [8] u32 (max failed id, ~min failed id, flag, first id, bad id, num, unused x2)
// Dispatch: one invocation per output element (n * dim), workgroups of WG (2-D past 65535).
// Launched by src/ops/embedding.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  dim: u32,
  num: u32,
  row_start: u32,
  row_count: u32,
  site: u32,
}

@group(0) @binding(0) var<storage, read> ids: array<i32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> asserts: array<atomic<u32>, 8>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n * p.dim) { return; }
  let t = i / p.dim;
  let d = i % p.dim;
  let id = ids[t];
  if (id < 0 || u32(id) >= p.num) {
    // A quiet NaN; WGSL rejects NaN in a constant expression, so its bits pass through row_start (0 here).
    if (p.row_start == 0u) {
      out[i] = bitcast<f32>(0x7fc00000u + p.row_start);
      if (d == 0u) {
        atomicMax(&asserts[0], p.site);
        atomicMax(&asserts[1], ~p.site);
        if (atomicExchange(&asserts[2], 1u) == 0u) {   // the first bad id is reported
          atomicStore(&asserts[3], p.site);
          atomicStore(&asserts[4], bitcast<u32>(id));
          atomicStore(&asserts[5], p.num);
        }
      }
    }
    return;
  }
  let row = u32(id);
  if (row < p.row_start || row >= p.row_start + p.row_count) { return; }
  out[i] = weight[(row - p.row_start) * p.dim + d];
}
