// avgpool2d_backward: each input element gets g / (window size) from every window containing
// it, with the windows of avgpool2d_forward.wgsl (ADAPTIVE or not). Gathered per input element:
//   fixed windows: the outputs oh with oh S - P <= ih < oh S - P + K;
//   adaptive:      oh in [floor(ih OH / H), ceil((ih + 1) OH / H)), checked against the window.
//
// Buffers:  g [N, C, OH, OW], dx [N, C, H, W]
// Dispatch: one invocation per input element, workgroups of WG (2-D past 65535).
// Launched by src/ops/pool.ts.

override WG: u32 = 256u;
override ADAPTIVE: bool = false;
override COUNT_PAD: bool = true;

struct Params {
  total: u32,        // N * C * H * W
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
}

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

struct Window { start: i32, end: i32, size: i32 }

// The same windows as avgpool2d_forward.wgsl.
// same as avgpool2d_forward.wgsl:window
fn window(o: u32, n: u32, m: u32, k: u32, s: u32, pad: u32) -> Window {
  if (ADAPTIVE) {
    let start = i32((o * n) / m);
    let end = i32(((o + 1u) * n + m - 1u) / m);
    return Window(start, end, end - start);
  }
  let start = i32(o * s) - i32(pad);
  let padded_end = min(start + i32(k), i32(n + pad));
  let clipped_start = max(start, 0);
  let clipped_end = min(padded_end, i32(n));
  let size = select(clipped_end - clipped_start, padded_end - start, COUNT_PAD);
  return Window(clipped_start, clipped_end, size);
}

// Output positions whose window may contain input position i (a superset; checked by caller).
fn candidates(i: u32, n: u32, m: u32, k: u32, s: u32, pad: u32) -> vec2u {
  if (ADAPTIVE) {
    return vec2u((i * m) / n, min(m, ((i + 1u) * m + n - 1u) / n));
  }
  // oh S - P <= i  and  i < oh S - P + K
  let hi = (i + pad) / s + 1u;
  let lo = select(0u, (i + pad + 1u - k + s - 1u) / s, i + pad + 1u > k);
  return vec2u(lo, min(hi, m));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.total) { return; }
  let iw = i % p.w;
  let ih = (i / p.w) % p.h;
  let out_base = (i / (p.w * p.h)) * p.oh * p.ow;
  let oh_range = candidates(ih, p.h, p.oh, p.kh, p.stride_h, p.pad_h);
  let ow_range = candidates(iw, p.w, p.ow, p.kw, p.stride_w, p.pad_w);
  var acc = 0.0;
  for (var oh = oh_range.x; oh < oh_range.y; oh++) {
    let rows = window(oh, p.h, p.oh, p.kh, p.stride_h, p.pad_h);
    if (i32(ih) < rows.start || i32(ih) >= rows.end) { continue; }
    for (var ow = ow_range.x; ow < ow_range.y; ow++) {
      let cols = window(ow, p.w, p.ow, p.kw, p.stride_w, p.pad_w);
      if (i32(iw) < cols.start || i32(iw) >= cols.end) { continue; }
      acc += g[out_base + oh * p.ow + ow] / f32(rows.size * cols.size);
    }
  }
  dx[i] = acc;
}
