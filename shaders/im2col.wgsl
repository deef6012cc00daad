// im2col: unrolls the receptive fields of a 2-D convolution so that the convolution becomes a
// matrix product per sample (Caffe's layout: one row per (input channel, kernel offset), one
// column per output pixel):
//   cols[n, g, (ci, kh, kw), (oh, ow)] = x[n, g Cg + ci, oh S - P + kh D, ow S - P + kw D]
// (0 where that falls in the padding). S stride, P padding, D dilation, per axis. Then
//   out[n, g] = W[g] [Cout/G, Cg KH KW] @ cols[n, g] [Cg KH KW, OH OW]
// is already in NCHW order.
//
// Buffers:  x [N, C, H, W], cols [N, G, Cg KH KW, OH OW] (Cg = C / G)
// Dispatch: (ceil(OH OW / WG), N C) workgroups of WG x 1 (N C folded into y and z past 65535):
//           x walks the output pixels (consecutive lanes read consecutive input columns), y is
//           one (n, c) input plane, the same for the whole workgroup; each invocation writes
//           the KH KW rows of its channel for its pixel, with no division in that loop. (One
//           workgroup per row instead was 9x as many workgroups, and llvmpipe pays per workgroup.)
// Launched by src/ops/conv.ts; its gradient is col2im.wgsl.

override WG: u32 = 64u;

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  groups: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
  dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let pixels = p.oh * p.ow;
  let pixel = gid.x;
  let plane = wg.z * groups.y + wg.y;    // n * C + c
  if (pixel >= pixels || plane >= p.n * p.c) { return; }
  let oh = pixel / p.ow;
  let ow = pixel % p.ow;
  let x_plane = plane * p.h * p.w;
  // Rows (c, kh, kw) of sample n start at row plane * KH * KW (c runs over all channels).
  var out = plane * p.kh * p.kw * pixels + pixel;
  let ih0 = i32(oh * p.stride_h) - i32(p.pad_h);
  let iw0 = i32(ow * p.stride_w) - i32(p.pad_w);
  for (var kh = 0u; kh < p.kh; kh++) {
    let ih = ih0 + i32(kh * p.dil_h);
    let row_ok = ih >= 0 && ih < i32(p.h);
    for (var kw = 0u; kw < p.kw; kw++) {
      let iw = iw0 + i32(kw * p.dil_w);
      var v = 0.0;
      if (row_ok && iw >= 0 && iw < i32(p.w)) { v = x[x_plane + u32(ih) * p.w + u32(iw)]; }
      cols[out] = v;
      out += pixels;
    }
  }
}
