// maxpool2d_backward: each input element gets the gradients of the windows it won:
//   dx[n, c, ih, iw] = sum of g[n, c, oh, ow] over windows (oh, ow) that contain (ih, iw)
//                      and whose index is ih * W + iw.
// Gathered per input element (windows overlap when stride < kernel; no atomics needed).
//
// Buffers:  g [N, C, OH, OW], index [N, C, OH, OW] i32, dx [N, C, H, W]
// Dispatch: one invocation per input element, workgroups of WG (2-D past 65535).
// Launched by src/ops/pool.ts.

override WG: u32 = 256u;

struct Params {
  total: u32,        // N * C * H * W
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
  dil_h: u32, dil_w: u32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.total) { return; }
  let iw = i % p.w;
  let ih = (i / p.w) % p.h;
  let plane = i / (p.w * p.h);
  let me = i32(ih * p.w + iw);
  let out_base = plane * p.oh * p.ow;
  var acc = 0.0;
  for (var kh = 0u; kh < p.kh; kh++) {
    let th = i32(ih + p.pad_h) - i32(kh * p.dil_h);
    if (th < 0 || th % i32(p.stride_h) != 0) { continue; }
    let oh = u32(th) / p.stride_h;
    if (oh >= p.oh) { continue; }
    for (var kw = 0u; kw < p.kw; kw++) {
      let tw = i32(iw + p.pad_w) - i32(kw * p.dil_w);
      if (tw < 0 || tw % i32(p.stride_w) != 0) { continue; }
      let ow = u32(tw) / p.stride_w;
      if (ow >= p.ow) { continue; }
      let o = out_base + oh * p.ow + ow;
      if (index[o] == me) { acc += g[o]; }
    }
  }
  dx[i] = acc;
}
