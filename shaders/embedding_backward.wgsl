// embedding_backward: the gradient of the table, a scatter-add of the output gradient by index,
//   dweight[r, d] = sum over tokens t with ids[t] = r of g[t, d]   (0 for rows no token uses,
//   and for the padding row: padding_idx never receives a gradient, as PyTorch)
// made deterministic without float atomics. Two entry points:
//   links:   one invocation per token t, scanning the ids: next[t] = the next token with the same
//            id (n if none), head[t] = 1 when t is the first token with its id. O(n^2) compares
//            of integers, small next to the products of a model (n = batch * sequence).
//   scatter: one invocation per (token, d) for head tokens only: follows the chain t -> next[t]
//            summing g in token order (always the same order, so the same bits every run), and
//            writes the sum into the row of its id. Rows that no token uses keep the zeros the
//            caller filled in.
// The table gradient may be larger than one storage binding: it is bound in runs of rows
// [p.row_start, p.row_start + p.row_count), as in embedding_forward.wgsl.
//
// Buffers:  links: ids [n] i32, g (unused), chains [2n] i32 (next, then head), dweight (unused)
//           scatter: ids [n] i32, g [n, dim], chains [2n] i32, dweight [row_count, dim] (a range)
// Dispatch: links one invocation per token, scatter one per (token, d), workgroups of WG.
// Launched by src/ops/embedding.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  dim: u32,
  padding_idx: i32,
  row_start: u32,
  row_count: u32,
}

@group(0) @binding(0) var<storage, read> ids: array<i32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> chains: array<i32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn links(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let t = (wg.y * groups.x + wg.x) * WG + lid;
  if (t >= p.n) { return; }
  let id = ids[t];
  var head = 1;
  for (var j = 0u; j < t; j++) {
    if (ids[j] == id) { head = 0; break; }
  }
  var next = i32(p.n);
  for (var j = t + 1u; j < p.n; j++) {
    if (ids[j] == id) { next = i32(j); break; }
  }
  chains[t] = next;
  chains[p.n + t] = head;
}

@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n * p.dim) { return; }
  let t = i / p.dim;
  let d = i % p.dim;
  let id = ids[t];
  if (chains[p.n + t] == 0 || id == p.padding_idx || id < 0) { return; }
  let row = u32(id);
  if (row < p.row_start || row >= p.row_start + p.row_count) { return; }
  var sum = 0.0;
  var j = t;
  while (j < p.n) {
    sum += g[j * p.dim + d];
    j = u32(chains[j]);
  }
  dweight[(row - p.row_start) * p.dim + d] = sum;
}
