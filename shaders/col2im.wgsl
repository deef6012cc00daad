// col2im: the gradient of im2col. Each input element receives the sum of the matrix entries
// it was copied to:
//   dx[n, c, ih, iw] = sum over (kh, kw) with oh = (ih + P - kh D) / S and ow likewise whole
//                      numbers inside the output: dcols[n, (c, kh, kw), (oh, ow)]
// (the group index is part of c: rows run over all channels). One invocation gathers for one
// input element, so no atomics are needed.
//
// Buffers:  dcols [N, C KH KW, OH OW], dx [N, C, H, W]
// Dispatch: (ceil(H W / WG), N C) workgroups of WG x 1 (N C folded into y and z past 65535):
//           x walks the input pixels, y one (n, c) plane, the same for the whole workgroup.
// Launched by src/ops/conv.ts.

override WG: u32 = 64u;

struct Params {
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

@compute @workgroup_size(WG, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u,
        @builtin(num_workgroups) groups: vec3u) {
  let pixel = gid.x;
  let plane = wg.z * groups.y + wg.y;    // n * C + c
  if (pixel >= p.h * p.w || plane >= p.n * p.c) { return; }
  let ih = pixel / p.w;
  let iw = pixel % p.w;
  let pixels = p.oh * p.ow;
  let first_row = plane * p.kh * p.kw;   // row (n, c, 0, 0) of dcols
  var acc = 0.0;
  // Stride 1 (the common case) needs no per-lane division: the branch is the same for all lanes.
  let unit_stride = p.stride_h == 1u && p.stride_w == 1u;
  for (var kh = 0u; kh < p.kh; kh++) {
    let th = i32(ih + p.pad_h) - i32(kh * p.dil_h);      // = oh * stride_h
    if (th < 0) { continue; }
    var oh = u32(th);
    if (!unit_stride) {
      if (th % i32(p.stride_h) != 0) { continue; }
      oh = u32(th) / p.stride_h;
    }
    if (oh >= p.oh) { continue; }
    for (var kw = 0u; kw < p.kw; kw++) {
      let tw = i32(iw + p.pad_w) - i32(kw * p.dil_w);
      if (tw < 0) { continue; }
      var ow = u32(tw);
      if (!unit_stride) {
        if (tw % i32(p.stride_w) != 0) { continue; }
        ow = u32(tw) / p.stride_w;
      }
      if (ow >= p.ow) { continue; }
      acc += dcols[(first_row + kh * p.kw + kw) * pixels + oh * p.ow + ow];
    }
  }
  dx[plane * p.h * p.w + pixel] = acc;
}
