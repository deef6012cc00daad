// avgpool2d_forward: out[n, c, oh, ow] = mean of x over a window, for two kinds of window:
//   ADAPTIVE = false (AvgPool2d): rows [oh S - P, oh S - P + K) clipped to the input, divided
//     by the window size counted with the padding (COUNT_PAD, PyTorch's count_include_pad:
//     the window clipped to [-P, H + P)) or without it;
//   ADAPTIVE = true (AdaptiveAvgPool2d): rows [floor(oh H / OH), ceil((oh + 1) H / OH)),
//     PyTorch's formula, which also covers outputs larger than the input (1x1 -> 7x7).
// Columns likewise.
//
// Buffers:  x [N, C, H, W], out [N, C, OH, OW]
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535).
// Launched by src/ops/pool.ts; gradient in avgpool2d_backward.wgsl.

override WG: u32 = 256u;
override ADAPTIVE: bool = false;
override COUNT_PAD: bool = true;

struct Params {
  total: u32,        // N * C * OH * OW
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32,
  stride_h: u32, stride_w: u32,
  pad_h: u32, pad_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// [start, end) of output position o along an axis of input size n and output size m, and the
// divisor of that window (its size, with or without padding).
struct Window { start: i32, end: i32, size: i32 }

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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.total) { return; }
  let ow = i % p.ow;
  let oh = (i / p.ow) % p.oh;
  let base = (i / (p.ow * p.oh)) * p.h * p.w;
  let rows = window(oh, p.h, p.oh, p.kh, p.stride_h, p.pad_h);
  let cols = window(ow, p.w, p.ow, p.kw, p.stride_w, p.pad_w);
  var acc = 0.0;
  for (var ih = rows.start; ih < rows.end; ih++) {
    for (var iw = cols.start; iw < cols.end; iw++) {
      acc += x[base + u32(ih) * p.w + u32(iw)];
    }
  }
  out[i] = acc / f32(rows.size * cols.size);
}
