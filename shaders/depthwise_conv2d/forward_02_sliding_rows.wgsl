// Depthwise conv2d forward, version 02: register tiles whose loop carries no branches. With
// M = MULT output channels per input channel (groups = C, Cout = M C):
//   y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] x[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
// Each invocation computes a BH x BW tile of one output plane. Why not version 01: llvmpipe runs
// both sides of every branch under a lane mask (it never jumps over an if), so 01's tests of
// which (output row, kernel row) pairs meet an input row cost their full body whenever the
// compiler does not unroll the row loop (5x5 and 7x7 kernels): every weight load and FMA of
// every pair, taken or not. Here the loop runs over kernel rows kh and every step is useful:
// output row i reads input row i SH + kh DH, held in rows[i]; when SH = DH (stride 1, no
// dilation) the rows slide: step kh + 1 needs rows[i + 1] of step kh, so it loads one new
// row of SEG_W values instead of BH (3x3, 4 x 4 tile: 36 + 9 weight loads for 16 outputs).
// Weights are per-lane loads too on llvmpipe (an address is uniform to it only when it is a
// compile-time constant), so each is loaded once per tile. Plane (n, co) from the workgroup's z.
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad 1, CPU time beside the vec4 copy probe in one
// round-robin, 2026-12-07): 3x3 stride 1 39-47% of the probe's GB/s; 7x7 (96 channels) 15%, 01 12%.
//
// Buffers:  x [N, C, H, W], w [M C, 1, KH, KW], bias [M C] (read only if HAS_BIAS),
//           y [N, M C, OH, OW]; all f32.
// Dispatch: (ceil(OW / (BW WG_X)), ceil(OH / (BH WG_Y)), planes) workgroups of WG_X x WG_Y, where
//           planes = N M C counted from p.plane0 (at most 65535 per dispatch).
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
override HAS_BIAS: bool = false;
override BH: u32 = 2u;            // output rows per invocation (at most MAX_BH)
override BW: u32 = 4u;            // output columns per invocation (at most MAX_BW)
override SEG_W: u32 = (BW - 1u) * STRIDE_W + (KW - 1u) * DIL_W + 1u;   // at most MAX_SEG
override SLIDE: bool = STRIDE_H == DIL_H;

const MAX_BH = 4u;
const MAX_BW = 8u;
const MAX_SEG = 64u;

struct Params {
  h: u32, w: u32,          // input plane
  oh: u32, ow: u32,        // output plane
  cin: u32, cout: u32,     // C and M C
  plane0: u32,             // first plane n Cout + co of this dispatch
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

// rows[i]: the SEG_W input values output row i reads at the current kernel row.
var<private> rows: array<array<f32, MAX_SEG>, MAX_BH>;

// rows[slot] = x[plane at x_plane, row ih, columns iw0 ..< iw0 + SEG_W], zeros outside the plane.
fn load_row(slot: u32, x_plane: u32, ih: i32, iw0: i32) {
  let row_inside = ih >= 0 && ih < i32(p.h);
  let row = x_plane + u32(clamp(ih, 0, i32(p.h) - 1)) * p.w;
  for (var s = 0u; s < SEG_W; s++) {
    let iw = iw0 + i32(s);
    rows[slot][s] = select(0.0, x[row + u32(max(iw, 0))], row_inside && iw >= 0 && iw < i32(p.w));
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let plane = p.plane0 + wg.z;                       // n Cout + co, the same for the whole workgroup
  let n = plane / p.cout;
  let co = plane - n * p.cout;
  let oh0 = (wg.y * WG_Y + lid.y) * BH;
  let ow0 = (wg.x * WG_X + lid.x) * BW;
  // Invocations past the plane compute padding and store nothing (no early return: the weight loads stay uniform).
  let x_plane = (n * p.cin + co / MULT) * p.h * p.w;
  let w_base = co * KH * KW;
  let ih0 = i32(oh0 * STRIDE_H) - i32(PAD_H);
  let iw0 = i32(ow0 * STRIDE_W) - i32(PAD_W);

  var acc: array<f32, MAX_BH * MAX_BW>;
  let b0 = select(0.0, bias[co], HAS_BIAS);
  for (var k = 0u; k < BH * BW; k++) { acc[k] = b0; }

  if (SLIDE) {
    for (var i = 0u; i + 1u < BH; i++) { load_row(i, x_plane, ih0 + i32(i * STRIDE_H), iw0); }
  }
  for (var kh = 0u; kh < KH; kh++) {
    if (SLIDE) {
      load_row(BH - 1u, x_plane, ih0 + i32((BH - 1u) * STRIDE_H + kh * DIL_H), iw0);
    } else {
      for (var i = 0u; i < BH; i++) { load_row(i, x_plane, ih0 + i32(i * STRIDE_H + kh * DIL_H), iw0); }
    }
    for (var kw = 0u; kw < KW; kw++) {
      let wv = w[w_base + kh * KW + kw];
      for (var i = 0u; i < BH; i++) {
        for (var j = 0u; j < BW; j++) {
          acc[i * BW + j] = fma(rows[i][j * STRIDE_W + kw * DIL_W], wv, acc[i * BW + j]);
        }
      }
    }
    if (SLIDE) {
      for (var i = 0u; i + 1u < BH; i++) { rows[i] = rows[i + 1u]; }
    }
  }

  let y_plane = plane * p.oh * p.ow;
  for (var i = 0u; i < BH; i++) {
    let oh = oh0 + i;
    for (var j = 0u; j < BW; j++) {
      if (oh < p.oh && ow0 + j < p.ow) { y[y_plane + oh * p.ow + ow0 + j] = acc[i * BW + j]; }
    }
  }
}
