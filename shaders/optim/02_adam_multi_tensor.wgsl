// adam_multi_tensor: one step of torch.optim.Adam / AdamW for up to SLOTS = 3 parameters of one
// group in one launch (the "multi-tensor" or foreach step), in place. Per element, as
// adam_step.wgsl, with the slot's own step t:
//   Adam:  g = g + wd p          AdamW: p = p (1 - lr wd)        (decoupled weight decay)
//   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
//   amsgrad: vmax = max(vmax, v), v_hat = vmax, else v_hat = v
//   p = p - (lr / (1 - b1^t)) m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps)
// The bias corrections are computed per slot on the CPU in float64 and passed in.
//
// Buffers:  per slot s in 0..2: param_s [n_s] (updated), grad_s [n_s], m_s, v_s [n_s] (updated),
//           vmax_s [n_s] (updated; a one-element placeholder without amsgrad). WebGPU has no
//           arrays of buffers, so the slots are separate bindings (5 x 3 = 15 storage buffers:
//           the launcher uses this kernel where the device allows 15 per stage) and each slot's
//           loads and stores sit in its own `case`.
// Uniform:  per slot its length n[s] and first workgroup wg_start[s] (slots laid end to end, each
//           padded to whole workgroups, so one workgroup serves one slot), step_size[s] and
//           bc2_sqrt[s].
// Dispatch: wg_start[SLOTS] workgroups of WG in all (2-D past 65535), one invocation per element.
// Launched by src/optim/multi_tensor.ts.

override WG: u32 = 256u;
const SLOTS: u32 = 3u;

struct Params {
  n: array<vec4u, 2>,        // elements of each slot (0 for an unused slot)
  wg_start: array<vec4u, 2>, // first workgroup of each slot; wg_start[SLOTS] = total
  step_size: vec4f,          // per slot: lr / (1 - beta1^t)
  bc2_sqrt: vec4f,           // per slot: sqrt(1 - beta2^t)
  amsgrad: u32,
  decoupled: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<storage, read_write> param0: array<f32>;
@group(0) @binding(1) var<storage, read> grad0: array<f32>;
@group(0) @binding(2) var<storage, read_write> m0: array<f32>;
@group(0) @binding(3) var<storage, read_write> v0: array<f32>;
@group(0) @binding(4) var<storage, read_write> vmax0: array<f32>;
@group(0) @binding(5) var<storage, read_write> param1: array<f32>;
@group(0) @binding(6) var<storage, read> grad1: array<f32>;
@group(0) @binding(7) var<storage, read_write> m1: array<f32>;
@group(0) @binding(8) var<storage, read_write> v1: array<f32>;
@group(0) @binding(9) var<storage, read_write> vmax1: array<f32>;
@group(0) @binding(10) var<storage, read_write> param2: array<f32>;
@group(0) @binding(11) var<storage, read> grad2: array<f32>;
@group(0) @binding(12) var<storage, read_write> m2: array<f32>;
@group(0) @binding(13) var<storage, read_write> v2: array<f32>;
@group(0) @binding(14) var<storage, read_write> vmax2: array<f32>;
@group(0) @binding(15) var<uniform> p: Params;

// same as optim/02_sgd_multi_tensor.wgsl:at
fn at(a: array<vec4u, 2>, s: u32) -> u32 {
  return a[s / 4u][s % 4u];
}

// One element's new (parameter, m, v, vmax) from its old values and gradient: the arithmetic of
// adam_step.wgsl in the same order, so both kernels give the same numbers.
fn adam(w0: f32, g0: f32, m_old: f32, v_old: f32, vmax_old: f32, s: u32) -> vec4f {
  var w = w0;
  var g = g0;
  if (p.decoupled != 0u) {
    w = w * (1.0 - p.lr * p.weight_decay);
  } else {
    g = g + p.weight_decay * w;
  }
  let mi = p.beta1 * m_old + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v_old + (1.0 - p.beta2) * g * g;
  var v_hat = vi;
  if (p.amsgrad != 0u) { v_hat = max(vmax_old, vi); }
  return vec4f(w - p.step_size[s] * mi / (sqrt(v_hat) / p.bc2_sqrt[s] + p.eps), mi, vi, v_hat);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let w = wg.y * groups.x + wg.x;
  var s = 0u;
  for (var k = 1u; k < SLOTS; k++) {
    if (w >= at(p.wg_start, k)) { s = k; }
  }
  let i = (w - at(p.wg_start, s)) * WG + lid;
  if (i >= at(p.n, s)) { return; }
  let ams = p.amsgrad != 0u;
  switch s {
    case 0u: {
      let r = adam(param0[i], grad0[i], m0[i], v0[i], vmax0[min(i, arrayLength(&vmax0) - 1u)], s);
      param0[i] = r.x; m0[i] = r.y; v0[i] = r.z;
      if (ams) { vmax0[i] = r.w; }
    }
    case 1u: {
      let r = adam(param1[i], grad1[i], m1[i], v1[i], vmax1[min(i, arrayLength(&vmax1) - 1u)], s);
      param1[i] = r.x; m1[i] = r.y; v1[i] = r.z;
      if (ams) { vmax1[i] = r.w; }
    }
    default: {
      let r = adam(param2[i], grad2[i], m2[i], v2[i], vmax2[min(i, arrayLength(&vmax2) - 1u)], s);
      param2[i] = r.x; m2[i] = r.y; v2[i] = r.z;
      if (ams) { vmax2[i] = r.w; }
    }
  }
}
