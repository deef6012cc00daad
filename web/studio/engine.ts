/**
 * The studio's engine: everything that touches the GPU. It runs in a Web Worker when the worker
 * gets a WebGPU adapter (worker.ts), else on the page's main thread (main.ts loads the same
 * module); either way it talks in the messages below. Training is `sg.train.finetune`, the call
 * `shadergrad finetune` makes: the same transforms, split, phases, loop and best-weight keeping.
 */
import * as sg from '../../src/index.js';
import type { EngineEvent, EngineRequest, GridItem, TrainRequest } from './protocol.js';

/** Posts an event to the page (postMessage in a worker, a callback on the main thread). */
export type Post = (e: EngineEvent, transfer?: Transferable[]) => void;

const THUMB = 56;

/** Handles the page's requests one by one; `post` carries the answers. */
export class Engine {
  private model: sg.nn.Module | null = null;
  private classes: string[] = [];
  private imageSize = 32;
  private modelName = '';
  private stop: AbortController | null = null;

  constructor(private readonly post: Post) {}

  /** Dispatches one request; errors become an 'error' event naming the request. */
  async handle(r: EngineRequest): Promise<void> {
    try {
      if (r.type === 'init') await this.init(r.featureLevel);
      else if (r.type === 'train') await this.train(r);
      else if (r.type === 'stop') this.stop?.abort();
      else if (r.type === 'predict') await this.predict(r.name, r.bytes);
      else if (r.type === 'export') await this.export();
    } catch (e) {
      this.post({ type: 'error', request: r.type, message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async init(featureLevel: string): Promise<void> {
    const adapter = { featureLevel } as GPURequestAdapterOptions;
    // The device first (the page learns that this engine has WebGPU), then the matmul tuning
    // (it times the kernel versions: seconds on a software driver).
    const info = await sg.init({ adapter, tune: false });
    this.post({ type: 'adapter', name: info.adapterName });
    await sg.init({ adapter });
    this.post({
      type: 'ready',
      adapter: info.adapterName,
      limits: info.limits,
      features: info.features,
      models: [...sg.models.names],
      kernels: { matmul: sg.chosenMatmulVersion(), conv: sg.chosenConvVersion() },
      tuning: sg.matmulTuning()?.source ?? null,
    });
  }

  private async train(r: TrainRequest): Promise<void> {
    if (this.model) sg.models.disposeModel(this.model);
    this.model = null;
    this.stop = new AbortController();
    this.imageSize = r.imageSize;
    this.modelName = r.model;
    const epochs = r.headEpochs + r.fineEpochs;
    const started = performance.now();
    let imagesDone = 0;
    const result = await sg.train.finetune({
      data: r.train,
      val: r.val ?? undefined,
      valSplit: r.valSplit,
      model: r.model,
      weights: r.weights ?? undefined,
      freeze: r.freeze,
      headLr: r.headLr,
      backboneLr: r.backboneLr,
      epochs,
      headEpochs: r.headEpochs,
      batchSize: r.batchSize,
      optimizer: r.optimizer,
      scheduler: r.scheduler,
      imageSize: r.imageSize,
      seed: r.seed,
      numWorkers: 0,
      keepBest: true,
      signal: this.stop.signal,
      // The command line's own display: its lines, and its progress bar as text.
      log: (line) => this.post({ type: 'log', line }),
      stream: { write: (text: string) => this.post({ type: 'progress', text: String(text).replace(/\r/g, '') }) },
      on: {
        batch: (e) =>
          this.post({
            type: 'batch',
            epoch: e.epoch,
            epochs: e.epochs,
            seen: e.seen,
            samples: e.samples,
            loss: e.loss,
            acc: e.acc,
            imagesDone: imagesDone + e.seen,
            seconds: (performance.now() - started) / 1000,
          }),
        epochTrained: (e) => void (imagesDone += e.interrupted ? 0 : r.trainCount),
        epochEnd: (row, e) => this.post({ type: 'epoch', row, best: e.best }),
      },
    });
    this.model = result.model;
    this.classes = result.classes;
    const ev = result.evaluation;
    this.post({
      type: 'done',
      classes: result.classes,
      rows: result.rows,
      bestEpoch: result.bestEpoch,
      bestAcc: result.bestAcc,
      interrupted: result.interrupted,
      confusion: result.confusion ?? null,
      grid: ev ? grid(ev, result.classes, result.valImage) : [],
      seconds: (performance.now() - started) / 1000,
    });
  }

  /** Top-5 classes of one image through the evaluation transforms (resize, centre crop, normalise). */
  private async predict(name: string, bytes: Uint8Array): Promise<void> {
    if (!this.model) throw new Error('predict: train a model first');
    const image = sg.data.decodeImage(bytes, name);
    const x = sg.train.imageTransform(this.imageSize, false).apply(image) as sg.data.HostTensor;
    const probs = await sg.train.classify(this.model, x);
    const top = sg.train.topK(probs, Math.min(5, probs.length)).map((k) => ({
      label: this.classes[k],
      probability: probs[k],
    }));
    this.post({ type: 'prediction', name, top });
  }

  /** The model's weights as safetensors (loadable by PyTorch's `safetensors.torch.load_file`) and classes.json. */
  private async export(): Promise<void> {
    if (!this.model) throw new Error('export: train a model first');
    const bytes = await sg.io.toSafetensors(this.model.stateDict(), {
      metadata: { model: this.modelName, classes: JSON.stringify(this.classes) },
    });
    const classes = JSON.stringify(this.classes, null, 2) + '\n';
    this.post({ type: 'exported', safetensors: bytes, classes }, [bytes.buffer]);
  }
}

/** 24 validation images spread over the set (as predictions.png), as small RGBA thumbnails. */
function grid(ev: sg.train.Evaluation, classes: string[], image: (k: number) => sg.data.Image): GridItem[] {
  const n = ev.preds.length,
    shown = Math.min(24, n);
  return Array.from({ length: shown }, (_, i) => {
    const k = Math.floor((i * n) / shown);
    return {
      rgba: thumbnail(image(ev.indices[k])),
      size: THUMB,
      pred: classes[ev.preds[k]],
      target: classes[ev.targets[k]],
    };
  });
}

/** A THUMB x THUMB RGBA copy of the image's centre square (nearest neighbour). */
function thumbnail(im: sg.data.Image): Uint8ClampedArray {
  const side = Math.min(im.width, im.height),
    x0 = (im.width - side) >> 1,
    y0 = (im.height - side) >> 1;
  const out = new Uint8ClampedArray(THUMB * THUMB * 4);
  for (let y = 0; y < THUMB; y++)
    for (let x = 0; x < THUMB; x++) {
      const sx = x0 + Math.floor(((x + 0.5) * side) / THUMB),
        sy = y0 + Math.floor(((y + 0.5) * side) / THUMB);
      const s = (sy * im.width + sx) * 3,
        d = (y * THUMB + x) * 4;
      out.set([im.data[s], im.data[s + 1], im.data[s + 2], 255], d);
    }
  return out;
}
