// attention_heads: the head split of multi-head attention and its gradient, one strided copy.
//   split:  out = SCALE * part PART of qkv, viewed per head: qkv [B, S, P, H, Dh] (P packed
//           projections, 3 for self-attention's q|k|v, 1 for a single one) ->
//           out [B, H, S, Dh], or with TRANSPOSED out [B, H, Dh, S] (k^T, ready for q @ k^T).
//   merge:  the gradient of split: dqkv [B, S, P, H, Dh] gets SCALE * g in part PART and 0 in
//           the other parts, g [B, H, S, Dh] (or [B, H, Dh, S] with TRANSPOSED).
// One invocation per (b, s, h) row of Dh values: the packed side is read or written
// contiguously, and the indices are divided once per row, not per element.
//
// Buffers:  split: qkv [B, S, P, H, Dh] (read), out (write); merge: g (read), dqkv (write)
// Dispatch: ceil(B * S * H / WG) workgroups (2-D past 65535, gridFor).
// Launched by src/ops/attention_heads.ts (splitHeads, and mergeHeads: merge forward, split backward).

override WG: u32 = 64u;
override TRANSPOSED: bool = false;

struct Params {
  b: u32,
  s: u32,
  parts: u32,
  h: u32,
  dh: u32,
  part: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

struct Row {
  packed: u32,   // index of the row's first value in qkv / dqkv, part 0
  head: u32,     // index of its first value in the per-head tensor
  step: u32,     // distance between its values there: 1, or S when transposed
}

fn row_of(r: u32) -> Row {
  let h = r % p.h;
  let bs = r / p.h;           // b * S + s
  let s = bs % p.s;
  let bh = (bs / p.s) * p.h + h;
  let packed = bs * p.parts * p.h * p.dh + h * p.dh;
  if (TRANSPOSED) { return Row(packed, bh * p.dh * p.s + s, p.s); }
  return Row(packed, (bh * p.s + s) * p.dh, 1u);
}

@compute @workgroup_size(WG)
fn split(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.b * p.s * p.h) { return; }
  let row = row_of(r);
  let first = row.packed + p.part * p.h * p.dh;
  for (var d = 0u; d < p.dh; d++) { dst[row.head + d * row.step] = p.scale * src[first + d]; }
}

@compute @workgroup_size(WG)
fn merge(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let r = (wg.y * groups.x + wg.x) * WG + lid;
  if (r >= p.b * p.s * p.h) { return; }
  let row = row_of(r);
  for (var part = 0u; part < p.parts; part++) {
    let to = row.packed + part * p.h * p.dh;
    for (var d = 0u; d < p.dh; d++) {
      dst[to + d] = select(0.0, p.scale * src[row.head + d * row.step], part == p.part);
    }
  }
}
