// col2im: the gradient of im2col. Each input element receives the sum of the matrix entries
// it was copied to:
//   dx[n, c, ih, iw] = sum over (kh, kw) with oh = (ih + P - kh D) / S and ow likewise whole
//                      numbers inside the output: dcols[g, (n, oh, ow), (ci, kh, kw)]
// with g = c / Cg, ci = c % Cg. One invocation gathers for one input element (no atomics).
//
// Buffers:  dcols [G, N OH OW, Cg KH KW], dx [N, C, H, W]
// Dispatch: one invocation per element of dx, workgroups of WG (2-D past 65535).
// Launched by src/ops/conv.ts.

override WG: u32 = 256u;

struct Params {
  total: u32,       // N * C * H * W
  n: u32, c: u32, h: u32, w: u32,
  groups: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
  dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> dcols: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.total) { return; }
  let iw = i % p.w;
  let ih = (i / p.w) % p.h;
  let c = (i / (p.w * p.h)) % p.c;
  let n = i / (p.w * p.h * p.c);
  let cg = p.c / p.groups;
  let g = c / cg;
  let ci = c % cg;
  let width = cg * p.kh * p.kw;
  let rows = p.n * p.oh * p.ow;
  var acc = 0.0;
  for (var kh = 0u; kh < p.kh; kh++) {
    let th = i32(ih + p.pad_h) - i32(kh * p.dil_h);      // = oh * stride_h
    if (th < 0 || th % i32(p.stride_h) != 0) { continue; }
    let oh = u32(th) / p.stride_h;
    if (oh >= p.oh) { continue; }
    for (var kw = 0u; kw < p.kw; kw++) {
      let tw = i32(iw + p.pad_w) - i32(kw * p.dil_w);
      if (tw < 0 || tw % i32(p.stride_w) != 0) { continue; }
      let ow = u32(tw) / p.stride_w;
      if (ow >= p.ow) { continue; }
      let row = (n * p.oh + oh) * p.ow + ow;
      let col = (ci * p.kh + kh) * p.kw + kw;
      acc += dcols[(g * rows + row) * width + col];
    }
  }
  dx[i] = acc;
}
