// sparse_adam_rows: torch.optim.SparseAdam's step on the touched rows of a table, the others
// untouched (their moments are not decayed: "lazy" Adam). For each listed row r = indices[u] >= 0
// and each d, with the row's gradient gv = values[u, d]:
//   m_upd = (gv - m) (1 - beta1);   v_upd = (gv² - v) (1 - beta2)
//   m += m_upd;  v += v_upd;  p -= step_size (m_upd + m_old) / (sqrt(v_upd + v_old) + eps)
// with step_size = lr sqrt(1 - beta2^step) / (1 - beta1^step), in PyTorch's order of operations
// (torch/optim/_functional.py: sparse_adam). Rows are unique (the gradient is coalesced).
// The table and its moments may be larger than one storage binding: they are bound in runs of
// rows [row_start, row_start + row_count) (gpu/chunks.ts), one launch per run.
//
// Buffers:  indices [n] i32, values [n, dim], param / m / v [row_count, dim] (ranges, read-write)
// Dispatch: one invocation per (u, d), ceil(n * dim / WG) workgroups (2-D past 65535).
// Launched by src/optim/sparse_rows.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  dim: u32,
  row_start: u32,
  row_count: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  step_size: f32,
}

@group(0) @binding(0) var<storage, read> indices: array<i32>;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n * p.dim) { return; }
  let u = i / p.dim;
  let d = i % p.dim;
  let row = indices[u];
  if (row < 0 || u32(row) < p.row_start || u32(row) >= p.row_start + p.row_count) { return; }
  let at = (u32(row) - p.row_start) * p.dim + d;
  let gv = values[i];
  let m_old = m[at];
  let v_old = v[at];
  let m_upd = (gv - m_old) * (1.0 - p.beta1);
  let v_upd = (gv * gv - v_old) * (1.0 - p.beta2);
  m[at] = m_old + m_upd;
  v[at] = v_old + v_upd;
  param[at] = param[at] - p.step_size * ((m_upd + m_old) / (sqrt(v_upd + v_old) + p.eps));
}
