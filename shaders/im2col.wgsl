// im2col: unrolls the receptive fields of a 2-D convolution into the rows of a matrix, so that
// the convolution becomes one matrix product with the fastest matmul kernel:
//   cols[g, (n, oh, ow), (ci, kh, kw)] = x[n, g Cg + ci, oh S - P + kh D, ow S - P + kw D]
// (0 where that falls in the padding). S stride, P padding, D dilation, per axis.
//
// Buffers:  x [N, C, H, W], cols [G, N OH OW, Cg KH KW] (Cg = C / G input channels per group)
// Dispatch: one invocation per element of cols, workgroups of WG (2-D past 65535).
// Launched by src/ops/conv.ts; its gradient is col2im.wgsl.

override WG: u32 = 256u;

struct Params {
  total: u32,       // G * N*OH*OW * Cg*KH*KW
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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.total) { return; }
  let cg = p.c / p.groups;
  let width = cg * p.kh * p.kw;          // columns of the matrix
  let rows = p.n * p.oh * p.ow;          // rows per group
  let col = i % width;
  let row = (i / width) % rows;
  let g = i / (width * rows);
  let kw = col % p.kw;
  let kh = (col / p.kw) % p.kh;
  let ci = col / (p.kw * p.kh);
  let ow = row % p.ow;
  let oh = (row / p.ow) % p.oh;
  let n = row / (p.ow * p.oh);
  // Signed arithmetic: positions in the padding are negative.
  let ih = i32(oh * p.stride_h + kh * p.dil_h) - i32(p.pad_h);
  let iw = i32(ow * p.stride_w + kw * p.dil_w) - i32(p.pad_w);
  var v = 0.0;
  if (ih >= 0 && ih < i32(p.h) && iw >= 0 && iw < i32(p.w)) {
    v = x[((n * p.c + g * cg + ci) * p.h + u32(ih)) * p.w + u32(iw)];
  }
  cols[i] = v;
}
