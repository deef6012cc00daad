/**
 * From image to network input: `ToTensor` (uint8 HWC -> float32 CHW in [0, 1], x / 255) and
 * `Normalize` ((x - mean[c]) / std[c] per channel), with float32 arithmetic as torch's.
 * At the end of a DataLoader's pipeline these two run on the GPU for the whole batch
 * (`shaders/image_to_tensor.wgsl`); `apply` here is the per-sample CPU version.
 */
import { isHostTensor, type HostTensor, type Image } from '../image.js';
import { Transform, describeSample, requireImage, type TransformSpec } from './base.js';

/** The ImageNet channel means torchvision's pretrained models expect (RGB). */
export const IMAGENET_MEAN: readonly number[] = Object.freeze([0.485, 0.456, 0.406]);
/** The ImageNet channel standard deviations torchvision's pretrained models expect (RGB). */
export const IMAGENET_STD: readonly number[] = Object.freeze([0.229, 0.224, 0.225]);

/** uint8 HWC Image -> float32 CHW HostTensor in [0, 1], as `torchvision.transforms.ToTensor()`. */
export class ToTensor extends Transform<Image, HostTensor> {
  apply(input: Image): HostTensor {
    const { width: W, height: H, data } = requireImage('ToTensor', input);
    const out = new Float32Array(3 * H * W);
    for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) out[c * H * W + i] = data[i * 3 + c] / 255;
    return { shape: [3, H, W], data: out };
  }

  toJSON(): TransformSpec {
    return { name: 'ToTensor' };
  }

  override toString(): string {
    return 'ToTensor()';
  }
}

/** (x - mean[c]) / std[c] on a float32 [C, H, W] HostTensor, as `torchvision.transforms.Normalize`. */
export class Normalize extends Transform<HostTensor, HostTensor> {
  readonly mean: number[];
  readonly std: number[];

  /** `new Normalize(mean, std)`: one value per channel each; no `std` may be 0. */
  constructor(mean: readonly number[], std: readonly number[]) {
    super();
    if (mean.length !== std.length || mean.length === 0)
      throw new Error(`Normalize: mean and std need one value per channel, got ${mean.length} and ${std.length}`);
    if (std.some((s) => s === 0))
      throw new Error(
        `Normalize: std evaluated to zero after conversion to float32, leading to division by zero (std = [${std.join(', ')}])`,
      );
    this.mean = [...mean];
    this.std = [...std];
  }

  apply(input: HostTensor): HostTensor {
    if (!isHostTensor(input) || input.shape.length !== 3) {
      throw new Error(
        `Normalize: expects a float32 [C, H, W] HostTensor (after ToTensor), got ${describeSample(input)}`,
      );
    }
    const [C, H, W] = input.shape;
    if (this.mean.length !== 1 && this.mean.length !== C)
      throw new Error(`Normalize: ${this.mean.length} means for an image of ${C} channels`);
    const out = new Float32Array(input.data.length);
    for (let c = 0; c < C; c++) {
      const m = Math.fround(this.mean[this.mean.length === 1 ? 0 : c]);
      const s = Math.fround(this.std[this.std.length === 1 ? 0 : c]);
      for (let i = c * H * W; i < (c + 1) * H * W; i++) out[i] = Math.fround(input.data[i] - m) / s;
    }
    return { shape: [C, H, W], data: out };
  }

  toJSON(): TransformSpec {
    return { name: 'Normalize', mean: this.mean, std: this.std };
  }
}
