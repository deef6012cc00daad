/**
 * `sg.transforms`: torchvision's image transforms, on the CPU per sample, seeded.
 *
 *   const tf = new sg.transforms.Compose([
 *     new sg.transforms.RandomResizedCrop(224), new sg.transforms.RandomHorizontalFlip(),
 *     new sg.transforms.ToTensor(), new sg.transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
 *   ]);
 *   const x = tf.apply(image, rng);   // rng: () => number in [0, 1), e.g. seededRandom(7)
 *
 * Random transforms draw from the generator they are called with (or, without one, from a
 * shared generator that `manualSeed(s)` reseeds). The DataLoader seeds each sample's generator
 * from (loader seed, epoch, sample index), so results do not depend on batching or workers.
 * A trailing ToTensor + Normalize runs on the GPU for a whole batch in the DataLoader.
 */
export { Transform, type Sample, type TransformSpec } from './transforms/base.js';
export { Compose, fromJSON, splitForGpu } from './transforms/compose.js';
export { Resize, resizeImage, resizedSize, type ResizeInterpolation } from './transforms/resize.js';
export { CenterCrop, RandomResizedCrop, cropImage, type RandomResizedCropOptions } from './transforms/crop.js';
export {
  RandomHorizontalFlip,
  RandomRotation,
  hflipImage,
  rotateImage,
  type Interpolation,
} from './transforms/geometry.js';
export {
  ColorJitter,
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustHue,
  type ColorJitterOptions,
} from './transforms/color.js';
export { ToTensor, Normalize, IMAGENET_MEAN, IMAGENET_STD } from './transforms/tensor.js';
export { manualSeed, seededRandom, type Rng } from './rng.js';
