// embedding_backward_rows: the gradient of an embedding table as touched rows only (PyTorch's
// `sparse=True` Embedding, coalesced): for each token t that is the first with its id (the
// chains of embedding_backward.wgsl's `links` say which),
//   values[t, d] = sum over tokens j with ids[j] = ids[t] of g[j, d]   (in token order)
//   indices[t]   = ids[t]
// and for the other tokens, and tokens holding the padding id, values[t, :] = 0 and
// indices[t] = -1 (a row the optimiser skips). No row of the table is read or written: the cost
// is the batch's, not the table's.
//
// Buffers:  ids [n] i32, g [n, dim], chains [2n] i32 (next, then head: from `links`),
//           values [n, dim] (write), indices [n] i32 (write)
// Dispatch: one invocation per (token, d), ceil(n * dim / WG) workgroups (2-D past 65535).
// Launched by src/ops/embedding.ts (embedding with `sparse: true`).

override WG: u32 = 256u;

struct Params {
  n: u32,
  dim: u32,
  padding_idx: i32,
}

@group(0) @binding(0) var<storage, read> ids: array<i32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> chains: array<i32>;
@group(0) @binding(3) var<storage, read_write> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> indices: array<i32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n * p.dim) { return; }
  let t = i / p.dim;
  let d = i % p.dim;
  let id = ids[t];
  let touched = chains[p.n + t] == 1 && id != p.padding_idx && id >= 0;
  if (d == 0u) { indices[t] = select(-1, id, touched); }
  var sum = 0.0;
  if (touched) {
    var j = t;
    while (j < p.n) {
      sum += g[j * p.dim + d];
      j = u32(chains[j]);
    }
  }
  values[i] = sum;
}
