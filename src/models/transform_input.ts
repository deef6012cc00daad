/**
 * The `transform_input` step of GoogLeNet and Inception v3: their ported TensorFlow weights
 * expect inputs in [-1, 1], so an input normalised with ImageNet's mean m and std s is mapped
 * per channel to x * s / 0.5 + (m - 0.5) / 0.5 (torchvision's `_transform_input`).
 */
import type { Tensor } from '../tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { cat, slice } from '../ops/shape.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** [N, 3, H, W] normalised with ImageNet's statistics -> the same image in [-1, 1]. */
export function transformInput(x: Tensor): Tensor {
  const channels = [0, 1, 2].map((c) => add(mul(slice(x, 1, c, c + 1), STD[c] / 0.5), (MEAN[c] - 0.5) / 0.5));
  return cat(channels, 1);
}
