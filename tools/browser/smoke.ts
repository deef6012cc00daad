// Browser smoke test for shadergrad: bundled by tools/browser/run.mjs (esbuild, platform
// 'browser') and loaded by tools/browser/index.html in headless Chromium. Each check is logged
// as a console line `SG_CHECK {json}` and collected in `window.__sgResults`; when all are done
// `window.__sgDone` is set (and `SG_DONE {json}` logged). Compare against float64 JS references.
import * as sg from '../../src/index.js';
import { close, convRef, crossEntropyRef, values } from './smoke_refs.js';

interface Check {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}
interface Probe {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  featureLevel: string;
}
interface Summary {
  adapter: sg.DeviceInfo | null;
  probe?: Probe;
  featureLevel: string;
  checks: Check[];
  passed: number;
  failed: number;
  fatal?: string;
}

const params = new URLSearchParams(location.search);
const featureLevel = params.get('featureLevel') ?? 'compatibility';
const summary: Summary = { adapter: null, featureLevel, checks: [], passed: 0, failed: 0 };
const w = window as unknown as { __sgResults: Summary; __sgDone: boolean };
w.__sgResults = summary;
w.__sgDone = false;

function log(line: string): void {
  console.log(line);
  const pre = document.getElementById('log');
  if (pre) pre.textContent += line + '\n';
}

async function check(name: string, fn: () => Promise<string>): Promise<void> {
  const start = performance.now();
  let ok = false;
  let detail: string;
  try {
    detail = await fn();
    ok = true;
  } catch (e) {
    detail = e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
  }
  const c: Check = { name, ok, ms: Math.round(performance.now() - start), detail };
  summary.checks.push(c);
  if (ok) summary.passed++;
  else summary.failed++;
  log(`SG_CHECK ${JSON.stringify(c)}`);
}

const t = (data: Float64Array, shape: number[], requiresGrad = false) => sg.tensor(data, { shape, requiresGrad });

async function matmulCheck(m: number, k: number, n: number, seed: number): Promise<string> {
  const a = values(m * k, seed);
  const b = values(k * n, seed + 1);
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q] * b[q * n + j];
      want[i * n + j] = s;
    }
  const c = sg.matmul(t(a, [m, k]), t(b, [k, n]));
  if (c.shape.join() !== `${m},${n}`) throw new Error(`shape [${c.shape}], expected [${m}, ${n}]`);
  return close(await c.data(), want, `matmul ${m}x${k}x${n}`, 1e-4, 1e-4);
}

async function convCheck(): Promise<string> {
  const xs = [2, 3, 7, 5];
  const ws = [4, 3, 3, 3];
  const pad = 1;
  const x = values(
    xs.reduce((a, b) => a * b),
    11,
  );
  const wt = values(
    ws.reduce((a, b) => a * b),
    12,
  );
  const bias = values(ws[0], 13);
  const probe = convRef(x, wt, bias, null, xs, ws, pad);
  const g = values(probe.y.length, 14, 0.5, 1.5);
  const want = convRef(x, wt, bias, g, xs, ws, pad);
  const tx = t(x, xs, true);
  const tw = t(wt, ws, true);
  const tb = t(bias, [ws[0]], true);
  const y = sg.conv2d(tx, tw, tb, { padding: pad });
  if (y.shape.join() !== want.outShape.join()) throw new Error(`shape [${y.shape}], expected [${want.outShape}]`);
  const parts = [close(await y.data(), want.y, 'y')];
  y.mul(t(g, want.outShape)).sum().backward();
  parts.push(close(await tx.grad!.data(), want.dx, 'dx'));
  parts.push(close(await tw.grad!.data(), want.dw, 'dW'));
  parts.push(close(await tb.grad!.data(), want.db, 'db'));
  return parts.join('; ');
}

async function crossEntropyCheck(): Promise<string> {
  const [n, c] = [9, 7];
  const logits = values(n * c, 21, -3, 3);
  const target = Array.from({ length: n }, (_, i) => (i * 5 + 2) % c);
  const tl = t(logits, [n, c], true);
  const loss = sg.crossEntropy(tl, sg.tensor(target, { dtype: 'int32' }));
  const got = await loss.item();
  const want = crossEntropyRef(logits, target, n, c);
  const parts = [close([got], [want], 'loss', 1e-5, 1e-5)];
  // d loss / d logits = (softmax - onehot) / n
  const grad = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, logits[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j] - mx);
    for (let j = 0; j < c; j++)
      grad[i * c + j] = (Math.exp(logits[i * c + j] - mx) / s - (j === target[i] ? 1 : 0)) / n;
  }
  loss.backward();
  parts.push(close(await tl.grad!.data(), grad, 'dlogits', 1e-4, 1e-6));
  return parts.join('; ');
}

async function trainCheck(): Promise<string> {
  sg.manualSeed(0);
  const [n, inF, classes] = [32, 10, 3];
  const x = values(n * inF, 31);
  // Labels from a fixed linear rule, so the problem is learnable.
  const rule = values(inF * classes, 32);
  const target = Array.from({ length: n }, (_, i) => {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = 0;
      for (let q = 0; q < inF; q++) s += x[i * inF + q] * rule[q * classes + k];
      if (s > bestV) [best, bestV] = [k, s];
    }
    return best;
  });
  const tx = t(x, [n, inF]);
  const ty = sg.tensor(target, { dtype: 'int32' });
  const model = new sg.nn.Linear(inF, classes);
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.5 });
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    opt.zeroGrad();
    const loss = sg.crossEntropy(model.call(tx), ty);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
  }
  if (!losses.every(Number.isFinite)) throw new Error(`non-finite loss: ${losses.join(', ')}`);
  const first = losses[0];
  const last = losses[losses.length - 1];
  if (!(last < first * 0.8))
    throw new Error(`loss did not decrease enough: ${losses.map((v) => v.toFixed(4)).join(', ')}`);
  return `loss ${first.toFixed(4)} -> ${last.toFixed(4)} over 20 SGD steps`;
}

/**
 * sg.train in the browser: two phases of `fit` (the head alone, then everything) on a
 * TensorDataset, no output folder, progress through listeners; the loss must fall and the
 * frozen layer stay fixed in phase 1.
 */
async function fitCheck(): Promise<string> {
  sg.manualSeed(1);
  const n = 48;
  const x = Float32Array.from(values(n * 4, 41));
  const y = Int32Array.from({ length: n }, (_, i) => (x[4 * i] + x[4 * i + 1] > x[4 * i + 2] ? 1 : 0));
  const data = new sg.data.TensorDataset(
    { data: x, shape: [n, 4] },
    { data: y, shape: [n] },
  ) as unknown as sg.data.Dataset<sg.data.Example>;
  const body = new sg.nn.Linear(4, 8);
  const head = new sg.nn.Linear(8, 2);
  const model = new sg.nn.Sequential(body, new sg.nn.ReLU(), head);
  const frozen = Array.from(await body.weight.data());
  let afterPhase1: number[] = [];
  let batches = 0;
  const r = await sg.train.fit(model, {
    train: data,
    val: data,
    batchSize: 16,
    numWorkers: 0,
    optimizer: 'adam',
    phases: [
      { epochs: 2, groups: [{ name: 'head', params: head.parameters(), lr: 0.05 }] },
      {
        epochs: 2,
        groups: [
          { name: 'head', params: head.parameters(), lr: 0.05 },
          { name: 'body', params: body.parameters(), lr: 0.01 },
        ],
      },
    ],
    on: {
      batch: () => void batches++,
      epochEnd: async (row) => {
        if (row.epoch === 2) afterPhase1 = Array.from(await body.weight.data());
      },
    },
  });
  if (batches !== 12) throw new Error(`expected 12 batch events, got ${batches}`);
  if (afterPhase1.some((v, i) => v !== frozen[i])) throw new Error('the frozen layer changed in phase 1');
  const [first, last] = [r.rows[0].trainLoss, r.rows[3].trainLoss];
  if (!(last < first))
    throw new Error(`loss did not decrease: ${r.rows.map((row) => row.trainLoss.toFixed(4)).join(', ')}`);
  return `sg.train.fit, 2 phases x 2 epochs: loss ${first.toFixed(4)} -> ${last.toFixed(4)}, best val acc ${(100 * r.bestAcc).toFixed(1)}%`;
}

async function main(): Promise<void> {
  log(`navigator.gpu: ${'gpu' in navigator ? 'present' : 'absent'}; featureLevel ${featureLevel}`);
  await check('adapter probe', async () => {
    // A separate adapter, only to describe it (sg keeps its own). Chromium fills adapter.info
    // only with --enable-webgpu-developer-features (the runner passes it).
    const gpu = (navigator as unknown as { gpu?: GPU }).gpu;
    if (!gpu) throw new Error('navigator.gpu is undefined (WebGPU disabled in this browser)');
    const adapter = await gpu.requestAdapter(
      featureLevel === 'core' ? {} : ({ featureLevel } as GPURequestAdapterOptions),
    );
    if (!adapter) throw new Error(`requestAdapter({featureLevel: '${featureLevel}'}) returned null`);
    const info = adapter.info as unknown as Record<string, unknown>;
    const a = adapter as unknown as { featureLevel?: string; isCompatibilityMode?: boolean };
    summary.probe = {
      vendor: String(info.vendor ?? ''),
      architecture: String(info.architecture ?? ''),
      device: String(info.device ?? ''),
      description: String(info.description ?? ''),
      backend: String(info.backendType ?? ''),
      // A compatibility-mode adapter lacks the 'core-features-and-limits' feature.
      featureLevel:
        a.featureLevel ??
        (a.isCompatibilityMode !== undefined
          ? a.isCompatibilityMode
            ? 'compatibility'
            : 'core'
          : adapter.features.has('core-features-and-limits' as GPUFeatureName)
            ? 'core'
            : 'compatibility'),
    };
    const p = summary.probe;
    return (
      `description "${p.description}" vendor "${p.vendor}" architecture "${p.architecture}" device "${p.device}" backend "${p.backend}" featureLevel ${p.featureLevel}; ` +
      `features [${[...adapter.features].sort().join(', ')}]; limits maxComputeInvocationsPerWorkgroup ${adapter.limits.maxComputeInvocationsPerWorkgroup}, ` +
      `maxStorageBuffersPerShaderStage ${adapter.limits.maxStorageBuffersPerShaderStage}, maxStorageBufferBindingSize ${adapter.limits.maxStorageBufferBindingSize}`
    );
  });
  await check('init', async () => {
    const adapterOptions = featureLevel === 'core' ? {} : { featureLevel };
    const info = await sg.init({ adapter: adapterOptions });
    summary.adapter = info;
    return (
      `adapter "${info.adapterName}" vendor "${info.vendor}" arch "${info.architecture}"; ` +
      `features [${info.features.join(', ')}]; maxComputeInvocationsPerWorkgroup ${info.limits.maxComputeInvocationsPerWorkgroup}; ` +
      `maxStorageBuffersPerShaderStage ${info.limits.maxStorageBuffersPerShaderStage}; matmul version ${sg.chosenMatmulVersion()}`
    );
  });
  if (!summary.adapter) {
    summary.fatal = 'sg.init failed; skipping the other checks';
  } else {
    await check('matmul 37x29x23 (ragged)', () => matmulCheck(37, 29, 23, 1));
    await check('matmul 65x36x44 (vec4 path)', () => matmulCheck(65, 36, 44, 2));
    await check('matmul 1x127x3', () => matmulCheck(1, 127, 3, 3));
    await check('conv2d forward+backward [2,3,7,5] * [4,3,3,3] pad 1', convCheck);
    await check('crossEntropy forward+backward [9,7]', crossEntropyCheck);
    await check('Linear+CrossEntropy 20 SGD steps', trainCheck);
    await check('sg.train.fit: two phases, frozen layer, events', fitCheck);
  }
  log(`SG_DONE ${JSON.stringify({ passed: summary.passed, failed: summary.failed, fatal: summary.fatal ?? null })}`);
  w.__sgDone = true;
}

main().catch((e) => {
  summary.fatal = String(e instanceof Error ? (e.stack ?? e.message) : e);
  summary.failed++;
  log(`SG_DONE ${JSON.stringify({ passed: summary.passed, failed: summary.failed, fatal: summary.fatal })}`);
  w.__sgDone = true;
});
