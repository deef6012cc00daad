// cross_entropy_forward: per-sample cross-entropy of logits against class indices, with label
// smoothing eps, computed stably from the log-sum-exp (lse = m + log sum_c exp(x_c - m)):
//   loss = (1 - eps) (lse - x_t) + (eps / C) sum_c (lse - x_c)
// Samples whose target is IGNORE get loss 0 and weight 0; a target outside [0, C) gives NaN and
// raises a device-side assert: the launch's assert id (`site`), the first such target and C are
// recorded in `asserts`, and reading what depends on it throws (src/gpu/asserts.ts). The launcher rejects
// out-of-range targets it can see before any GPU work; this catches targets made on the GPU.
// Logits read as [N, C, inner] (PyTorch's class dimension 1; inner = product of extra dims).
//
// Buffers:  x [N, C, inner] f32, labels [N, inner] i32, loss [N, inner] f32, valid [N, inner] f32,
//           asserts [8] u32 (max failed id, ~min failed id, flag, first id, bad value, C, unused x2)
// Dispatch: one invocation per sample (N * inner), workgroups of WG (2-D past 65535).
// Launched by src/ops/loss.ts; gradient in cross_entropy_backward.wgsl.

override WG: u32 = 256u;

struct Params {
  samples: u32,
  classes: u32,
  inner: u32,
  ignore: i32,
  smoothing: f32,
  site: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> valid: array<f32>;
@group(0) @binding(4) var<storage, read_write> asserts: array<atomic<u32>, 8>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let s = (wg.y * groups.x + wg.x) * WG + lid;
  if (s >= p.samples) { return; }
  let t = labels[s];
  if (t == p.ignore) {
    loss[s] = 0.0;
    valid[s] = 0.0;
    return;
  }
  valid[s] = 1.0;
  if (t < 0 || u32(t) >= p.classes) {
    loss[s] = bitcast<f32>(0x7fc00000u | (u32(s) & 0u));   // NaN: bad target
    atomicMax(&asserts[0], p.site);
    atomicMax(&asserts[1], ~p.site);
    if (atomicExchange(&asserts[2], 1u) == 0u) {   // the first bad target is reported
      atomicStore(&asserts[3], p.site);
      atomicStore(&asserts[4], bitcast<u32>(t));
      atomicStore(&asserts[5], p.classes);
    }
    return;
  }
  let base = (s / p.inner) * p.classes * p.inner + s % p.inner;
  var m = -0x1.fffffep+127f;   // the lowest f32 (a constant -inf is a WGSL error)
  for (var c = 0u; c < p.classes; c++) { m = max(m, x[base + c * p.inner]); }
  var total = 0.0;
  var sum_x = 0.0;
  for (var c = 0u; c < p.classes; c++) {
    let v = x[base + c * p.inner];
    total += exp(v - m);
    sum_x += v;
  }
  let lse = m + log(total);
  let nll = lse - x[base + u32(t) * p.inner];
  let spread = lse - sum_x / f32(p.classes);   // mean over classes of (lse - x_c)
  // NOTE: without smoothing the spread term is left out, not multiplied by 0: a logit of -inf
  // makes it infinite, and 0 * inf would turn a finite loss into NaN (PyTorch gives the loss).
  loss[s] = select((1.0 - p.smoothing) * nll + p.smoothing * spread, nll, p.smoothing == 0.0);
}
