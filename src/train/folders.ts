/**
 * The data of `finetune`: two views of the image folders (training transforms with augmentation,
 * evaluation transforms without) that share one split, the classes, and the raw image of each
 * validation sample. A folder is a path (Node, `ImageFolder`) or files in memory (`ImageFiles`,
 * as a browser has them); both give the same classes, order and split.
 */
import { ImageFolder } from '../data/image_folder.js';
import { ImageFiles, type ImageFile } from '../data/image_files.js';
import type { Image } from '../data/image.js';
import { Subset, randomSplit, type Dataset, type Example } from '../data/datasets.js';
import type { AnyTransform } from '../data/transforms/base.js';
import { imageTransform } from './data.js';

/** A folder of images, DIR/<class>/<image>: a path, or the files themselves (paths relative to DIR). */
export type ImageSource = string | readonly ImageFile[];

/** Training and validation sets with their classes, and the raw image of validation sample k. */
export interface FolderSplit {
  train: Dataset<Example>;
  val: Dataset<Example>;
  classes: string[];
  /** The decoded image of validation sample k, before any transform (for prediction grids). */
  image: (k: number) => Image;
  /** The file of validation sample k (its path, or its name for files in memory). */
  file: (k: number) => string;
}

/** What to do with bad images (see `ImageFolderOptions`). */
export interface BadImageOptions {
  onBadImage?: 'error' | 'skip';
  maxImagePixels?: number;
}

const nameOf = (s: ImageSource) => (typeof s === 'string' ? s : `the ${s.length} files given`);

function open(
  source: ImageSource,
  transform: AnyTransform,
  bad: BadImageOptions,
  minClasses = 1,
): ImageFolder | ImageFiles {
  const options = { transform, minClasses, onBadImage: bad.onBadImage, maxImagePixels: bad.maxImagePixels };
  return typeof source === 'string' ? new ImageFolder(source, options) : new ImageFiles(source, options);
}

/**
 * The sets `finetune` trains and evaluates on, with inputs of `size` x `size` (imageTransform):
 * `val` when given (its classes must be `data`'s), else `valSplit` of `data` held out by
 * `randomSplit` with `seed`, as the command line does.
 */
export function folderSplit(
  data: ImageSource,
  val: ImageSource | undefined,
  valSplit: number,
  size: number,
  seed: number,
  bad: BadImageOptions = {},
): FolderSplit {
  const trainFolder = open(data, imageTransform(size, true), bad, 2);
  const classes = trainFolder.classes;
  if (val !== undefined) {
    const valFolder = open(val, imageTransform(size, false), bad);
    if (valFolder.classes.join('\n') !== classes.join('\n'))
      throw new Error(
        `finetune: ${nameOf(val)} has classes [${valFolder.classes.join(', ')}], ${nameOf(data)} has [${classes.join(', ')}]`,
      );
    return {
      train: trainFolder,
      val: valFolder,
      classes,
      image: (k) => valFolder.loadImage(k),
      file: (k) => valFolder.samples[k][0],
    };
  }
  if (!(valSplit > 0 && valSplit < 1)) throw new Error(`finetune: valSplit must be in (0, 1), got ${valSplit}`);
  const nVal = Math.max(1, Math.round(trainFolder.length * valSplit));
  const [tr, va] = randomSplit(trainFolder, [trainFolder.length - nVal, nVal], { seed });
  const valFolder = open(data, imageTransform(size, false), bad);
  const valSet = new Subset(valFolder, va.indices);
  return {
    train: tr,
    val: valSet,
    classes,
    image: (k) => valFolder.loadImage(valSet.indices[k]),
    file: (k) => valFolder.samples[valSet.indices[k]][0],
  };
}
