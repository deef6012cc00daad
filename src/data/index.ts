/**
 * `sg.data`: image decoding, datasets and the DataLoader, as torch.utils.data and
 * torchvision.datasets:
 *
 *   const tf = new sg.transforms.Compose([new sg.transforms.Resize(72), new sg.transforms.CenterCrop(64),
 *     new sg.transforms.ToTensor(), new sg.transforms.Normalize(sg.transforms.IMAGENET_MEAN, sg.transforms.IMAGENET_STD)]);
 *   const train = new sg.data.ImageFolder('examples/data/hymenoptera/train', { transform: tf });
 *   const loader = new sg.data.DataLoader(train, { batchSize: 16, shuffle: true, seed: 0, numWorkers: 2 });
 *   for await (const batch of loader) { ...; batch.dispose(); }
 */
export { loadMnist, permutation, type DigitSet } from './mnist.js';
export {
  decodeImage,
  readImage,
  encodeJpeg,
  encodePng,
  sniffFormat,
  isImage,
  isHostTensor,
  type Image,
  type HostTensor,
  type DecodeOptions,
} from './image.js';
export { MAX_IMAGE_PIXELS } from './image_size.js';
export {
  Subset,
  randomSplit,
  TensorDataset,
  MNIST,
  type Dataset,
  type Example,
  type HostArray,
  type MnistOptions,
} from './datasets.js';
export { ImageFolder, type ImageFolderOptions } from './image_folder.js';
export { ImageFiles, type ImageFile } from './image_files.js';
export { DataLoader, type DataLoaderOptions, type Batch, type CollateFn } from './loader.js';
export { imagesToTensor } from './gpu_batch.js';
export { IMAGENET_CLASSES, evalTransform, type EvalTransformOptions } from './imagenet.js';
export { seededRandom, sampleSeed, mixSeed, manualSeed, type Rng } from './rng.js';
