// sgd_step: one step of torch.optim.SGD for one parameter, in place:
//   d = g + wd p
//   momentum: buf = d on the first step, else buf = mu buf + (1 - dampening) d;
//             d = d + mu buf (nesterov) or d = buf
//   p = p - lr d
//
// Buffers:  p [n] (updated), g [n], buf [n] (momentum buffer, updated; unused without momentum)
// Dispatch: one invocation per element, workgroups of WG (2-D past 65535).
// Launched by src/optim/sgd.ts.

override WG: u32 = 256u;

struct Params {
  n: u32,
  first_step: u32,
  nesterov: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  var d = grad[i] + p.weight_decay * param[i];
  if (p.momentum != 0.0) {
    var b = d;
    if (p.first_step == 0u) { b = p.momentum * buf[i] + (1.0 - p.dampening) * d; }
    buf[i] = b;
    d = select(b, d + p.momentum * b, p.nesterov != 0u);
  }
  param[i] = param[i] - p.lr * d;
}
