/**
 * `ImageFolder`: images arranged as root/<class>/<file>, as `torchvision.datasets.ImageFolder`.
 * Classes are the sorted sub-folder names (class index = position); samples are every file
 * under each class folder (recursively, folders and files in sorted order, as torchvision's
 * sorted os.walk). Bad files are found at construction, by reading the header of each (not
 * by its extension): empty files, files that are not JPEG or PNG, headers that are corrupt or
 * declare a decompression bomb (over twice `maxImagePixels`), files far too short for the size
 * they declare (image_data_bound.ts). With `onBadImage: 'error'` (the
 * default) an error names them; with 'skip' they are left out, counted in `skipped` and
 * reported in one warning. Node only.
 */
import { headerProblem, readImage, sniffFormat, type Image } from './image.js';
import { checkImageSize, jpegSize, pngSize } from './image_size.js';
import { jpegDataProblem, pngDataProblem } from './image_data_bound.js';
import { checkIndex, type Dataset, type Example } from './datasets.js';
import { nodeFs, nodePath } from './node.js';
import { type Rng } from './rng.js';
import { type AnyTransform } from './transforms/base.js';
import { checkOptions } from '../args.js';

/** Options of `ImageFolder`: the transforms and how invalid files are handled. */
export interface ImageFolderOptions {
  /** Applied to each decoded Image (e.g. a Compose ending with ToTensor and Normalize). */
  transform?: AnyTransform;
  /** Applied to each class index. Runs in the main thread (it need not be serialisable). */
  targetTransform?: (target: number) => number;
  /**
   * What to do with a bad file (empty, not JPEG or PNG, a corrupt header, or over twice
   * `maxImagePixels`, found at construction; a corrupt body, found when a DataLoader decodes it):
   * 'error' (the default) throws naming it, 'skip' leaves it out with a warning naming it.
   */
  onBadImage?: 'error' | 'skip';
  /** The same as `onBadImage: 'skip'` when true (the older name). */
  skipInvalid?: boolean;
  /** The decompression-bomb limit (see `decodeImage`; default Pillow's 89,478,485 pixels, null: none). */
  maxImagePixels?: number | null;
  /** Throw unless there are at least this many classes (default 1). */
  minClasses?: number;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Images in root/<class>/<file> as a dataset of `[image, classIndex]`, classes the sorted folder
 * names, as `torchvision.datasets.ImageFolder`. Node only.
 */
export class ImageFolder implements Dataset<Example> {
  readonly root: string;
  /** Sorted class folder names. */
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** [path, class index] of every sample, in torchvision's order. */
  readonly samples: Array<[string, number]>;
  /** The class index of every sample. */
  readonly targets: number[];
  /**
   * The files left out (paths relative to root): bad headers found at construction, then, with
   * onBadImage 'skip', files that a DataLoader failed to decode (a corrupt body).
   */
  readonly skippedFiles: string[];
  /** 'error' or 'skip': what happens to a bad file (see `ImageFolderOptions.onBadImage`). */
  readonly onBadImage: 'error' | 'skip';
  readonly transform?: AnyTransform;
  /** The pixel limit used when decoding (see `ImageFolderOptions.maxImagePixels`). */
  readonly maxImagePixels?: number | null;
  /** Applied to each class index, as torchvision's `target_transform`. */
  readonly targetTransform?: (target: number) => number;

  /** `new ImageFolder(root, {transform})`: lists the classes and samples under `root` now (reading 12 bytes of each file); images are decoded by `get`. */
  constructor(root: string, options: ImageFolderOptions = {}) {
    checkOptions('ImageFolder', options, {
      transform: 'function|object',
      targetTransform: 'function',
      skipInvalid: 'boolean',
      minClasses: 'integer',
      onBadImage: ['error', 'skip'],
      maxImagePixels: 'number|null',
    });
    const fs = nodeFs('ImageFolder');
    const path = nodePath('ImageFolder');
    this.root = root;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    this.maxImagePixels = options.maxImagePixels;
    const onBad = options.onBadImage ?? (options.skipInvalid ? 'skip' : 'error');
    if (onBad !== 'error' && onBad !== 'skip')
      throw new Error(`ImageFolder: onBadImage must be 'error' or 'skip', got ${JSON.stringify(onBad)}`);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
      throw new Error(`ImageFolder: ${root} is not a folder`);
    const isDir = (p: string) => fs.statSync(p).isDirectory();
    this.classes = fs
      .readdirSync(root)
      .filter((n) => !n.startsWith('.') && isDir(path.join(root, n)))
      .sort(byCodePoint);
    if (this.classes.length === 0)
      throw new Error(`ImageFolder: couldn't find any class folder in ${root} (expected ${root}/<class>/<image>)`);
    const minClasses = options.minClasses ?? 1;
    if (this.classes.length < minClasses) {
      throw new Error(
        `ImageFolder: ${root} has ${this.classes.length} class folder${this.classes.length === 1 ? '' : 's'} (${this.classes.join(', ')}); at least ${minClasses} are needed`,
      );
    }
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));

    const header = new Uint8Array(HEADER_READ);
    const problems: string[] = [];
    this.samples = [];
    this.classes.forEach((cls, index) => {
      for (const file of walk(fs, path, path.join(root, cls))) {
        const problem = fileProblem(fs, file, header, path.relative(root, file), this.maxImagePixels);
        if (problem) problems.push(problem);
        else this.samples.push([file, index]);
      }
    });
    if (problems.length && onBad === 'error') {
      const list = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
      throw new Error(
        `ImageFolder: ${problems.length} file${problems.length === 1 ? '' : 's'} in ${root} cannot be decoded: ${list}. Pass onBadImage: 'skip' to leave such files out`,
      );
    }
    this.onBadImage = onBad;
    this.skippedFiles = problems.map((p) => p.slice(0, p.indexOf(': ')));
    if (problems.length)
      console.warn(
        `ImageFolder: skipped ${problems.length} file${problems.length === 1 ? '' : 's'} of ${root} that cannot be decoded (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; ...' : ''})`,
      );
    const empty = this.classes.filter((_, i) => !this.samples.some(([, t]) => t === i));
    if (empty.length)
      throw new Error(
        `ImageFolder: found no valid file for the classes ${empty.join(', ')} in ${root} (supported: JPEG and PNG images)`,
      );
    this.targets = this.samples.map(([, t]) => t);
  }

  get length(): number {
    return this.samples.length;
  }

  /** How many files were left out (`skippedFiles.length`). */
  get skipped(): number {
    return this.skippedFiles.length;
  }

  /**
   * Notes that `path` (a sample's file) failed to decode, with the decoder's `message`: with
   * onBadImage 'skip' the file joins `skippedFiles` with one warning naming it (once per file);
   * with 'error' it throws naming it. Called by the DataLoader.
   */
  badFile(path: string, message: string): void {
    if (this.onBadImage === 'error')
      throw new Error(`DataLoader: ${message}. Pass onBadImage: 'skip' to the ImageFolder to leave such files out`);
    const name = nodePath('ImageFolder').relative(this.root, path);
    if (this.skippedFiles.includes(name)) return;
    this.skippedFiles.push(name);
    console.warn(`ImageFolder: skipped ${name}, whose header is valid but which cannot be decoded (${message})`);
  }

  /** Sample `index` decoded, before any transform. */
  loadImage(index: number): Image {
    checkIndex('ImageFolder', index, this.samples.length);
    return readImage(this.samples[index][0], { maxImagePixels: this.maxImagePixels });
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

  toString(): string {
    const lines = [
      `Dataset ImageFolder`,
      `    Number of datapoints: ${this.length}`,
      `    Root location: ${this.root}`,
    ];
    if (this.transform)
      lines.push(`    StandardTransform`, `Transform: ${String(this.transform).replace(/\n/g, '\n           ')}`);
    return lines.join('\n');
  }
}

/** Bytes read from each file at construction: enough for the header of almost every JPEG. */
const HEADER_READ = 64 * 1024;

/**
 * Why `file` cannot be decoded, judged from its first 64 KiB, or null. A JPEG whose frame header
 * lies beyond them (large EXIF data) is left to the decoder.
 */
function fileProblem(
  fs: ReturnType<typeof nodeFs>,
  file: string,
  header: Uint8Array,
  name: string,
  maxImagePixels: number | null | undefined,
): string | null {
  let n: number, size: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      size = fs.fstatSync(fd).size;
      n = fs.readSync(fd, header, 0, header.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return `${name}: cannot be read (${(e as Error).message})`;
  }
  const head = header.subarray(0, n);
  const problem = headerProblem(head, name);
  if (problem) return problem;
  const format = sniffFormat(head);
  const declared = format === 'JPEG' ? jpegSize(head) : pngSize(head);
  if ('problem' in declared)
    return n < size ? null : `${name}: corrupt or unsupported ${format} file (${declared.problem})`;
  try {
    checkImageSize(declared.width, declared.height, name, maxImagePixels);
  } catch (e) {
    return (e as Error).message;
  }
  const short = format === 'JPEG' ? jpegDataProblem(head, size) : pngDataProblem(head, size);
  return short && `${name}: ${short}`;
}

/** Every non-hidden file under `dir`: folders in sorted order of their path, files sorted within. */
function walk(fs: ReturnType<typeof nodeFs>, path: ReturnType<typeof nodePath>, dir: string): string[] {
  const folders: Array<[string, string[]]> = [];
  const visit = (d: string) => {
    const files: string[] = [];
    for (const name of fs.readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) visit(p);
      else files.push(name);
    }
    folders.push([d, files.sort(byCodePoint)]);
  };
  visit(dir);
  folders.sort((a, b) => byCodePoint(a[0], b[0]));
  return folders.flatMap(([d, files]) => files.map((f) => path.join(d, f)));
}
