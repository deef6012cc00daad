// Depthwise conv2d 3x3, stride 1, dilation 1, column padding 1 (and, with TRANSPOSED, its input
// gradient: the same gather with the kernel flipped), version 05: each invocation owns a strip of
// V vec4s (4 V columns) of p.bh output rows and streams down it: every source row is loaded once, as
// V aligned vec4s plus the neighbouring vec4 on each side (skipped at the plane's edges), and
// added, shifted left / centre / right, into the three output rows it touches, held in three
// rolling accumulator rows (a0 completes and is stored, then a0 <- a1 <- a2). No workgroup
// memory, no barriers, no per-element indices, no dynamically indexed arrays (the V loops have a
// constant trip count and unroll, so the arrays live in registers):
//   forward:    y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] src[n, co / M, oh - PH + kh, ow - 1 + kw]
//   TRANSPOSED: dx[n, c, ih, iw] = sum_{kh, kw} w[c, 0, 2 - kh, 2 - kw] dy[n, c, ih - (2 - PH) + kh, iw - 1 + kw]
//               (M = 1; PAD_H is then 2 - PH)
// On llvmpipe a storage-buffer access costs per lane about the same for a vec4 as for an f32, so
// what counts is accesses per output vec4: (V + 2) / V loads (the side vec4s only inside the
// plane) and 1 store, against the copy probe's 1 and 1; the 9 taps are SIMD FMAs across lanes.
// Needs widths that are multiples of 4 (src and out have the same width). The row buffer xs is
// zeroed explicitly each row: left to its declaration's implicit zero inside the loop, rows
// outside the plane kept the previous row's values on llvmpipe (the tests caught it).
//
// Measured (llvmpipe, 2 cores, 8x144x56x56, pad 1, % of the copy probe's GB/s for the same bytes,
// timed round-robin from a cold cache by bench/depthwise.ts, 3 runs at load average 23-25,
// 2026-12-07): forward 90/96/146%, dx 78/128/143%, against version 03's 42-74% and 37-70% and
// the deleted version 04's 33% / 49% in one run (strips of 2 vec4s and 7 rows: 4 loads per 2
// output vec4s, and its accumulators in a private array indexed by a row variable).
//
// Buffers:  src [N, SRC_C, SH_, W] as vec4s, w [M C, 1, 3, 3], bias [M C] (read only if HAS_BIAS),
//           out [N, OUT_C, OH_, W] as vec4s; all f32.
// Dispatch: (ceil(strips / WG_X), ceil(OH_ / p.bh), ceil(planes / WG_Z)) workgroups of WG_X x 1 x WG_Z,
//           strips = ceil(W / (4 V)), planes = N OUT_C counted from p.plane0 (p.planes of them).
// Launched by src/ops/depthwise_kernels.ts.

override WG_X: u32 = 2u;
override WG_Z: u32 = 16u;
override V: u32 = 7u;             // output vec4s per invocation along the row (at most MAX_V)
override PAD_H: u32 = 1u;         // 0, 1 or 2
override MULT: u32 = 1u;
override TRANSPOSED: bool = false;
override HAS_BIAS: bool = false;

const MAX_V = 8u;

struct Params {
  src_h: u32, out_h: u32,        // source and output rows
  w4: u32,                       // vec4s per row (source and output)
  src_c: u32, out_c: u32,        // channels of src and out
  plane0: u32,                   // first plane n OUT_C + c of this dispatch
  planes: u32,                   // planes in this dispatch
  bh: u32,                       // output rows per invocation
}

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(4) var<uniform> p: Params;

// One kernel row (k.x left, k.y centre, k.z right) applied to a source row's three shifts.
fn taps(l: vec4f, c: vec4f, r: vec4f, k: vec3f) -> vec4f {
  return fma(l, vec4f(k.x), fma(c, vec4f(k.y), r * k.z));
}

// Kernel row kh of channel c's 3x3 taps, flipped (row 2 - kh, reversed) when TRANSPOSED.
fn kernel_row(c: u32, kh: u32) -> vec3f {
  let t = c * 9u + select(kh, 2u - kh, TRANSPOSED) * 3u;
  let k = vec3f(w[t], w[t + 1u], w[t + 2u]);
  return select(k, k.zyx, TRANSPOSED);
}

@compute @workgroup_size(WG_X, 1, WG_Z)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let v0 = gid.x * V;                                // first output vec4 of the strip
  let oh0 = gid.y * p.bh;
  if (gid.z >= p.planes || v0 >= p.w4 || oh0 >= p.out_h) { return; }
  let plane = p.plane0 + gid.z;                      // n OUT_C + c
  let n = plane / p.out_c;
  let c = plane - n * p.out_c;
  let src_plane = (n * p.src_c + select(c / MULT, c, TRANSPOSED)) * p.src_h * p.w4;
  let rows = min(p.bh, p.out_h - oh0);
  let k0 = kernel_row(c, 0u);
  let k1 = kernel_row(c, 1u);
  let k2 = kernel_row(c, 2u);
  let b0 = vec4f(select(0.0, bias[c], HAS_BIAS));

  // a0, a1, a2: output rows r - 2, r - 1 and r (local) while source row r streams by.
  var a0: array<vec4f, MAX_V>;
  var a1: array<vec4f, MAX_V>;
  var a2: array<vec4f, MAX_V>;
  for (var r = 0u; r < rows + 2u; r++) {
    // xs[1 + v]: source vec4 v0 + v of row ih; xs[0], xs[V + 1]: its neighbours (zero outside the plane).
    var xs: array<vec4f, MAX_V + 2u>;
    for (var v = 0u; v < V + 2u; v++) { xs[v] = vec4f(0.0); }
    let ih = i32(oh0 + r) - i32(PAD_H);
    if (ih >= 0 && ih < i32(p.src_h)) {
      let row4 = src_plane + u32(ih) * p.w4 + v0;
      if (v0 > 0u) { xs[0] = src[row4 - 1u]; }
      for (var v = 0u; v < V; v++) {
        if (v0 + v < p.w4) { xs[v + 1u] = src[row4 + v]; }
      }
      if (v0 + V < p.w4) { xs[V + 1u] = src[row4 + V]; }
    }
    for (var v = 0u; v < V; v++) {
      let cv = xs[v + 1u];
      let lv = vec4f(xs[v].w, cv.xyz);
      let rv = vec4f(cv.yzw, xs[v + 2u].x);
      a0[v] += taps(lv, cv, rv, k2);
      a1[v] += taps(lv, cv, rv, k1);
      a2[v] = b0 + taps(lv, cv, rv, k0);
    }
    if (r >= 2u) {
      let o4 = (plane * p.out_h + oh0 + r - 2u) * p.w4 + v0;
      for (var v = 0u; v < V; v++) {
        if (v0 + v < p.w4) { out[o4 + v] = a0[v]; }
      }
    }
    a0 = a1;
    a1 = a2;
  }
}
