// im2col: unrolls the receptive fields of a 2-D convolution so that the convolution becomes a
// matrix product per sample (Caffe's layout: one row per (input channel, kernel offset), one
// column per output pixel):
//   cols[n, g, (ci, kh, kw), (oh, ow)] = x[n, g Cg + ci, oh S - P + kh D, ow S - P + kw D]
// (0 where that falls in the padding). S stride, P padding, D dilation, per axis. Then
//   out[n, g] = W[g] [Cout/G, Cg KH KW] @ cols[n, g] [Cg KH KW, OH OW]
// is already in NCHW order.
//
// Buffers:  x [N, C, H, W], cols [N, G, Cg KH KW, OH OW] (Cg = C / G)
// Dispatch: (ceil(OH OW / WG), rows) workgroups of WG x 1 (rows = N C KH KW folded into y and z
//           past 65535): x walks the output pixels (consecutive lanes read consecutive input
//           columns), y one matrix row, the same for the whole workgroup, so its index math is
//           done once, not per lane.
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
  let taps = p.kh * p.kw;
  // The matrix row: sample n, then (c, kh, kw) with c = g Cg + ci running over all channels.
  let row = wg.z * groups.y + wg.y;
  if (pixel >= pixels || row >= p.n * p.c * taps) { return; }
  let n = row / (p.c * taps);
  let c = (row / taps) % p.c;
  let kh = (row % taps) / p.kw;
  let kw = row % p.kw;
  let oh = pixel / p.ow;
  let ow = pixel % p.ow;
  // Signed arithmetic: positions in the padding are negative.
  let ih = i32(oh * p.stride_h + kh * p.dil_h) - i32(p.pad_h);
  let iw = i32(ow * p.stride_w + kw * p.dil_w) - i32(p.pad_w);
  var v = 0.0;
  if (ih >= 0 && ih < i32(p.h) && iw >= 0 && iw < i32(p.w)) {
    v = x[((n * p.c + c) * p.h + u32(ih)) * p.w + u32(iw)];
  }
  cols[row * pixels + pixel] = v;
}
