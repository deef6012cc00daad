/**
 * `ImageFiles`: an ImageFolder whose files are already in memory (a browser's picked or dropped
 * folder, a fetched sample, a zip's entries), so that the same classes, sample order, split and
 * transforms work where there is no file system. Each file has a path relative to the root,
 * `<class>/<...>/<file>`; classes are the sorted first path segments and samples are ordered
 * as `ImageFolder` orders them (torchvision's sorted os.walk: folders by path, files sorted
 * within). Files whose first bytes are not JPEG or PNG are reported or, with `skipInvalid`, left
 * out. An entry may carry an already decoded `image` instead of `bytes` (a browser decodes PNG
 * itself: pngjs needs Node).
 */
import { HEADER_BYTES, decodeImage, headerProblem, type Image } from './image.js';
import { checkIndex, type Dataset, type Example } from './datasets.js';
import type { ImageFolderOptions } from './image_folder.js';
import type { Rng } from './rng.js';
import type { AnyTransform } from './transforms/base.js';

/** One file of an `ImageFiles` set: its path relative to the root (`ants/0013.jpg`) and its bytes or decoded image. */
export type ImageFile = { path: string; bytes: Uint8Array } | { path: string; image: Image };

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const dirOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * Images held in memory as a dataset of `[image, classIndex]`, laid out as `ImageFolder` reads
 * root/<class>/<file> (same classes, order and options): `torchvision.datasets.ImageFolder` over
 * files that are not on a disk. Works in browsers.
 */
export class ImageFiles implements Dataset<Example> {
  /** Sorted class names (the first path segments). */
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** [path, class index] of every sample, in ImageFolder's order. */
  readonly samples: Array<[string, number]>;
  /** The class index of every sample. */
  readonly targets: number[];
  /** How many files were left out by `skipInvalid`, and which. */
  readonly skipped: number;
  readonly skippedFiles: string[];
  /** Applied to each decoded Image (e.g. a Compose ending with ToTensor and Normalize). */
  readonly transform?: AnyTransform;
  /** Applied to each class index, as torchvision's `target_transform`. */
  readonly targetTransform?: (target: number) => number;
  private readonly files: ImageFile[];

  /** `new ImageFiles(files, {transform})`: sorts the files into classes and checks each one's first bytes now; images are decoded by `get`. */
  constructor(files: readonly ImageFile[], options: ImageFolderOptions & { name?: string } = {}) {
    const name = options.name ?? `${files.length} files`;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    const clean = files
      .map((f) => ({ ...f, path: f.path.replace(/\\/g, '/').replace(/^\/+/, '') }))
      .filter((f) => f.path.includes('/') && !f.path.split('/').some((s) => s.startsWith('.')));
    this.classes = [...new Set(clean.map((f) => f.path.split('/')[0]))].sort(byCodePoint);
    if (this.classes.length === 0)
      throw new Error(`ImageFiles: couldn't find any class folder in ${name} (expected <class>/<image> paths)`);
    const minClasses = options.minClasses ?? 1;
    if (this.classes.length < minClasses)
      throw new Error(
        `ImageFiles: ${name} has ${this.classes.length} class folder${this.classes.length === 1 ? '' : 's'} (${this.classes.join(', ')}); at least ${minClasses} are needed`,
      );
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
    const sorted = clean.sort(
      (a, b) =>
        byCodePoint(a.path.split('/')[0], b.path.split('/')[0]) ||
        byCodePoint(dirOf(a.path), dirOf(b.path)) ||
        byCodePoint(baseOf(a.path), baseOf(b.path)),
    );
    const problems: string[] = [];
    this.files = [];
    for (const f of sorted) {
      const problem = 'bytes' in f ? headerProblem(f.bytes.subarray(0, HEADER_BYTES), f.path) : null;
      if (problem) problems.push(problem);
      else this.files.push(f);
    }
    // onBadImage 'skip' (what finetune passes) or the older skipInvalid leave bad files out.
    if (problems.length && !options.skipInvalid && options.onBadImage !== 'skip')
      throw new Error(
        `ImageFiles: ${problems.length} file${problems.length === 1 ? '' : 's'} in ${name} cannot be decoded: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}. Pass onBadImage: 'skip' to leave such files out`,
      );
    this.skippedFiles = problems.map((p) => p.slice(0, p.indexOf(': ')));
    this.skipped = problems.length;
    this.samples = this.files.map((f) => [f.path, this.classToIdx[f.path.split('/')[0]]]);
    const empty = this.classes.filter((_, i) => !this.samples.some(([, t]) => t === i));
    if (empty.length)
      throw new Error(`ImageFiles: found no valid file for the classes ${empty.join(', ')} in ${name} (JPEG or PNG)`);
    this.targets = this.samples.map(([, t]) => t);
  }

  get length(): number {
    return this.samples.length;
  }

  /** Sample `index` decoded, before any transform. */
  loadImage(index: number): Image {
    checkIndex('ImageFiles', index, this.samples.length);
    const f = this.files[index];
    return 'image' in f ? f.image : decodeImage(f.bytes, f.path);
  }

  /** [transform(image), targetTransform(class index)]; random transforms draw from `rng`. */
  get(index: number, rng?: Rng): Example {
    const image = this.loadImage(index);
    const target = this.samples[index][1];
    return [
      this.transform ? this.transform.apply(image, rng) : image,
      this.targetTransform ? this.targetTransform(target) : target,
    ];
  }
}
