// Depthwise conv2d, gradients of the weight and bias, pass 1 of 2, version 03: vec4 column strips
// with shifted row windows.
//   dw[co, 0, kh, kw] = sum_{n, oh, ow} dy[n, co, oh, ow] x[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
//   db[co]            = sum_{n, oh, ow} dy[n, co, oh, ow]
// One invocation per strip of BW output columns of one plane, walking down its OH rows with the
// KH KW + 1 sums in registers, no branches, vec4 loads; the x row windows of consecutive dy rows
// are reused at every stride that is a multiple of the dilation: dy row oh + 1 meets the x rows
// of row oh shifted by SHIFT = SH / DH kernel rows, so each step keeps KH - SHIFT windows and
// loads SHIFT new ones (3x3 stride 2: 2 rows per step instead of the 3 of version 02, which
// reloaded all rows at strides above 1 and was deleted: this version ties it at stride 1). Other
// strides load all KH rows. Writes partial[n Cout + co, strip, TAPS + 1]; pass 2
// (backward_weight_sum.wgsl) adds strips and samples in a fixed order. Deterministic. Needs W and
// OW multiples of 4; otherwise version 01 runs.
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad k/2, round-robin beside version 02 and the vec4
// copy probe, 2026-12-07, machine loaded by other jobs, 3 runs): 3x3 stride 2 74/95/121% of the
// probe's GB/s (02: 53/62/74%), 5x5 stride 2 47% (02: 31%); stride 1 as 02 (within the noise).
//
// Buffers:  x [N, C, H, W] as vec4s, dy [N, M C, OH, OW] as vec4s, partial [N M C, STRIPS, TAPS + 1]; f32.
// Dispatch: (ceil(STRIPS / WG_X), 1, planes) workgroups of WG_X, STRIPS = ceil(OW / BW),
//           planes = N M C counted from p.plane0 (at most 65535 per dispatch).
// Launched by src/ops/depthwise_weight_kernels.ts.

override WG_X: u32 = 8u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DIL_H: u32 = 1u;
override DIL_W: u32 = 1u;
override PAD_H: u32 = 0u;
override PAD_W: u32 = 0u;
override MULT: u32 = 1u;
override BW: u32 = 8u;            // dy columns per strip, a multiple of 4 (at most MAX_BW)
override SEG_W: u32 = (BW - 1u) * STRIDE_W + (KW - 1u) * DIL_W + 1u;
override LEAD: u32 = (PAD_W + 3u) / 4u * 4u;   // the x window starts LEAD columns before ow0 SW
override OFF: u32 = LEAD - PAD_W;              // where the SEG_W values start in the window
override NV: u32 = (OFF + SEG_W + 3u) / 4u;    // vec4s per x row window (at most MAX_V)
// Kernel rows the window moves per dy row, when the stride is a multiple of the dilation and
// less than the kernel's reach (else 0: every row loads all KH windows).
override SHIFT: u32 = select(0u, STRIDE_H / DIL_H, STRIDE_H % DIL_H == 0u && STRIDE_H / DIL_H < KH);
override KEEP: u32 = select(0u, KH - SHIFT, SHIFT > 0u);
override TAPS: u32 = KH * KW;     // at most MAX_TAPS

const MAX_KH = 11u;
const MAX_BW = 8u;
const MAX_V = 8u;
const MAX_TAPS = 121u;

struct Params {
  h: u32, w: u32,          // input plane
  oh: u32, ow: u32,        // output plane
  cin: u32, cout: u32,     // C and M C
  plane0: u32,             // first plane n Cout + co of this dispatch
  strips: u32,             // ceil(OW / BW)
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// rows[kh]: the x row window the current dy row meets through kernel row kh.
var<private> rows: array<array<f32, MAX_V * 4u>, MAX_KH>;

// rows[slot] = x[plane at plane4 (in vec4s), row ih, columns col0 ..< col0 + 4 NV], zeros outside.
fn load_row(slot: u32, plane4: u32, ih: i32, col0: i32) {
  let row_inside = ih >= 0 && ih < i32(p.h);
  let row4 = plane4 + u32(clamp(ih, 0, i32(p.h) - 1)) * (p.w / 4u);
  for (var v = 0u; v < NV; v++) {
    let col = col0 + i32(4u * v);
    let cols = vec4i(col) + vec4i(0, 1, 2, 3);
    let inside = (cols >= vec4i(0)) & (cols < vec4i(i32(p.w))) & vec4<bool>(row_inside);
    let q = select(vec4f(0.0), x[row4 + u32(max(col, 0)) / 4u], inside);
    rows[slot][4u * v] = q.x;
    rows[slot][4u * v + 1u] = q.y;
    rows[slot][4u * v + 2u] = q.z;
    rows[slot][4u * v + 3u] = q.w;
  }
}

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let plane = p.plane0 + wg.z;                       // n Cout + co
  let n = plane / p.cout;
  let co = plane - n * p.cout;
  let strip = wg.x * WG_X + lid.x;
  let ow0 = strip * BW;                              // strips past the plane read zeros, store nothing
  let x_plane4 = (n * p.cin + co / MULT) * (p.h * p.w / 4u);
  let dy_plane4 = plane * (p.oh * p.ow / 4u);
  let col0 = i32(ow0 * STRIDE_W) - i32(LEAD);

  var acc: array<f32, MAX_TAPS + 1u>;
  for (var t = 0u; t <= TAPS; t++) { acc[t] = 0.0; }
  var g: array<f32, MAX_BW>;

  // The windows the first dy row shares with the rows before it (none): load them up front.
  for (var kh = 0u; kh < KEEP; kh++) { load_row(kh, x_plane4, i32(kh * DIL_H) - i32(PAD_H), col0); }
  for (var oh = 0u; oh < p.oh; oh++) {
    // This dy row's strip (zeros past the plane's edge) and its contribution to the bias.
    for (var v = 0u; v < BW / 4u; v++) {
      let cols = vec4u(ow0 + 4u * v) + vec4u(0u, 1u, 2u, 3u);
      let q = select(vec4f(0.0), dy[dy_plane4 + oh * (p.ow / 4u) + min(ow0 / 4u + v, p.ow / 4u - 1u)], cols < vec4u(p.ow));
      g[4u * v] = q.x;
      g[4u * v + 1u] = q.y;
      g[4u * v + 2u] = q.z;
      g[4u * v + 3u] = q.w;
      acc[TAPS] += q.x + q.y + q.z + q.w;
    }
    let ih0 = i32(oh * STRIDE_H) - i32(PAD_H);
    for (var kh = KEEP; kh < KH; kh++) { load_row(kh, x_plane4, ih0 + i32(kh * DIL_H), col0); }
    for (var kh = 0u; kh < KH; kh++) {
      for (var kw = 0u; kw < KW; kw++) {
        var a = acc[kh * KW + kw];
        for (var j = 0u; j < BW; j++) { a = fma(g[j], rows[kh][OFF + j * STRIDE_W + kw * DIL_W], a); }
        acc[kh * KW + kw] = a;
      }
    }
    for (var kh = 0u; kh < KEEP; kh++) { rows[kh] = rows[kh + SHIFT]; }
  }

  if (strip < p.strips) {
    let base = (plane * p.strips + strip) * (TAPS + 1u);
    for (var t = 0u; t <= TAPS; t++) { partial[base + t] = acc[t]; }
  }
}
