// maxpool2d_02_planes: version 02 of maxpool2d_forward.wgsl with the output position taken from
// the grid instead of divided out of a flat index: x runs along an output row, y is the output
// row oh, z the plane n * C + c. Version 01 spends three integer divisions per output element
// (ow, oh, plane), which on a CPU adapter cost as much as the window's loads.
// out[n, c, oh, ow] = max over the window (kh, kw) of x[n, c, oh S - P + kh D, ow S - P + kw D],
// skipping positions in the padding (PyTorch pads with -inf), and which input element won
// (ih * W + iw, the first on ties, NaN propagating) for the backward pass: the same numbers
// and indices as version 01.
//
// Buffers:  x [N, C, H, W], out [N, C, OH, OW], index [N, C, OH, OW] i32
// Dispatch: (ceil(OW / WG), OH, N * C) workgroups of WG (the launcher keeps OH and N * C
//           under 65,536; version 01 takes the rest).
// Launched by src/ops/pool.ts.

override WG: u32 = 64u;

struct Params {
  total: u32,        // N * C * OH * OW
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
  dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> index: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

// same as argmax.wgsl:is_nan
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ow = wg.x * WG + lid;
  if (ow >= p.ow) { return; }
  let oh = wg.y;
  let plane = wg.z;
  let base = plane * p.h * p.w;
  var best = -0x1.fffffep+127f;   // the lowest f32 (a constant -inf is a WGSL error)
  var best_index = -1;
  for (var kh = 0u; kh < p.kh; kh++) {
    let ih = i32(oh * p.stride_h + kh * p.dil_h) - i32(p.pad_h);
    if (ih < 0 || ih >= i32(p.h)) { continue; }
    for (var kw = 0u; kw < p.kw; kw++) {
      let iw = i32(ow * p.stride_w + kw * p.dil_w) - i32(p.pad_w);
      if (iw < 0 || iw >= i32(p.w)) { continue; }
      let at = u32(ih) * p.w + u32(iw);
      let v = x[base + at];
      // NaN propagates, as in PyTorch: the first NaN of the window is the max (and its index).
      if (best_index < 0 || (!is_nan(best) && (v > best || is_nan(v)))) {
        best = v;
        best_index = i32(at);
      }
    }
  }
  let o = (plane * p.oh + oh) * p.ow + ow;
  out[o] = best;
  index[o] = best_index;
}
