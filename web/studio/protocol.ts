/**
 * The messages between the studio page (main.ts) and its engine (engine.ts, in a Web Worker or
 * on the main thread): requests go to the engine, events come back.
 */
import type * as sg from '../../src/index.js';

/** What the studio trains: `sg.train.finetune`'s options, with the data and weights as bytes. */
export interface TrainRequest {
  type: 'train';
  model: string;
  /** A weight file's bytes (.pth, .th, .safetensors), or null for random initialisation. */
  weights: Uint8Array | null;
  train: sg.data.ImageFile[];
  /** A separate validation folder, or null to hold out `valSplit` of `train`. */
  val: sg.data.ImageFile[] | null;
  valSplit: number;
  /** Training images per epoch (for images/s across epochs). */
  trainCount: number;
  freeze: sg.train.Freeze;
  headEpochs: number;
  fineEpochs: number;
  headLr: number;
  backboneLr: number;
  batchSize: number;
  optimizer: sg.train.OptimizerName;
  scheduler: sg.train.SchedulerName;
  imageSize: number;
  seed: number;
}

/** Requests from the page. */
export type EngineRequest =
  | { type: 'init'; featureLevel: string }
  | TrainRequest
  | { type: 'stop' }
  | { type: 'predict'; name: string; bytes: Uint8Array }
  | { type: 'export' };

/** One cell of the validation grid: a thumbnail (size x size RGBA) and its predicted and true class. */
export interface GridItem {
  rgba: Uint8ClampedArray;
  size: number;
  pred: string;
  target: string;
}

/** Events from the engine. */
export type EngineEvent =
  | { type: 'adapter'; name: string }
  | {
      type: 'ready';
      adapter: string;
      limits: Record<string, number>;
      features: string[];
      models: string[];
      kernels: { matmul: string; conv: string };
      /** How the matmul version was chosen: timed at this load, or read from this browser's cache (IndexedDB). */
      tuning: 'timed' | 'cache' | 'memory' | null;
    }
  | { type: 'log'; line: string }
  | { type: 'progress'; text: string }
  | {
      type: 'batch';
      epoch: number;
      epochs: number;
      seen: number;
      samples: number;
      loss: number;
      acc: number;
      /** Training images processed since the run started, and the seconds it took. */
      imagesDone: number;
      seconds: number;
    }
  | { type: 'epoch'; row: sg.train.EpochRow; best: boolean }
  | {
      type: 'done';
      classes: string[];
      rows: sg.train.EpochRow[];
      bestEpoch: number;
      bestAcc: number;
      interrupted: boolean;
      confusion: number[][] | null;
      grid: GridItem[];
      seconds: number;
    }
  | { type: 'prediction'; name: string; top: Array<{ label: string; probability: number }> }
  | { type: 'exported'; safetensors: Uint8Array; classes: string }
  | { type: 'error'; request: string; message: string };
