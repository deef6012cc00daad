// adam_step: one step of torch.optim.Adam / AdamW for one parameter, in place, with step t:
//   Adam:  g = g + wd p          AdamW: p = p (1 - lr wd)        (decoupled weight decay)
//   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
//   amsgrad: vmax = max(vmax, v), v_hat = vmax, else v_hat = v
//   p = p - (lr / (1 - b1^t)) m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps)
// The bias corrections are computed on the CPU and passed in (step_size, bc2_sqrt).
//
// Buffers:  p [n] (updated), g [n], m [n], v [n], vmax [n] (updated; vmax only with amsgrad)
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/optim/adam.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  amsgrad: u32,
  decoupled: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  step_size: f32,    // lr / (1 - beta1^t)
  bc2_sqrt: f32,     // sqrt(1 - beta2^t)
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> vmax: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var w = param[i];
  var g = grad[i];
  if (p.decoupled != 0u) {
    w = w * (1.0 - p.lr * p.weight_decay);
  } else {
    g = g + p.weight_decay * w;
  }
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  var v_hat = vi;
  if (p.amsgrad != 0u) {
    v_hat = max(vmax[i], vi);
    vmax[i] = v_hat;
  }
  param[i] = w - p.step_size * mi / (sqrt(v_hat) / p.bc2_sqrt + p.eps);
}
