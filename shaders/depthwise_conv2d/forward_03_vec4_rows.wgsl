// Depthwise conv2d forward (and, with TRANSPOSED, its input gradient at stride 1), version 03:
// version 02's sliding rows, read and written as vec4s. With M = MULT output channels per
// input channel:
//   forward:    y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] src[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
//   TRANSPOSED: dx[n, c, ih, iw] = sum_{m, kh, kw} w[c M + m, 0, KH-1-kh, KW-1-kw] dy[n, c M + m, ih - P'H + kh DH, iw - P'W + kw DW]
//               (stride 1 only; P' = (K - 1) D - P, passed as PAD_H, PAD_W)
// On llvmpipe every load from a storage buffer is a per-lane gather with a bounds check per lane,
// and a vec4 load costs about as much as one f32 load: the vec4 copy probe moves ~2.7x more
// bytes per second than scalar loads do. So each tile row reads NV aligned vec4s covering its
// SEG_W source values (the first starting 4 ceil(PW / 4) before ow0 SW, ow0 a multiple of 4),
// and each tile row of outputs is stored as BW / 4 vec4s. Needs source and output widths that
// are multiples of 4 (each row starts on a vec4); otherwise version 02 runs.
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad k/2, CPU time beside the vec4 copy probe in one
// round-robin, 2026-12-07): 3x3 stride 1 53-60% of the probe's GB/s (02: 39-47%), stride 2 50-59%
// (01 wins there and runs strided forwards);
// as dx, 3x3 55-61%; 5x5 33-42%; 7x7 (96 channels) 21-25%, where the 49 FMAs per output weigh
// more than the loads (weights loaded as vec4 rows of a padded copy gained nothing).
//
// Buffers:  src [N, SRC_C, SH_, SW_] as vec4s, w [M C, 1, KH, KW], bias [M C] (read only if HAS_BIAS),
//           out [N, OUT_C, OH_, OW_] as vec4s; all f32.
// Dispatch: (ceil(OW_ / (BW WG_X)), ceil(OH_ / (BH WG_Y)), planes) workgroups of WG_X x WG_Y,
//           planes = N OUT_C counted from p.plane0 (at most 65535 per dispatch).
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
override TRANSPOSED: bool = false;
override HAS_BIAS: bool = false;
override BH: u32 = 4u;            // output rows per invocation (at most MAX_BH)
override BW: u32 = 4u;            // output columns per invocation, a multiple of 4 (at most MAX_BW)
override SEG_W: u32 = (BW - 1u) * STRIDE_W + (KW - 1u) * DIL_W + 1u;
override LEAD: u32 = (PAD_W + 3u) / 4u * 4u;   // the row window starts LEAD columns before ow0 SW
override OFF: u32 = LEAD - PAD_W;              // where the SEG_W values start in the window
override NV: u32 = (OFF + SEG_W + 3u) / 4u;    // vec4s per row window (at most MAX_V)
override SLIDE: bool = STRIDE_H % DIL_H == 0u;
override PHASES: u32 = max(STRIDE_H / DIL_H, 1u);   // kernel rows kh, kh + PHASES, ... slide
override SOURCES: u32 = 1u;       // source planes per output plane: 1, or M for TRANSPOSED

const MAX_BH = 4u;
const MAX_BW = 8u;
const MAX_V = 8u;

struct Params {
  src_h: u32, src_w: u32,        // source plane
  out_h: u32, out_w: u32,        // output plane
  src_c: u32, out_c: u32,        // channels of src and out
  plane0: u32,                   // first plane n OUT_C + c of this dispatch
}

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(4) var<uniform> p: Params;

// rows[i]: the row window output row i reads at the current kernel row; acc: the tile's sums.
var<private> rows: array<array<f32, MAX_V * 4u>, MAX_BH>;
var<private> acc: array<f32, MAX_BH * MAX_BW>;

// acc += rows (*) kernel row kh of the weights at w_base (flipped when TRANSPOSED).
fn accumulate(kh: u32, w_base: u32) {
  for (var kw = 0u; kw < KW; kw++) {
    let tap = select(kh * KW + kw, (KH - 1u - kh) * KW + (KW - 1u - kw), TRANSPOSED);
    let wv = w[w_base + tap];
    for (var i = 0u; i < BH; i++) {
      for (var j = 0u; j < BW; j++) {
        acc[i * BW + j] = fma(rows[i][OFF + j * STRIDE_W + kw * DIL_W], wv, acc[i * BW + j]);
      }
    }
  }
}

// rows[slot] = src[plane at plane4 (in vec4s), row ih, columns col0 ..< col0 + 4 NV], zeros outside the plane.
fn load_row(slot: u32, plane4: u32, ih: i32, col0: i32) {
  let row_inside = ih >= 0 && ih < i32(p.src_h);
  let row4 = plane4 + u32(clamp(ih, 0, i32(p.src_h) - 1)) * (p.src_w / 4u);
  for (var v = 0u; v < NV; v++) {
    let col = col0 + i32(4u * v);
    let cols = vec4i(col) + vec4i(0, 1, 2, 3);
    let inside = (cols >= vec4i(0)) & (cols < vec4i(i32(p.src_w))) & vec4<bool>(row_inside);
    let q = select(vec4f(0.0), src[row4 + u32(max(col, 0)) / 4u], inside);
    rows[slot][4u * v] = q.x;
    rows[slot][4u * v + 1u] = q.y;
    rows[slot][4u * v + 2u] = q.z;
    rows[slot][4u * v + 3u] = q.w;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let plane = p.plane0 + wg.z;                       // n OUT_C + c, the same for the whole workgroup
  let n = plane / p.out_c;
  let c = plane - n * p.out_c;
  let oh0 = (wg.y * WG_Y + lid.y) * BH;
  let ow0 = (wg.x * WG_X + lid.x) * BW;
  // Invocations past the plane compute padding and store nothing.
  let ih0 = i32(oh0 * STRIDE_H) - i32(PAD_H);
  let col0 = i32(ow0 * STRIDE_W) - i32(LEAD);

  let b0 = select(0.0, bias[c], HAS_BIAS);
  for (var k = 0u; k < BH * BW; k++) { acc[k] = b0; }

  for (var m = 0u; m < SOURCES; m++) {
    // forward: source channel c / M, weights of channel c; transposed: both c M + m.
    let src_c = select(c / MULT, c * MULT + m, TRANSPOSED);
    let w_base = select(c, c * MULT + m, TRANSPOSED) * KH * KW;
    let plane4 = (n * p.src_c + src_c) * (p.src_h * p.src_w / 4u);
    if (SLIDE) {
      // Output row i reads input row i SH + kh DH; with SH = Q DH, row i at kernel row kh + Q is
      // row i + 1 at kh: per phase (kh = ph, ph + Q, ...) the rows slide and each step loads one.
      for (var ph = 0u; ph < PHASES; ph++) {
        for (var i = 0u; i + 1u < BH; i++) { load_row(i, plane4, ih0 + i32(i * STRIDE_H + ph * DIL_H), col0); }
        for (var kh = ph; kh < KH; kh += PHASES) {
          load_row(BH - 1u, plane4, ih0 + i32((BH - 1u) * STRIDE_H + kh * DIL_H), col0);
          accumulate(kh, w_base);
          for (var i = 0u; i + 1u < BH; i++) { rows[i] = rows[i + 1u]; }
        }
      }
    } else {
      for (var kh = 0u; kh < KH; kh++) {
        for (var i = 0u; i < BH; i++) { load_row(i, plane4, ih0 + i32(i * STRIDE_H + kh * DIL_H), col0); }
        accumulate(kh, w_base);
      }
    }
  }

  let out4 = plane * (p.out_h * p.out_w / 4u) + ow0 / 4u;
  for (var i = 0u; i < BH; i++) {
    let oh = oh0 + i;
    for (var v = 0u; v < BW / 4u; v++) {
      let k = i * BW + 4u * v;
      if (oh < p.out_h && ow0 + 4u * v < p.out_w) {
        out[out4 + oh * (p.out_w / 4u) + v] = vec4f(acc[k], acc[k + 1u], acc[k + 2u], acc[k + 3u]);
      }
    }
  }
}
