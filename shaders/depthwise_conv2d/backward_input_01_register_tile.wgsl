// Depthwise conv2d, gradient of the input, version 01: register tiles. With M = MULT output
// channels per input channel, dy the output's gradient:
//   dx[n, c, ih, iw] = sum_{m, kh, kw} w[c M + m, 0, kh, kw] dy[n, c M + m, oh, ow]
//   over the taps with oh SH = ih + PH - kh DH and ow SW = iw + PW - kw DW (exact divisions).
// Each invocation computes a BH x BW tile of one dx plane, BH a multiple of SH and BW of SW, so
// ih0 = SH q and ow = q + e / SW with e = j + PW - kw DW known at compile time: whether a tap
// exists (e divisible by SW) and which loaded dy value it reads are compile-time facts, and the
// loops unroll into straight FMAs. The tile reads SEG_H dy rows of SEG_W values each, from
// row q_h + FH and column q_w + FW, FH = floor((PH - (KH - 1) DH) / SH) (likewise FW), every value
// loaded once. Stride 1 is the forward's correlation with the kernel flipped. The plane (n, c)
// is the workgroup's z.
// Measured (llvmpipe, 2 cores, 8x144x56x56, 3x3, pad 1, stride 1 / 2): see src/ops/depthwise_conv.ts.
//
// Buffers:  dy [N, M C, OH, OW], w [M C, 1, KH, KW], dx [N, C, H, W]; all f32.
// Dispatch: (ceil(W / (BW WG_X)), ceil(H / (BH WG_Y)), planes) workgroups of WG_X x WG_Y,
//           planes = N C counted from p.plane0 (at most 65535 per dispatch).
// Launched by src/ops/depthwise_conv.ts.

override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: i32 = 1;
override STRIDE_W: i32 = 1;
override DIL_H: i32 = 1;
override DIL_W: i32 = 1;
override PAD_H: i32 = 0;
override PAD_W: i32 = 0;
override MULT: u32 = 1u;
override BH: u32 = 2u;            // dx rows per invocation, a multiple of STRIDE_H (at most MAX_BH)
override BW: u32 = 4u;            // dx columns per invocation, a multiple of STRIDE_W (at most MAX_BW)
override FH: i32 = -1;            // floor((PAD_H - (KH - 1) DIL_H) / STRIDE_H): first dy row, relative
override FW: i32 = -1;
override SEG_H: u32 = 4u;         // floor((BH - 1 + PAD_H) / STRIDE_H) - FH + 1 dy rows
override SEG_W: u32 = 6u;         // likewise dy columns (at most MAX_SEG)

const MAX_BH = 4u;
const MAX_BW = 8u;
const MAX_SEG = 64u;

struct Params {
  h: u32, w: u32,          // dx plane
  oh: u32, ow: u32,        // dy plane
  cin: u32, cout: u32,     // C and M C
  plane0: u32,             // first plane n C + c of this dispatch
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
  // First dy row and column the tile reads (BH, BW are multiples of the strides).
  let oh_first = i32(ih0) / STRIDE_H + FH;
  let ow_first = i32(iw0) / STRIDE_W + FW;

  var acc: array<f32, MAX_BH * MAX_BW>;
  for (var k = 0u; k < BH * BW; k++) { acc[k] = 0.0; }

  var seg: array<f32, MAX_SEG>;
  for (var m = 0u; m < MULT; m++) {
    let co = c * MULT + m;
    let dy_plane = (n * p.cout + co) * p.oh * p.ow;
    let w_base = co * KH * KW;
    for (var r = 0u; r < SEG_H; r++) {
      let oh = oh_first + i32(r);
      let row_inside = oh >= 0 && oh < i32(p.oh);    // rows past dy's edge read as zeros
      let row = dy_plane + u32(clamp(oh, 0, i32(p.oh) - 1)) * p.ow;
      for (var s = 0u; s < SEG_W; s++) {
        let ow = ow_first + i32(s);
        seg[s] = select(0.0, dy[row + u32(max(ow, 0))], row_inside && ow >= 0 && ow < i32(p.ow));
      }
      // dx row i meets dy row r through kernel row kh where i + PH - kh DH = SH (FH + r).
      for (var i = 0u; i < BH; i++) {
        let t = i32(i) + PAD_H - STRIDE_H * (FH + i32(r));
        if (t >= 0 && t % DIL_H == 0 && t / DIL_H < i32(KH)) {
          let kh = u32(t / DIL_H);
          for (var kw = 0u; kw < KW; kw++) {
            let wv = w[w_base + kh * KW + kw];
            for (var j = 0u; j < BW; j++) {
              let e = i32(j) + PAD_W - i32(kw) * DIL_W;
              if (e % STRIDE_W == 0) {
                acc[i * BW + j] = fma(seg[u32(e / STRIDE_W - FW)], wv, acc[i * BW + j]);
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
