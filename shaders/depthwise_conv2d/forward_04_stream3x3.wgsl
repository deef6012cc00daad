// Depthwise conv2d 3x3, stride 1, dilation 1, column padding 1 (and, with TRANSPOSED, its input
// gradient, the kernel flipped), version 04: each invocation streams down a strip of 8 columns
// (two vec4s) and BH rows, loading each source row once as 4 aligned vec4s (columns ow0 - 4 ..
// ow0 + 11) and adding it, shifted left / centre / right as whole vec4s, into the up to 3 output
// rows it touches; accumulators are 2 BH vec4s, no private float arrays, no per-element indices:
//   forward:    y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] src[n, co / M, oh - PH + kh, ow - 1 + kw]
//   TRANSPOSED: dx[n, c, ih, iw] = sum_{kh, kw} w[c, 0, 2 - kh, 2 - kw] dy[n, c, ih - (2 - PH) + kh, iw - 1 + kw]
//               (M = 1; PAD_H is then 2 - PH)
// The launcher picks BH and a workgroup of WG_X x WG_Y that covers a 56x56 plane exactly
// (7 x 8 invocations of 8 x 7 outputs: 56 lanes, 7 full 8-wide SIMD rows on llvmpipe), where
// version 03's power-of-two workgroups leave 1/8 of the columns and rows idle.
// Needs source and output widths that are multiples of 4 (rows start on vec4s).
// Measured (llvmpipe, 2 cores, heavily loaded, 8x144x56x56, pad 1, % of the vec4 copy probe's GB/s
// timed in the same round-robin beside version 03, 11 runs, 2026-12-07): forward 35-63% (median 52)
// run first after the probe, 60-77% run second, against 03's 45-51% first and 44-75% (median 53)
// second (the slot right after the copy probe runs slowest: compare like slots); dx 48-80%
// (median 61) against 03's 45-79% (median 59): a tie within this machine's noise. Tried and lost:
// x lanes down the plane and y across (8 x 7), forward 31-40% against 03's 38-68%.
//
// Buffers:  src [N, SRC_C, SH_, SW_] as vec4s, w [M C, 1, 3, 3], bias [M C] (read only if HAS_BIAS),
//           out [N, OUT_C, OH_, OW_] as vec4s; all f32.
// Dispatch: (ceil(OW_ / (8 WG_X)), ceil(OH_ / (BH WG_Y)), planes) workgroups of WG_X x WG_Y,
//           planes = N OUT_C counted from p.plane0 (at most 65535 per dispatch).
// Launched by src/ops/depthwise_kernels.ts.

override WG_X: u32 = 7u;
override WG_Y: u32 = 8u;
override PAD_H: u32 = 1u;
override MULT: u32 = 1u;
override TRANSPOSED: bool = false;
override HAS_BIAS: bool = false;
override BH: u32 = 7u;            // output rows per invocation (at most MAX_BH)

const MAX_BH = 8u;

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

// acc[2 i], acc[2 i + 1]: output row i's two vec4s.
var<private> acc: array<vec4f, 2u * MAX_BH>;

// src[row4 + v], zero where column 4 v' + (0..3) of col4 (in vec4s) or the row is outside the plane.
fn load4(row4: u32, col4: i32, row_inside: bool) -> vec4f {
  let inside = row_inside && col4 >= 0 && col4 < i32(p.src_w / 4u);
  return select(vec4f(0.0), src[row4 + u32(max(col4, 0))], inside);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let plane = p.plane0 + wg.z;                       // n OUT_C + c, the same for the whole workgroup
  let n = plane / p.out_c;
  let c = plane - n * p.out_c;
  let oh0 = (wg.y * WG_Y + lid.y) * BH;
  let v0 = i32((wg.x * WG_X + lid.x) * 2u);          // first output vec4 of the strip
  let src_c = select(c / MULT, c, TRANSPOSED);
  let plane4 = (n * p.src_c + src_c) * (p.src_h * p.src_w / 4u);

  // The 9 taps as 3 rows (left, centre, right), flipped when TRANSPOSED.
  var wl: array<f32, 3>;
  var wc: array<f32, 3>;
  var wr: array<f32, 3>;
  for (var kh = 0u; kh < 3u; kh++) {
    let r = select(kh, 2u - kh, TRANSPOSED);
    let t0 = c * 9u + r * 3u;
    wl[kh] = select(w[t0], w[t0 + 2u], TRANSPOSED);
    wc[kh] = w[t0 + 1u];
    wr[kh] = select(w[t0 + 2u], w[t0], TRANSPOSED);
  }
  let b0 = vec4f(select(0.0, bias[c], HAS_BIAS));
  for (var k = 0u; k < 2u * BH; k++) { acc[k] = b0; }

  // Source row r (of BH + 2) is ih = oh0 - PAD_H + r; it feeds output rows i = r - kh, kh = 0..2.
  for (var r = 0u; r < BH + 2u; r++) {
    let ih = i32(oh0 + r) - i32(PAD_H);
    let row_inside = ih >= 0 && ih < i32(p.src_h);
    let row4 = plane4 + u32(clamp(ih, 0, i32(p.src_h) - 1)) * (p.src_w / 4u);
    let a = load4(row4, v0 - 1, row_inside);
    let b = load4(row4, v0, row_inside);
    let e = load4(row4, v0 + 1, row_inside);
    let d = load4(row4, v0 + 2, row_inside);
    // Columns ow - 1 (left) and ow + 1 (right) for the strip's two output vec4s.
    let l0 = vec4f(a.w, b.x, b.y, b.z);
    let r0 = vec4f(b.y, b.z, b.w, e.x);
    let l1 = vec4f(b.w, e.x, e.y, e.z);
    let r1 = vec4f(e.y, e.z, e.w, d.x);
    for (var kh = 0u; kh < 3u; kh++) {
      let i = i32(r) - i32(kh);
      if (i >= 0 && i < i32(BH)) {
        let k = 2u * u32(i);
        acc[k] = fma(l0, vec4f(wl[kh]), fma(b, vec4f(wc[kh]), fma(r0, vec4f(wr[kh]), acc[k])));
        acc[k + 1u] = fma(l1, vec4f(wl[kh]), fma(e, vec4f(wc[kh]), fma(r1, vec4f(wr[kh]), acc[k + 1u])));
      }
    }
  }

  let ow4 = p.out_w / 4u;
  let out4 = plane * (p.out_h * ow4) + u32(v0);
  for (var i = 0u; i < BH; i++) {
    let oh = oh0 + i;
    if (oh < p.out_h) {
      if (u32(v0) < ow4) { out[out4 + oh * ow4] = acc[2u * i]; }
      if (u32(v0) + 1u < ow4) { out[out4 + oh * ow4 + 1u] = acc[2u * i + 1u]; }
    }
  }
}
