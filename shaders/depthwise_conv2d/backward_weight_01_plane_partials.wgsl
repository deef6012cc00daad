// Depthwise conv2d, gradients of the weight and bias, pass 1 of 2, version 01: one workgroup per
// plane (n, co) sums that plane's share of
//   dw[co, 0, kh, kw] = sum_{n, oh, ow} dy[n, co, oh, ow] x[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
//   db[co]            = sum_{n, oh, ow} dy[n, co, oh, ow]
// into partial[n Cout + co, TAPS + 1] (the KH KW taps, then the bias). Each invocation walks BH x BW
// tiles of dy (tile columns lid.x, lid.x + WG_X, ...; rows likewise), loading each x value of a
// tile's SEG_H x SEG_W window once (as the forward does) and keeping the TAPS + 1 sums in
// registers; then every invocation writes its sums to workgroup memory and, after one barrier,
// invocation t adds up tap t's WG_X WG_Y values in a fixed order. No atomics: the result is
// deterministic. Pass 2 (backward_weight_sum.wgsl) adds the N planes of each channel.
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad 1, CPU time beside the vec4 copy probe in one
// round-robin, 2026-12-07): 3x3 stride 1 27-36% of the probe's GB/s (a fifth of it in the
// workgroup reduction), stride 2 ~45%.
//
// Buffers:  x [N, C, H, W], dy [N, M C, OH, OW], partial [N M C, TAPS + 1]; all f32.
// Dispatch: (1, 1, planes) workgroups of WG_X x WG_Y, planes = N M C counted from p.plane0
//           (at most 65535 per dispatch).
// Launched by src/ops/depthwise_weight_kernels.ts.

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DIL_H: u32 = 1u;
override DIL_W: u32 = 1u;
override PAD_H: u32 = 0u;
override PAD_W: u32 = 0u;
override MULT: u32 = 1u;
override BH: u32 = 2u;            // dy rows per tile (at most MAX_BH)
override BW: u32 = 4u;            // dy columns per tile (at most MAX_BW)
override SEG_H: u32 = (BH - 1u) * STRIDE_H + (KH - 1u) * DIL_H + 1u;
override SEG_W: u32 = (BW - 1u) * STRIDE_W + (KW - 1u) * DIL_W + 1u;   // at most MAX_SEG
override TAPS: u32 = KH * KW;     // at most MAX_TAPS

const MAX_BH = 4u;
const MAX_BW = 8u;
const MAX_SEG = 64u;
const MAX_TAPS = 121u;

struct Params {
  h: u32, w: u32,          // input plane
  oh: u32, ow: u32,        // output plane
  cin: u32, cout: u32,     // C and M C
  plane0: u32,             // first plane n Cout + co of this dispatch
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> sums: array<f32, (TAPS + 1u) * WG_X * WG_Y>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let plane = p.plane0 + wg.z;                       // n Cout + co
  let n = plane / p.cout;
  let co = plane - n * p.cout;
  let x_plane = (n * p.cin + co / MULT) * p.h * p.w;
  let dy_plane = plane * p.oh * p.ow;

  var acc: array<f32, MAX_TAPS + 1u>;
  for (var t = 0u; t <= TAPS; t++) { acc[t] = 0.0; }
  var g: array<f32, MAX_BH * MAX_BW>;
  var seg: array<f32, MAX_SEG>;

  for (var oh0 = lid.y * BH; oh0 < p.oh; oh0 += WG_Y * BH) {
    for (var ow0 = lid.x * BW; ow0 < p.ow; ow0 += WG_X * BW) {
      // The dy tile (0 past the plane's edge), and its contribution to the bias.
      for (var i = 0u; i < BH; i++) {
        let oh = oh0 + i;
        for (var j = 0u; j < BW; j++) {
          let ow = ow0 + j;
          let v = select(0.0, dy[dy_plane + min(oh, p.oh - 1u) * p.ow + min(ow, p.ow - 1u)], oh < p.oh && ow < p.ow);
          g[i * BW + j] = v;
          acc[TAPS] += v;
        }
      }
      let ih0 = i32(oh0 * STRIDE_H) - i32(PAD_H);
      let iw0 = i32(ow0 * STRIDE_W) - i32(PAD_W);
      for (var r = 0u; r < SEG_H; r++) {
        let ih = ih0 + i32(r);
        let row_inside = ih >= 0 && ih < i32(p.h);   // a padding row reads as zeros
        let row = x_plane + u32(clamp(ih, 0, i32(p.h) - 1)) * p.w;
        for (var s = 0u; s < SEG_W; s++) {
          let iw = iw0 + i32(s);
          seg[s] = select(0.0, x[row + u32(max(iw, 0))], row_inside && iw >= 0 && iw < i32(p.w));
        }
        // dy row i meets this x row through kernel row kh where r = i SH + kh DH.
        for (var i = 0u; i < BH; i++) {
          let d = r - i * STRIDE_H;
          if (r >= i * STRIDE_H && d % DIL_H == 0u && d / DIL_H < KH) {
            let kh = d / DIL_H;
            for (var kw = 0u; kw < KW; kw++) {
              var a = acc[kh * KW + kw];
              for (var j = 0u; j < BW; j++) { a = fma(g[i * BW + j], seg[j * STRIDE_W + kw * DIL_W], a); }
              acc[kh * KW + kw] = a;
            }
          }
        }
      }
    }
  }

  // Workgroup reduction: tap t's sums at sums[t WG + lane], added by invocation t in lane order.
  let wg_size = WG_X * WG_Y;
  for (var t = 0u; t <= TAPS; t++) { sums[t * wg_size + li] = acc[t]; }
  workgroupBarrier();
  for (var t = li; t <= TAPS; t += wg_size) {
    var total = 0.0;
    for (var l = 0u; l < wg_size; l++) { total += sums[t * wg_size + l]; }
    partial[plane * (TAPS + 1u) + t] = total;
  }
}
