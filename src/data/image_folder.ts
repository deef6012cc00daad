/**
 * `ImageFolder`: images arranged as root/<class>/<file>, as `torchvision.datasets.ImageFolder`.
 * Classes are the sorted sub-folder names (class index = position); samples are every file
 * under each class folder (recursively, folders and files in sorted order, as torchvision's
 * sorted os.walk). Files whose first bytes are not JPEG or PNG are found at construction, by
 * reading 12 bytes of each (not by their extension): an error names them, or, with
 * `skipInvalid`, they are left out, counted in `skipped` and reported in one warning. Node only.
 */
import { HEADER_BYTES, headerProblem, readImage, type Image } from './image.js';
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
  /** Leave out files that are not JPEG or PNG (default false: throw, naming them). */
  skipInvalid?: boolean;
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
  /** How many files were left out by `skipInvalid`, and which (paths relative to root). */
  readonly skipped: number;
  readonly skippedFiles: string[];
  readonly transform?: AnyTransform;
  /** Applied to each class index, as torchvision's `target_transform`. */
  readonly targetTransform?: (target: number) => number;

  /** `new ImageFolder(root, {transform})`: lists the classes and samples under `root` now (reading 12 bytes of each file); images are decoded by `get`. */
  constructor(root: string, options: ImageFolderOptions = {}) {
    checkOptions('ImageFolder', options, {
      transform: 'function|object',
      targetTransform: 'function',
      skipInvalid: 'boolean',
      minClasses: 'integer',
    });
    const fs = nodeFs('ImageFolder');
    const path = nodePath('ImageFolder');
    this.root = root;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
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

    const header = new Uint8Array(HEADER_BYTES);
    const problems: string[] = [];
    this.samples = [];
    this.classes.forEach((cls, index) => {
      for (const file of walk(fs, path, path.join(root, cls))) {
        const fd = fs.openSync(file, 'r');
        const n = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
        fs.closeSync(fd);
        const problem = headerProblem(header.subarray(0, n), path.relative(root, file));
        if (problem) problems.push(problem);
        else this.samples.push([file, index]);
      }
    });
    if (problems.length && !options.skipInvalid) {
      const list = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
      throw new Error(
        `ImageFolder: ${problems.length} file${problems.length === 1 ? '' : 's'} in ${root} cannot be decoded: ${list}. Pass skipInvalid: true to leave such files out`,
      );
    }
    this.skippedFiles = problems.map((p) => p.slice(0, p.indexOf(': ')));
    this.skipped = problems.length;
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

  /** Sample `index` decoded, before any transform. */
  loadImage(index: number): Image {
    checkIndex('ImageFolder', index, this.samples.length);
    return readImage(this.samples[index][0]);
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
