// Depthwise conv2d, gradient of the input, version 01: register tiles. With M = MULT output
// channels per input channel, dy the output's gradient:
//   dx[n, c, ih, iw] = sum_{m, kh, kw} w[c M + m, 0, kh, kw] dy[n, c M + m, oh, ow]
//   over the taps with oh SH = ih + PH - kh DH and ow SW = iw + PW - kw DW (exact divisions).
// Each invocation computes a BH x BW tile of one dx plane, BH a multiple of SH and BW of SW, so
// ih0 = SH q and ow = q + e / SW with e = j + PW - kw DW known at compile time: whether a tap
// exists (e divisible by SW) and which loaded dy value it reads are compile-time facts, and the
// loops unroll into straight FMAs. The tile reads SEG_H dy rows of SEG_W values each, from
// row q_h + FH and column q_w + FW, FH = floor((PH - (KH - 1) DH) / SH) (likewise FW), every value
// loaded once (FH, SEG_H and their width twins are computed once from the overrides, so the
// compiler folds them). Stride 1 is the forward's correlation with the kernel flipped. The
// plane (n, c) is the workgroup's z.
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad 1, CPU time beside the vec4 copy probe in one
// round-robin, 2026-12-07): 3x3 stride 1 45-49% of the probe's GB/s, stride 2 57-62%.
//
// Buffers:  dy [N, M C, OH, OW], w [M C, 1, KH, KW], dx [N, C, H, W]; all f32.
// Dispatch: (ceil(W / (BW WG_X)), ceil(H / (BH WG_Y)), planes) workgroups of WG_X x WG_Y,
//           planes = N C counted from p.plane0 (at most 65535 per dispatch).
// Launched by src/ops/depthwise_kernels.ts.

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DIL_H: u32 = 1u;
override DIL_W: u32 = 1u;
override PAD_H: u32 = 0u;
override PAD_W: u32 = 0u;
override MULT: u32 = 1u;
override BH: u32 = 4u;            // dx rows per invocation, a multiple of STRIDE_H (at most MAX_BH)
override BW: u32 = 4u;            // dx columns per invocation, a multiple of STRIDE_W (at most MAX_BW)

const MAX_BH = 4u;
const MAX_BW = 8u;
const MAX_SEG = 64u;

struct Params {
  h: u32, w: u32,          // dx plane
  oh: u32, ow: u32,        // dy plane
  cin: u32, cout: u32,     // C and M C
  plane0: u32,             // first plane n C + c of this dispatch
}

// floor(a / b) for b > 0.
fn floor_div(a: i32, b: i32) -> i32 {
  return select(a / b, (a - b + 1) / b, a < 0);
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let plane = p.plane0 + wg.z;                       // n C + c
  let n = plane / p.cin;
  let c = plane - n * p.cin;
  let ih0 = (wg.y * WG_Y + lid.y) * BH;
  let iw0 = (wg.x * WG_X + lid.x) * BW;
  if (ih0 >= p.h || iw0 >= p.w) { return; }
  let sh = i32(STRIDE_H);
  let sw = i32(STRIDE_W);
  let ph = i32(PAD_H);
  let pw = i32(PAD_W);
  let dh = i32(DIL_H);
  let dw = i32(DIL_W);
  // The tile's first dy row is ih0 / SH + FH, FH = floor((PH - (KH - 1) DH) / SH); it reads
  // SEG_H = floor((BH - 1 + PH) / SH) - FH + 1 rows (likewise along the width).
  let fh = floor_div(ph - i32(KH - 1u) * dh, sh);
  let fw = floor_div(pw - i32(KW - 1u) * dw, sw);
  let seg_h = u32(floor_div(i32(BH) - 1 + ph, sh) - fh + 1);
  let seg_w = u32(floor_div(i32(BW) - 1 + pw, sw) - fw + 1);
  let oh_first = i32(ih0) / sh + fh;
  let ow_first = i32(iw0) / sw + fw;

  var acc: array<f32, MAX_BH * MAX_BW>;
  for (var k = 0u; k < BH * BW; k++) { acc[k] = 0.0; }

  var seg: array<f32, MAX_SEG>;
  for (var m = 0u; m < MULT; m++) {
    let co = c * MULT + m;
    let dy_plane = (n * p.cout + co) * p.oh * p.ow;
    let w_base = co * KH * KW;
    for (var r = 0u; r < seg_h; r++) {
      let oh = oh_first + i32(r);
      let row_inside = oh >= 0 && oh < i32(p.oh);    // rows past dy's edge read as zeros
      let row = dy_plane + u32(clamp(oh, 0, i32(p.oh) - 1)) * p.ow;
      for (var s = 0u; s < seg_w; s++) {
        let ow = ow_first + i32(s);
        seg[s] = select(0.0, dy[row + u32(max(ow, 0))], row_inside && ow >= 0 && ow < i32(p.ow));
      }
      // dx row i meets dy row r through kernel row kh where i + PH - kh DH = SH (FH + r).
      for (var i = 0u; i < BH; i++) {
        let t = i32(i) + ph - sh * (fh + i32(r));
        if (t >= 0 && t % dh == 0 && t / dh < i32(KH)) {
          let kh = u32(t / dh);
          for (var kw = 0u; kw < KW; kw++) {
            let wv = w[w_base + kh * KW + kw];
            for (var j = 0u; j < BW; j++) {
              let e = i32(j) + pw - i32(kw) * dw;
              if (e % sw == 0) {
                acc[i * BW + j] = fma(seg[u32(e / sw - fw)], wv, acc[i * BW + j]);
              }
            }
          }
        }
      }
    }
  }

  let dx_plane = plane * p.h * p.w;
  for (var i = 0u; i < BH; i++) {
    let ih = ih0 + i;
    for (var j = 0u; j < BW; j++) {
      if (ih < p.h && iw0 + j < p.w) { dx[dx_plane + ih * p.w + iw0 + j] = acc[i * BW + j]; }
    }
  }
}
