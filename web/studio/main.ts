/**
 * The fine-tuning studio (web/index.html): pick a model and weights and a folder of images, train
 * in two phases with live curves, inspect the confusion matrix and predictions, classify any
 * image, download the weights. The GPU work is the engine's (engine.ts, in a worker when
 * possible); this file is the page. `?demo=1` runs the ants/bees demo on its own; the state is
 * published as `window.shadergradStudio` for tests and automation.
 */
import { checkWebGpu, formatLimits } from '../common/webgpu.js';
import { startEngine, type EngineClient } from './engine_client.js';
import { fromDrop, fromInput, fromSample, type PickedFolder } from './files.js';
import type { EngineEvent, TrainRequest } from './protocol.js';
import { type BatchPoint, confusionTable, drawCurves, predictionGrid, topBars } from './views.js';
import { DEFAULTS, DEMO, SHIPPED_WEIGHTS, defaultImageSize } from './settings.js';
import type * as sg from '../../src/index.js';

/** What tests and automation read: `window.shadergradStudio`. */
interface StudioState {
  status: 'running' | 'done' | 'error';
  message?: string;
  classes: string[];
  history: Array<{ phase: number | string; epoch: number; trainLoss: number; valAcc: number }>;
  prediction: { label: string; probability: number } | null;
  /** Where the engine runs ('worker' or 'main thread'), the adapter it uses and its matmul and conv2d kernel versions. */
  engine?: string;
  adapter?: string;
  kernels?: { matmul: string; conv: string };
  /** 'timed' when this load timed the matmul versions, 'cache' when it reused this browser's earlier choice. */
  matmulTuning?: string | null;
  /** Median milliseconds per training batch in the last epoch of the last run (between batch events, data loading included), and the batch size. */
  msPerBatch?: number;
  batchSize?: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const state: StudioState = { status: 'running', classes: [], history: [], prediction: null };
let engine: EngineClient | null = null;
let folder: PickedFolder | null = null;
let userWeights: { name: string; bytes: Uint8Array } | null = null;
let rows: sg.train.EpochRow[] = [];
let points: BatchPoint[] = [];
let totalEpochs = 1;
/** Milliseconds between batch events, per epoch (full batches, not an epoch's first). */
let batchTimes: number[][] = [];
let lastBatchAt = 0;
let lastEpoch = 0;
let onDone: (() => void) | null = null;
let onPrediction: (() => void) | null = null;

function publish(patch: Partial<StudioState>): void {
  Object.assign(state, patch);
  (window as unknown as { shadergradStudio: StudioState }).shadergradStudio = state;
}

function fail(message: string): void {
  publish({ status: 'error', message });
  $('error').textContent = message;
  $('error').hidden = false;
}

function log(line: string): void {
  const pre = $('log');
  pre.textContent += line + '\n';
  pre.scrollTop = pre.scrollHeight;
}

function onEvent(e: EngineEvent): void {
  if (e.type === 'log') log(e.line);
  else if (e.type === 'progress') $('progress').textContent = e.text.trim();
  else if (e.type === 'batch') onBatch(e);
  else if (e.type === 'epoch') {
    rows.push(e.row);
    state.history.push({ phase: e.row.phase, epoch: e.row.epoch, trainLoss: e.row.trainLoss, valAcc: e.row.valAcc });
    drawCurves($<HTMLCanvasElement>('curves'), rows, points, totalEpochs);
  } else if (e.type === 'done') onTrained(e);
  else if (e.type === 'prediction') {
    $('top5').replaceChildren(topBars(e.top));
    $('top5-name').textContent = e.name;
    publish({ prediction: { label: e.top[0].label, probability: e.top[0].probability } });
    onPrediction?.();
  } else if (e.type === 'exported') {
    download('model.safetensors', new Blob([e.safetensors as BlobPart], { type: 'application/octet-stream' }));
    download('classes.json', new Blob([e.classes], { type: 'application/json' }));
  } else if (e.type === 'error') {
    log(`error (${e.request}): ${e.message}`);
    if (e.request === 'train') setTraining(false);
    fail(`${e.request}: ${e.message}`);
  }
}

function onBatch(e: Extract<EngineEvent, { type: 'batch' }>): void {
  const now = performance.now();
  // Full batches only, and not the first of an epoch (the gap holds the previous validation).
  if (e.epoch === lastEpoch && e.seen < e.samples) (batchTimes[e.epoch] ??= []).push(now - lastBatchAt);
  [lastBatchAt, lastEpoch] = [now, e.epoch];
  points.push([e.epoch - 1 + e.seen / e.samples, e.loss]);
  const rate = e.imagesDone / e.seconds;
  const left = e.samples * e.epochs - e.imagesDone;
  $('rate').textContent = `${rate.toFixed(1)} images/s`;
  $('eta').textContent = `ETA ${formatSeconds(left / rate)} (training; validation adds a little)`;
  $('epoch').textContent =
    `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, accuracy ${(100 * e.acc).toFixed(1)}%`;
  if (points.length % 4 === 0) drawCurves($<HTMLCanvasElement>('curves'), rows, points, totalEpochs);
}

function onTrained(e: Extract<EngineEvent, { type: 'done' }>): void {
  setTraining(false);
  drawCurves($<HTMLCanvasElement>('curves'), rows, points, totalEpochs);
  // The training step of the last epoch (phase 2 trains everything): its median.
  const sorted = [...(batchTimes[batchTimes.length - 1] ?? [])].sort((a, b) => a - b);
  publish({ classes: e.classes, msPerBatch: sorted[sorted.length >> 1] });
  $('summary').textContent =
    e.bestEpoch === 0
      ? `Stopped after ${formatSeconds(e.seconds)}, before the first epoch ended: the model holds the weights as they were.`
      : `${e.interrupted ? 'Stopped' : 'Done'} in ${formatSeconds(e.seconds)}: best validation accuracy ` +
        `${(100 * e.bestAcc).toFixed(1)}% at epoch ${e.bestEpoch}; the model holds those weights.`;
  if (e.confusion) $('confusion').replaceChildren(confusionTable(e.confusion, e.classes));
  $('grid').replaceChildren(predictionGrid(e.grid));
  for (const id of ['results', 'try']) $(id).hidden = false;
  // The demo waits for this run (then predicts before it is done); any other run is done now.
  const waiting = onDone;
  onDone = null;
  if (waiting) waiting();
  else publish({ status: 'done' });
}

function setTraining(on: boolean): void {
  $<HTMLButtonElement>('train').disabled = on || !folder || !engine;
  $<HTMLButtonElement>('stop').disabled = !on;
}

const formatSeconds = (s: number) =>
  !Number.isFinite(s) ? '-' : s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const num = (id: string) => Number($<HTMLInputElement>(id).value);
const val = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id).value;

async function weightsBytes(model: string): Promise<Uint8Array | null> {
  const choice = val('weights');
  if (choice === 'file') {
    if (!userWeights) throw new Error('choose a weight file (.pth, .th or .safetensors) or another weights option');
    return userWeights.bytes;
  }
  if (choice === 'random') return null;
  const url = SHIPPED_WEIGHTS[model];
  if (!url) throw new Error(`no shipped weights for ${model}: choose random initialisation or a file`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Starts a run with the form's settings. */
async function train(): Promise<void> {
  if (!engine || !folder) return;
  const model = val('model');
  const weights = await weightsBytes(model);
  rows = [];
  points = [];
  batchTimes = [];
  lastEpoch = 0;
  totalEpochs = num('head-epochs') + num('fine-epochs');
  publish({ status: 'running', history: [], prediction: null, message: undefined, batchSize: num('batch-size') });
  $('error').hidden = true;
  $('log').textContent = '';
  const valSplit = 0.2;
  const request: TrainRequest = {
    type: 'train',
    model,
    weights,
    train: folder.train,
    val: folder.val,
    valSplit,
    trainCount: folder.val ? folder.train.length : folder.train.length - Math.round(folder.train.length * valSplit),
    freeze: val('freeze') as sg.train.Freeze,
    headEpochs: num('head-epochs'),
    fineEpochs: num('fine-epochs'),
    headLr: num('head-lr'),
    backboneLr: num('backbone-lr'),
    batchSize: num('batch-size'),
    optimizer: val('optimizer') as sg.train.OptimizerName,
    scheduler: val('scheduler') as sg.train.SchedulerName,
    imageSize: num('image-size'),
    seed: 0,
  };
  setTraining(true);
  engine.send(request);
}

function useFolder(f: PickedFolder): void {
  folder = f;
  const classes = [...new Set(f.train.map((x) => x.path.split('/')[0]))].sort();
  $('data-summary').textContent =
    `${f.name}: ${f.train.length} training images` +
    (f.val ? `, ${f.val.length} validation images (its val/ folder)` : ' (20% held out for validation)') +
    `; ${classes.length} classes: ${classes.join(', ')}`;
  setTraining(false);
}

function wire(): void {
  for (const [id, v] of Object.entries(DEFAULTS)) $<HTMLInputElement>(id).value = String(v);
  const model = $<HTMLSelectElement>('model');
  const syncModel = () => {
    $<HTMLInputElement>('image-size').value = String(defaultImageSize(model.value));
    const shipped = $<HTMLOptionElement>('weights-shipped');
    shipped.disabled = !SHIPPED_WEIGHTS[model.value];
    if (shipped.disabled && val('weights') === 'shipped') $<HTMLSelectElement>('weights').value = 'random';
  };
  model.onchange = syncModel;
  syncModel();
  const takeWeights = async (file: File) => {
    userWeights = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    $<HTMLSelectElement>('weights').value = 'file';
    $('weights-name').textContent = `${file.name} (${(file.size / 2 ** 20).toFixed(1)} MiB)`;
  };
  $<HTMLInputElement>('weights-file').onchange = (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void takeWeights(f);
  };
  dropZone($('weights-drop'), (dt) => dt.files[0] && void takeWeights(dt.files[0]));
  $('use-sample').onclick = () => void fromSample().then(useFolder, (e) => fail(String(e.message ?? e)));
  $<HTMLInputElement>('folder').onchange = (e) => {
    const files = (e.target as HTMLInputElement).files;
    if (files?.length) void fromInput(files).then(useFolder, (err) => fail(String(err.message ?? err)));
  };
  dropZone(
    $('folder-drop'),
    (dt) => void fromDrop(dt.items).then((f) => (f ? useFolder(f) : fail('drop a folder (one sub-folder per class)'))),
  );
  $('train').onclick = () => void train().catch((e) => fail(String(e.message ?? e)));
  $('stop').onclick = () => engine?.send({ type: 'stop' });
  const predictFile = async (file: File) =>
    engine?.send({ type: 'predict', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  $<HTMLInputElement>('predict-file').onchange = (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void predictFile(f);
  };
  dropZone($('predict-drop'), (dt) => dt.files[0] && void predictFile(dt.files[0]));
  $('download').onclick = () => engine?.send({ type: 'export' });
}

function dropZone(el: HTMLElement, onDrop: (dt: DataTransfer) => void): void {
  el.ondragover = (e) => {
    e.preventDefault();
    el.classList.add('over');
  };
  el.ondragleave = () => el.classList.remove('over');
  el.ondrop = (e) => {
    e.preventDefault();
    el.classList.remove('over');
    if (e.dataTransfer) onDrop(e.dataTransfer);
  };
}

/** `?demo=1`: the shipped sample and CIFAR ResNet, a short schedule, then one prediction. */
async function demo(): Promise<void> {
  useFolder(await fromSample());
  for (const [id, v] of Object.entries(DEMO)) $<HTMLInputElement>(id).value = String(v);
  $<HTMLSelectElement>('weights').value = 'shipped';
  await new Promise<void>((resolve) => {
    onDone = resolve;
    void train().catch((e) => fail(String(e.message ?? e)));
  });
  const first = folder!.val![0];
  const bytes = 'bytes' in first ? first.bytes : null;
  if (!bytes) throw new Error('demo: the first validation image is not a JPEG');
  await new Promise<void>((resolve) => {
    onPrediction = resolve;
    engine!.send({ type: 'predict', name: `val/${first.path}`, bytes });
  });
  publish({ status: 'done' });
}

async function main(): Promise<void> {
  publish({});
  wire();
  setTraining(false);
  const check = await checkWebGpu();
  if (!check.ok) return fail(check.message);
  $('gpu').textContent = `${check.adapter} (${check.featureLevel === 'core' ? 'WebGPU' : 'WebGPU compatibility mode'})`;
  $('limits').textContent = formatLimits(check.limits);
  engine = await startEngine(check.featureLevel, onEvent);
  publish({
    engine: engine.mode,
    adapter: engine.ready.adapter,
    kernels: engine.ready.kernels,
    matmulTuning: engine.ready.tuning,
  });
  // Every zoo model, by torchvision name; the CIFAR ResNets first (they have shipped weights).
  const model = $<HTMLSelectElement>('model');
  const names = [...engine.ready.models].sort((a, b) => Number(b.startsWith('cifar')) - Number(a.startsWith('cifar')));
  model.replaceChildren(...names.map((m) => new Option(m, m, m === DEFAULTS.model, m === DEFAULTS.model)));
  $<HTMLSelectElement>('weights').value = String(DEFAULTS.weights);
  model.dispatchEvent(new Event('change'));
  $('engine').textContent = engine.mode === 'worker' ? 'training in a Web Worker' : 'training on the main thread';
  setTraining(false);
  if (params.get('demo') === '1') await demo();
  else publish({ status: 'done' });
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
