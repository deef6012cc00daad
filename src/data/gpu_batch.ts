/**
 * Turning a batch of CPU samples into GPU tensors. Images (uint8 HWC) are uploaded as bytes,
 * a quarter of the float32 size, and `image_to_tensor.wgsl` writes the normalised float32
 * [B, C, H, W] batch (ToTensor + Normalize on the GPU); float samples are stacked and uploaded.
 */
import { gridFor } from '../gpu/commands.js';
import { gpuDevice } from '../gpu/device.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { acquireBuffer, releaseBuffer } from '../gpu/pool.js';
import { tensor } from '../ops/create.js';
import { Tensor } from '../tensor.js';
import { type HostTensor } from './image.js';

const WG = 256;

/**
 * `pixels`, B images of H x W x C bytes (HWC, image after image), as a float32 [B, C, H, W]
 * tensor with out = (pixel / 255 - mean[c]) / std[c]; `mean`/`std` have C values or one.
 */
export function imagesToTensor(
  pixels: Uint8Array,
  shape: readonly [number, number, number, number],
  mean: readonly number[] = [0],
  std: readonly number[] = [1],
): Tensor {
  const [B, H, W, C] = shape;
  if (!(C >= 1 && C <= 4)) throw new Error(`imagesToTensor: images need 1 to 4 channels, got ${C}`);
  if (pixels.length !== B * H * W * C)
    throw new Error(
      `imagesToTensor: ${pixels.length} bytes cannot be images of shape [${shape.join(', ')}] (B, H, W, C)`,
    );
  for (const [name, v] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (v.length !== 1 && v.length !== C)
      throw new Error(`imagesToTensor: ${name} has ${v.length} values for images of ${C} channels`);
  }
  if (std.some((s) => s === 0)) throw new Error('imagesToTensor: std contains 0 (division by zero)');
  const out = Tensor.empty([B, C, H, W]);
  if (out.size === 0) return out;
  const bytes = Math.ceil(pixels.length / 4) * 4;
  const upload = acquireBuffer(bytes, undefined, 'image bytes');
  const padded = pixels.length === bytes && pixels.byteOffset % 4 === 0 ? pixels : copyPadded(pixels, bytes);
  gpuDevice().queue.writeBuffer(upload, 0, padded.buffer, padded.byteOffset, bytes);
  const lane = (v: readonly number[], c: number) => v[v.length === 1 ? 0 : c] ?? 1;
  const channels = [0, 1, 2, 3];
  const uniforms = {
    n: out.size,
    hw: H * W,
    c: C,
    pad: 0,
    mean: channels.map((c) => (c < C ? lane(mean, c) : 0)),
    stdev: channels.map((c) => (c < C ? lane(std, c) : 1)),
  };
  dispatch(K.image_to_tensor, { WG }, uniforms, [upload, out.buffer], gridFor(out.size, WG));
  releaseBuffer(upload); // reused only after the recorded dispatch is submitted
  return out;
}

function copyPadded(pixels: Uint8Array, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out.set(pixels);
  return out;
}

/** Samples of one shape stacked into a [B, ...shape] tensor (int32 for samples of dtype 'int32', token ids). */
export function stackHost(samples: readonly HostTensor[]): Tensor {
  const shape = samples[0].shape;
  const row = samples[0].data.length;
  const data = new Float32Array(samples.length * row);
  samples.forEach((s, i) => {
    if (s.shape.length !== shape.length || s.shape.some((d, k) => d !== shape[k])) {
      throw new Error(
        `DataLoader: samples of a batch must have one shape to be stacked, got [${shape.join(', ')}] (first) and [${s.shape.join(', ')}] (sample ${i} of the batch)`,
      );
    }
    data.set(s.data, i * row);
  });
  return tensor(data, { shape: [samples.length, ...shape], dtype: samples[0].dtype ?? 'float32' });
}
