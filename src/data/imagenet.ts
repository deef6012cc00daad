/**
 * ImageNet inference conventions, as torchvision's classification weights expect them: the
 * 1000 class names in index order, and the evaluation preprocessing: resize the shorter side
 * to 256, take the centre 224 x 224, scale to [0, 1] and normalise with ImageNet's per-channel
 * mean and standard deviation, (x - mean) / std.
 */
import classNames from './imagenet_classes.json';
import { Compose } from './transforms/compose.js';
import { Resize } from './transforms/resize.js';
import { CenterCrop } from './transforms/crop.js';
import { Normalize, ToTensor, IMAGENET_MEAN, IMAGENET_STD } from './transforms/tensor.js';
import { checkOptions } from '../args.js';

/** ImageNet-1k class names, `IMAGENET_CLASSES[i]` for logit i (torchvision's list). */
export const IMAGENET_CLASSES: readonly string[] = Object.freeze(classNames as string[]);

/** Options of `evalTransform`: resize and crop sizes and the normalisation; ImageNet's by default. */
export interface EvalTransformOptions {
  /** Shorter side after resizing (default 256 with the default crop, else the crop size). */
  resize?: number;
  /** Side of the centre crop (default 224). */
  crop?: number;
  /** Per-channel means for Normalize (default ImageNet's, `IMAGENET_MEAN`). */
  mean?: readonly number[];
  /** Per-channel standard deviations for Normalize (default ImageNet's, `IMAGENET_STD`). */
  std?: readonly number[];
}

/**
 * `Resize(256) -> CenterCrop(224) -> ToTensor() -> Normalize(mean, std)`, torchvision's
 * ImageNet evaluation transform (for the CIFAR ResNets use `{resize: 32, crop: 32}`).
 */
export function evalTransform(options: EvalTransformOptions = {}): Compose {
  checkOptions('evalTransform', options, { resize: 'integer', crop: 'integer', mean: 'number[]', std: 'number[]' });
  const crop = options.crop ?? 224;
  const resize = options.resize ?? (crop === 224 ? 256 : crop);
  return new Compose([
    new Resize(resize),
    new CenterCrop(crop),
    new ToTensor(),
    new Normalize(options.mean ?? IMAGENET_MEAN, options.std ?? IMAGENET_STD),
  ]);
}
