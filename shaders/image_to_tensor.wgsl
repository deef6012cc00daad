// image_to_tensor: a batch of 8-bit HWC images to normalised float32 CHW, torchvision's
// ToTensor followed by Normalize in one pass:
//   out[b, c, y, x] = (f32(img[b, y, x, c]) / 255 - mean[c]) / std[c]
//
// Buffers:  img [B * H * W * C] uint8, four bytes to a u32 (little-endian, zero-padded to a
//           multiple of 4 bytes), out [B, C, H, W] f32
// Params:   n = B * C * H * W, hw = H * W, c = C (1..4), mean and std (one vec4f lane per channel)
// Dispatch: one invocation per output element, workgroups of WG (2-D past 65535); consecutive
//           invocations write consecutive floats (coalesced stores, strided byte loads).
// Launched by src/data/gpu_batch.ts (imagesToTensor), for the DataLoader's batches.

override WG: u32 = 256u;

struct Params {
  n: u32,
  hw: u32,
  c: u32,
  pad: u32,
  mean: vec4f,
  stdev: vec4f,
}

@group(0) @binding(0) var<storage, read> img: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lid;
  if (i >= p.n) { return; }
  let image = i / (p.c * p.hw);
  let rest = i - image * p.c * p.hw;
  let ch = rest / p.hw;
  let pixel = rest - ch * p.hw;
  let src = (image * p.hw + pixel) * p.c + ch;            // byte index in HWC order
  let byte = (img[src >> 2u] >> ((src & 3u) * 8u)) & 0xffu;
  out[i] = (f32(byte) / 255.0 - p.mean[ch]) / p.stdev[ch];
}
