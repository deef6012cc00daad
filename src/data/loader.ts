/**
 * `DataLoader`: batches of a dataset as GPU tensors, `for await (const { x, y } of loader)`,
 * as `torch.utils.data.DataLoader`. `x` is float32 [B, C, H, W] (or [B, ...sample shape]),
 * `y` int32 [B]. The consumer owns each batch: dispose it (`batch.dispose()`, or x and y) once
 * the step using it is recorded; what the step derives from it inside `sg.tidy` is freed by tidy.
 *
 * - Order: 0..n-1, or with `shuffle` a permutation seeded by (seed, epoch); each pass over the
 *   loader is one epoch (`loader.epoch` counts them).
 * - Augmentation: sample i of epoch e is transformed with a generator seeded by
 *   `sampleSeed(seed, e, i)`, so batches are identical for any `numWorkers`.
 * - GPU: when an ImageFolder's transform ends with ToTensor [+ Normalize] (and `transformOnGpu`
 *   is not false) those two run on the GPU for the whole batch: the uint8 pixels are uploaded
 *   and `image_to_tensor.wgsl` writes the normalised float32 batch.
 * - Workers (`numWorkers > 0`, Node, ImageFolder or Subsets of one): reading, decoding and the
 *   CPU transforms run in worker threads, up to `prefetchFactor` batches per worker ahead of
 *   the training step; the transform goes to them as data (`toJSON()`). They start on the
 *   first epoch and stay (idle, not holding the process open) until `close()`.
 * - Bad files: an ImageFolder file whose header passed but whose body fails to decode stops the
 *   epoch naming it (onBadImage 'error'), or is left out of its batch with one warning per file
 *   (onBadImage 'skip'; that batch is smaller, and a batch left empty is not yielded).
 */
import { throttle } from '../gpu/commands.js';
import { type Tensor } from '../tensor.js';
import { tensor } from '../ops/create.js';
import { Subset, type Dataset } from './datasets.js';
import { imagesToTensor, stackHost } from './gpu_batch.js';
import { ImageFolder } from './image_folder.js';
import { isHostTensor, isImage, type HostTensor, type Image } from './image.js';
import { isBadSample, tryLoadFileSample, type BadSample } from './load_sample.js';
import { mixSeed, randperm, sampleSeed, seededRandom } from './rng.js';
import { type AnyTransform } from './transforms/base.js';
import { fromJSON, splitForGpu } from './transforms/compose.js';
import { WorkerPool } from './workers.js';
import { checkOptions } from '../args.js';

/** Options of `DataLoader`, as the keyword arguments of `torch.utils.data.DataLoader`. */
export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new seeded random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the shuffles and of the random transforms (default 0). */
  seed?: number;
  /** Worker threads that load and transform ahead of the training step (default 0: main thread). */
  numWorkers?: number;
  /** Batches loaded ahead per worker (default 2). */
  prefetchFactor?: number;
  /** Run a trailing ToTensor + Normalize on the GPU (default true). */
  transformOnGpu?: boolean;
  /**
   * Makes a batch of the samples (each `[input, target]`, after the CPU transforms), as PyTorch's
   * `collate_fn`; default: stack the inputs (one shape per batch) and the integer targets. E.g.
   * `sg.text.datasets.padCollate()` pads token ids to the batch's longest sentence.
   */
  collateFn?: CollateFn;
}

/** A DataLoader `collateFn`: samples to the batch's GPU tensors (the loader adds `dispose`). */
export type CollateFn = (samples: Array<[Image | HostTensor, number]>) => { x: Tensor; y: Tensor };

/** One batch, owned by the consumer. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Disposes x and y. */
  dispose(): void;
}

/** Any map-style dataset whose samples are [input, target] (TensorDataset's have any number of tensors). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- sample types differ per dataset
type AnyDataset = Dataset<any>;

/** Where a dataset's samples come from, when they are files (an ImageFolder under Subsets). */
interface FileSource {
  folder: ImageFolder;
  baseIndex: (i: number) => number;
}

function fileSource(dataset: AnyDataset): FileSource | null {
  if (dataset instanceof ImageFolder) return { folder: dataset, baseIndex: (i) => i };
  if (dataset instanceof Subset) {
    const inner = fileSource(dataset.dataset);
    return inner && { folder: inner.folder, baseIndex: (i) => inner.baseIndex(dataset.indices[i]) };
  }
  return null;
}

/**
 * Batches of a dataset as GPU tensors `{x, y}`, as `torch.utils.data.DataLoader`; each
 * `for await` pass over it is one epoch. Dispose each batch; `close()` stops the workers.
 */
export class DataLoader implements AsyncIterable<Batch> {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new seeded random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than `batchSize` is dropped. */
  readonly dropLast: boolean;
  /** Seed of the shuffles and of the random transforms. */
  readonly seed: number;
  /** Worker threads that load and transform (0: the main thread). */
  readonly numWorkers: number;
  /** Batches each worker loads ahead. */
  readonly prefetchFactor: number;
  /** Epochs started so far; the next pass over the loader uses this one. */
  epoch = 0;
  private readonly source: FileSource | null;
  private readonly cpuTransform: AnyTransform | undefined;
  private readonly gpuTail: { mean: number[]; std: number[] } | null;
  private readonly collateFn: CollateFn | null;
  private pool: Promise<WorkerPool> | null = null;

  /** `new DataLoader(dataset, {batchSize, shuffle, ...})`, as `DataLoader(dataset, batch_size=..., shuffle=...)`; options are checked now. */
  constructor(
    readonly dataset: AnyDataset,
    options: DataLoaderOptions = {},
  ) {
    checkOptions('DataLoader', options, {
      batchSize: 'integer',
      shuffle: 'boolean',
      dropLast: 'boolean',
      seed: 'integer',
      numWorkers: 'integer',
      prefetchFactor: 'integer',
      transformOnGpu: 'boolean',
      collateFn: 'function',
    });
    this.collateFn = options.collateFn ?? null;
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed ?? 0;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetchFactor = options.prefetchFactor ?? 2;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new Error(`DataLoader: batchSize should be a positive integer, got ${options.batchSize}`);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new Error(`DataLoader: numWorkers should be a non-negative integer, got ${options.numWorkers}`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor < 1)
      throw new Error(`DataLoader: prefetchFactor should be a positive integer, got ${options.prefetchFactor}`);
    this.source = fileSource(dataset);
    const transform = this.source?.folder.transform;
    const split =
      this.source && options.transformOnGpu !== false ? splitForGpu(transform) : { cpu: transform, gpu: null };
    this.cpuTransform = split.cpu;
    this.gpuTail = split.gpu;
    if (this.numWorkers > 0) {
      if (!this.source) {
        throw new Error(
          `DataLoader: numWorkers > 0 needs an ImageFolder (or a Subset of one), whose samples workers can read from files; ${dataset.constructor.name} is read in the main thread: use numWorkers: 0`,
        );
      }
      if (this.cpuTransform) fromJSON(this.cpuTransform.toJSON()); // fails now if a transform cannot travel
    }
  }

  /** The number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The dataset indices of each batch of `epoch`. */
  batchIndices(epoch: number): number[][] {
    const n = this.dataset.length;
    const order = this.shuffle
      ? randperm(n, seededRandom(mixSeed(this.seed, epoch)))
      : Array.from({ length: n }, (_, i) => i);
    return Array.from({ length: this.length }, (_, b) => order.slice(b * this.batchSize, (b + 1) * this.batchSize));
  }

  /** One epoch: the batches of `batchIndices(epoch)` in order (`for await (const batch of loader)`), then `epoch` advances. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const epoch = this.epoch++;
    const batches = this.batchIndices(epoch);
    if (this.numWorkers === 0) {
      for (const all of batches) {
        await throttle(); // bounds the GPU work in flight (src/gpu/inflight.ts)
        const loaded = all.map((i) => this.loadInMainThread(i, sampleSeed(this.seed, epoch, i)));
        const [indices, inputs] = this.dropBad(
          all,
          loaded.map((s) => s[0]),
        );
        if (indices.length)
          yield this.collate(
            indices,
            inputs,
            indices.map((i) => loaded[all.indexOf(i)][1]),
          );
      }
      return;
    }
    if (this.pool && (await this.pool).dead) await this.close();
    if (!this.pool)
      this.pool = WorkerPool.start(
        this.numWorkers,
        this.cpuTransform ? this.cpuTransform.toJSON() : null,
        this.source?.folder.maxImagePixels,
      );
    const pool = await this.pool;
    pool.hold(true);
    try {
      const pending: Array<Promise<Array<Image | HostTensor | BadSample>>> = [];
      const request = (b: number) => {
        pending[b] = pool.load(
          batches[b].map((i): [string, number] => [
            this.source!.folder.samples[this.source!.baseIndex(i)][0],
            sampleSeed(this.seed, epoch, i),
          ]),
        );
      };
      const ahead = this.numWorkers * this.prefetchFactor;
      for (let b = 0; b < Math.min(ahead, batches.length); b++) request(b);
      for (let b = 0; b < batches.length; b++) {
        const [indices, samples] = this.dropBad(batches[b], await pending[b]);
        delete pending[b];
        await throttle();
        if (b + ahead < batches.length) request(b + ahead);
        if (indices.length)
          yield this.collate(
            indices,
            samples,
            indices.map((i) => this.fileTarget(i)),
          );
      }
    } finally {
      pool.hold(false);
    }
  }

  /**
   * Stops the worker threads (they otherwise live as long as the loader, idle between epochs,
   * without keeping the process alive). The loader starts new ones if iterated again.
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool).close();
  }

  /**
   * The samples of a batch that decoded, with their indices: a file that failed to decode is
   * reported by its ImageFolder (onBadImage 'error': throws naming it; 'skip': one warning per
   * file), and left out of the batch, which is then smaller (empty batches are not yielded).
   */
  private dropBad(
    indices: number[],
    samples: Array<Image | HostTensor | BadSample>,
  ): [number[], Array<Image | HostTensor>] {
    const keep: number[] = [];
    const good: Array<Image | HostTensor> = [];
    samples.forEach((s, k) => {
      if (isBadSample(s)) this.source!.folder.badFile(s.path, s.bad);
      else {
        keep.push(indices[k]);
        good.push(s);
      }
    });
    return [keep, good];
  }

  /** Sample `i` (its input after the CPU transforms, and its target) loaded in this thread. */
  private loadInMainThread(i: number, seed: number): [Image | HostTensor | BadSample, number] {
    if (this.source)
      return [
        tryLoadFileSample(
          this.source.folder.samples[this.source.baseIndex(i)][0],
          this.cpuTransform,
          seed,
          this.source.folder.maxImagePixels,
        ),
        this.fileTarget(i),
      ];
    const [x, y] = this.dataset.get(i, seededRandom(seed));
    return [x, y];
  }

  private fileTarget(i: number): number {
    const raw = this.source!.folder.samples[this.source!.baseIndex(i)][1];
    const tt = this.source!.folder.targetTransform;
    return tt ? tt(raw) : raw;
  }

  private collate(indices: number[], inputs: Array<Image | HostTensor>, targets: number[]): Batch {
    if (this.collateFn) {
      const { x, y } = this.collateFn(inputs.map((input, k) => [input, targets[k]]));
      return { x, y, dispose: () => (x.dispose(), y.dispose()) };
    }
    const labels = Int32Array.from(targets, (t, k) => {
      if (!Number.isInteger(t))
        throw new Error(
          `DataLoader: the target of sample ${indices[k]} is ${t}; targets must be integer class indices`,
        );
      return t;
    });
    let x: Tensor;
    if (inputs.every(isImage)) {
      const images = inputs as Image[];
      const [first] = images;
      images.forEach((im, k) => {
        if (im.width !== first.width || im.height !== first.height) {
          throw new Error(
            `DataLoader: images of a batch must have one size to be stacked, got ${first.width}x${first.height} (sample ${indices[0]}) and ${im.width}x${im.height} (sample ${indices[k]}); add Resize and CenterCrop (or RandomResizedCrop) to the transform`,
          );
        }
      });
      if (!this.gpuTail)
        throw new Error(
          'DataLoader: samples are Images (uint8); end the transform with ToTensor() (and Normalize) to make tensors of them',
        );
      const pixels = new Uint8Array(images.length * first.width * first.height * 3);
      images.forEach((im, k) => pixels.set(im.data, k * im.data.length));
      x = imagesToTensor(pixels, [images.length, first.height, first.width, 3], this.gpuTail.mean, this.gpuTail.std);
    } else if (inputs.every(isHostTensor)) {
      x = stackHost(inputs as HostTensor[]);
    } else {
      throw new Error(
        `DataLoader: a batch mixes Images and float tensors (samples ${indices.join(', ')}); give every sample the same transform`,
      );
    }
    const y = tensor(labels, { shape: [labels.length] });
    return { x, y, dispose: () => (x.dispose(), y.dispose()) };
  }
}
