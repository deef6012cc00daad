// sgd_multi_tensor: one step of torch.optim.SGD for up to SLOTS = 5 parameters of one group in
// one launch (the "multi-tensor" or foreach step), in place. Per element, as sgd_step.wgsl:
//   d = g + wd p
//   momentum: buf = d on the parameter's first step, else buf = mu buf + (1 - dampening) d;
//             d = d + mu buf (nesterov) or d = buf
//   p = p - lr d
//
// Buffers:  per slot s in 0..4: param_s [n_s] (updated), grad_s [n_s], buf_s [n_s] (momentum
//           buffer, updated; a one-element placeholder without momentum). WebGPU has no arrays
//           of buffers, so the slots are separate bindings (3 x 5 = 15 storage buffers: the
//           launcher uses this kernel where the device allows 15 per stage) and each slot's
//           loads and stores sit in its own `case`.
// Uniform:  per slot its length n[s], its first workgroup wg_start[s] (slots are laid end to end,
//           each padded to whole workgroups, so one workgroup serves one slot), first_step[s].
// Dispatch: wg_start[SLOTS] workgroups of WG in all (2-D past 65535), one invocation per element.
// Launched by src/optim/multi_tensor.ts.

override WG: u32 = 256u;
const SLOTS: u32 = 5u;

struct Params {
  n: array<vec4u, 2>,          // elements of each slot (0 for an unused slot)
  wg_start: array<vec4u, 2>,   // first workgroup of each slot; wg_start[SLOTS] = total
  first_step: array<vec4u, 2>, // 1 where the slot's parameter takes its first step
  nesterov: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<storage, read_write> param0: array<f32>;
@group(0) @binding(1) var<storage, read> grad0: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(3) var<storage, read_write> param1: array<f32>;
@group(0) @binding(4) var<storage, read> grad1: array<f32>;
@group(0) @binding(5) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(6) var<storage, read_write> param2: array<f32>;
@group(0) @binding(7) var<storage, read> grad2: array<f32>;
@group(0) @binding(8) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(9) var<storage, read_write> param3: array<f32>;
@group(0) @binding(10) var<storage, read> grad3: array<f32>;
@group(0) @binding(11) var<storage, read_write> buf3: array<f32>;
@group(0) @binding(12) var<storage, read_write> param4: array<f32>;
@group(0) @binding(13) var<storage, read> grad4: array<f32>;
@group(0) @binding(14) var<storage, read_write> buf4: array<f32>;
@group(0) @binding(15) var<uniform> p: Params;

fn at(a: array<vec4u, 2>, s: u32) -> u32 {
  return a[s / 4u][s % 4u];
}

// The updated (parameter, momentum buffer) from their old values and the gradient: the
// arithmetic of sgd_step.wgsl in the same order, so both kernels give the same numbers.
fn sgd(w: f32, g: f32, b_old: f32, first: bool) -> vec2f {
  var d = g + p.weight_decay * w;
  var b = b_old;
  if (p.momentum != 0.0) {
    b = d;
    if (!first) { b = p.momentum * b_old + (1.0 - p.dampening) * d; }
    d = select(b, d + p.momentum * b, p.nesterov != 0u);
  }
  return vec2f(w - p.lr * d, b);
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
  let first = at(p.first_step, s) != 0u;
  let keep_buf = p.momentum != 0.0;
  switch s {
    case 0u: {
      let r = sgd(param0[i], grad0[i], buf0[min(i, arrayLength(&buf0) - 1u)], first);
      param0[i] = r.x;
      if (keep_buf) { buf0[i] = r.y; }
    }
    case 1u: {
      let r = sgd(param1[i], grad1[i], buf1[min(i, arrayLength(&buf1) - 1u)], first);
      param1[i] = r.x;
      if (keep_buf) { buf1[i] = r.y; }
    }
    case 2u: {
      let r = sgd(param2[i], grad2[i], buf2[min(i, arrayLength(&buf2) - 1u)], first);
      param2[i] = r.x;
      if (keep_buf) { buf2[i] = r.y; }
    }
    case 3u: {
      let r = sgd(param3[i], grad3[i], buf3[min(i, arrayLength(&buf3) - 1u)], first);
      param3[i] = r.x;
      if (keep_buf) { buf3[i] = r.y; }
    }
    default: {
      let r = sgd(param4[i], grad4[i], buf4[min(i, arrayLength(&buf4) - 1u)], first);
      param4[i] = r.x;
      if (keep_buf) { buf4[i] = r.y; }
    }
  }
}
