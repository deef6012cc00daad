#!/usr/bin/env node
// End-to-end test of the site (web/): builds it (tools/web.mjs), serves it on 127.0.0.1, and in
// headless Chromium (Debian's /usr/bin/chromium through playwright-core; WebGPU compatibility
// mode over lavapipe, as the smoke test runs) drives both automation modes:
//   /?demo=1            the studio fine-tunes the shipped CIFAR ResNet-20 on the ants/bees sample,
//                       then predicts a validation image; the download is checked too
//   /bench.html?auto=1  the quick benchmark pass, with TensorFlow.js beside it
// It checks the published state (window.shadergradStudio / window.shadergradBench), that no
// page error happened, and writes screenshots of both pages to docs/web/ (the README shows them).
//
//   node tools/browser/web_e2e.mjs                  (npm run test:web)
//   node tools/browser/web_e2e.mjs --compare-node   also time the same training step in Node
//   node tools/browser/web_e2e.mjs --only=bench     one page (studio or bench)
//
// Exit code 0 only if every check passed, or if Chromium is absent (then it says it skipped).
// Environment: CHROMIUM (default /usr/bin/chromium), SG_BROWSER_TIMEOUT (seconds per page, default 900).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite, serveSite } from '../web.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice(7);
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = Number(process.env.SG_BROWSER_TIMEOUT ?? 900) * 1000;
if (!existsSync(chromiumPath)) {
  console.log(
    `web e2e test SKIPPED: ${chromiumPath} not found (Debian: apt-get install -y --no-install-recommends chromium)`,
  );
  process.exit(0);
}
process.env.XDG_RUNTIME_DIR ??= '/tmp';

let passed = 0,
  failed = 0;
function check(name, ok, detail = '') {
  ok ? passed++ : failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}
const t0 = performance.now();
const secs = (from = t0) => ((performance.now() - from) / 1000).toFixed(1);

const sizes = await buildSite();
const server = await serveSite(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const shots = resolve(root, 'docs/web');
mkdirSync(shots, { recursive: true });

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  timeout: 60_000,
  args: [
    '--no-sandbox',
    '--headless=new',
    '--enable-unsafe-webgpu',
    '--ignore-gpu-blocklist',
    '--enable-webgpu-developer-features',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    // lavapipe is reachable only through ANGLE's Vulkan backend, as an OpenGL ES adapter: compatibility mode.
    '--use-webgpu-adapter=opengles',
    '--use-angle=vulkan',
  ],
});
console.log(
  `Chromium ${browser.version()}; site built (${Object.entries(sizes)
    .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`)
    .join(', ')}) and served at ${base}`,
);

// One browser context for every page: they share the origin's storage, as a visitor's tabs do
// (the matmul tuning that the first page stores in IndexedDB is reused by the next).
const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });

/** Opens a page, collecting its errors; waits until `global.status` is no longer 'running'. */
async function open(path, global) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  let crashed = false;
  page.on('crash', () => {
    crashed = true;
    errors.push('page crashed');
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    if (m.type() === 'error' || m.type() === 'warning')
      console.log(`  [${path} ${m.type()}] ${m.text().slice(0, 300)}`);
  });
  const start = performance.now();
  await page.goto(base + path);
  // Poll the published state, printing its progress (a CI log shows where a slow run is).
  let said = '';
  for (;;) {
    const s = await page.evaluate((g) => window[g] ?? null, global).catch(() => null);
    if ((s && s.status !== 'running') || crashed) break;
    if (performance.now() - start > timeoutMs) {
      errors.push(`timed out after ${timeoutMs / 1000} s`);
      break;
    }
    const now = s ? `${s.status}, ${(s.history ?? s.rows ?? []).length} ${s.history ? 'epochs' : 'rows'}` : 'loading';
    if (now !== said) console.log(`  ${path}: ${now} (${secs(start)} s)`);
    said = now;
    await new Promise((ok) => setTimeout(ok, 2000));
  }
  const state = crashed ? null : await page.evaluate((g) => window[g], global);
  console.log(`${path}: ${state?.status} after ${secs(start)} s`);
  return { page, state, errors };
}

async function studio() {
  const { page, state, errors } = await open('?demo=1', 'shadergradStudio');
  check('studio: status done', state?.status === 'done', state?.message ?? state?.status);
  check('studio: no page errors', errors.length === 0, errors.join(' | '));
  if (!state) return;
  console.log(`  engine: ${state.engine}, adapter: ${state.adapter}`);
  const h = state.history;
  check(
    'studio: epochs in two phases',
    h.length >= 4 && h[0].phase === 1 && h[h.length - 1].phase === 2,
    JSON.stringify(h.map((r) => r.phase)),
  );
  const best = Math.max(...h.map((r) => r.valAcc));
  check('studio: validation accuracy > 60%', best > 0.6, h.map((r) => `${(100 * r.valAcc).toFixed(1)}%`).join(' '));
  check(
    'studio: training loss falls',
    h.length > 1 && h[h.length - 1].trainLoss < h[0].trainLoss,
    h.map((r) => r.trainLoss.toFixed(4)).join(' '),
  );
  check('studio: classes', JSON.stringify(state.classes) === '["ants","bees"]', JSON.stringify(state.classes));
  const p = state.prediction;
  check(
    'studio: a prediction',
    !!p && state.classes.includes(p.label) && p.probability > 0 && p.probability <= 1,
    JSON.stringify(p),
  );
  const shown = await page.evaluate(() => ({
    confusion: document.querySelectorAll('#confusion td').length,
    grid: document.querySelectorAll('#grid figure').length,
    top: document.querySelectorAll('#top5 li').length,
  }));
  check(
    'studio: confusion matrix, prediction grid and top classes shown',
    shown.confusion === 9 && shown.grid === 24 && shown.top === 2,
    JSON.stringify(shown),
  );
  // The page saves model.safetensors and classes.json one after the other; their download events
  // may arrive in either order, so wait for the weights by name.
  const weightsFile = (d) => d.suggestedFilename() === 'model.safetensors';
  const [download] = await Promise.all([
    page.waitForEvent('download', { predicate: weightsFile, timeout: 60_000 }),
    page.click('#download'),
  ]);
  const file = await download.path();
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  check(
    'studio: model.safetensors downloads with the new 2-class head',
    download.suggestedFilename() === 'model.safetensors' &&
      JSON.stringify(header['linear.weight']?.shape) === '[2,64]' &&
      header.__metadata__?.classes === '["ants","bees"]',
    `${bytes.length} bytes, ${Object.keys(header).length - 1} tensors`,
  );
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: resolve(shots, 'studio.png'), fullPage: true });
  // Stop: a second run from the form (2 epochs of phase 1), stopped during its second epoch.
  await page.fill('#head-epochs', '2');
  await page.fill('#fine-epochs', '0');
  await page.click('#train');
  await page.waitForFunction(() => window.shadergradStudio.history.length === 1, null, {
    timeout: timeoutMs,
    polling: 500,
  });
  await page.click('#stop');
  await page.waitForFunction(() => window.shadergradStudio.status !== 'running', null, {
    timeout: timeoutMs,
    polling: 500,
  });
  const summary = await page.textContent('#summary');
  check(
    'studio: Stop ends the run with the best weights kept',
    /^Stopped .*best validation accuracy .* at epoch 1; the model holds those weights/.test(summary ?? ''),
    summary ?? '',
  );
  if (state.msPerBatch)
    console.log(
      `  training step in the page: ${state.msPerBatch.toFixed(0)} ms per batch of ${state.batchSize} (median, data loading included)`,
    );
  await page.close();
  // A second load of the studio finds the matmul choice the first one stored (no re-timing).
  const again = await open('', 'shadergradStudio');
  check(
    'studio: a second load reuses the stored matmul tuning',
    state.matmulTuning === 'timed' && again.state?.matmulTuning === 'cache' && again.errors.length === 0,
    `first load ${state.matmulTuning}, second ${again.state?.matmulTuning}`,
  );
  await again.page.close();
  return state.msPerBatch ? { ms: state.msPerBatch, kernels: state.kernels } : undefined;
}

async function bench() {
  const { page, state, errors } = await open('bench.html?auto=1', 'shadergradBench');
  check('bench: status done', state?.status === 'done', state?.message ?? state?.status);
  check('bench: no page errors', errors.length === 0, errors.join(' | '));
  if (!state) return;
  const rows = state.rows;
  for (const r of rows) console.log(`  ${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
  const has = (re, tf) => rows.some((r) => re.test(r.name) && /TensorFlow/.test(r.name) === tf && r.value > 0);
  check('bench: adapter named', !!state.adapter, `${state.adapter} (matmul tuning: ${state.matmulTuning})`);
  check(
    'bench: matmul, conv, pooling and training step figures > 0',
    [/^matmul/, /^conv2d forward/, /^max_pool2d/, /training step/].every((re) => has(re, false)),
  );
  check(
    'bench: TensorFlow.js rows > 0',
    [/^matmul/, /^conv2d forward/, /training step/].every((re) => has(re, true)),
  );
  check(
    'bench: every figure positive',
    rows.length > 8 && rows.every((r) => r.value > 0 && Number.isFinite(r.value)),
    `${rows.length} rows`,
  );
  const links = await page.$$eval('a.wgsl', (as) => as.map((a) => a.getAttribute('href')));
  const first = links[1] ? await (await fetch(base + links[1])).text() : '';
  check(
    'bench: kernels link to their WGSL files',
    links.length >= 6 && first.startsWith('//'),
    `${links.length} links, e.g. ${links[1]}`,
  );
  await page.screenshot({ path: resolve(shots, 'bench.png'), fullPage: true });
  await page.close();
  return rows;
}

let pageStep, benchRows;
try {
  if (only !== 'bench') pageStep = await studio();
  if (only !== 'studio') benchRows = await bench();
} catch (e) {
  check('e2e run', false, e.stack ?? String(e));
} finally {
  await browser.close();
  server.close();
}
if (args.includes('--compare-node') && pageStep) {
  // The same step in Node on the same driver, first with Node's own kernel choice, then with the page's.
  const node = (versions) => {
    const out = execFileSync('node', ['tools/run.mjs', 'bench/studio_step.ts', ...versions], {
      cwd: root,
      encoding: 'utf8',
    });
    return Number(/NODE_MS_PER_BATCH (\S+)/.exec(out)?.[1]);
  };
  const own = node([]);
  const same = node([pageStep.kernels.matmul, pageStep.kernels.conv]);
  console.log(
    `training step (ResNet-20, batch 32, data loading included): page ${pageStep.ms.toFixed(0)} ms ` +
      `(matmul ${pageStep.kernels.matmul}, conv2d ${pageStep.kernels.conv}); Node ${own.toFixed(0)} ms with its own kernels ` +
      `(${(pageStep.ms / own).toFixed(2)}x), ${same.toFixed(0)} ms with the page's (${(pageStep.ms / same).toFixed(2)}x)`,
  );
}
if (args.includes('--compare-node') && benchRows) {
  // The fixed cost of one dispatch, page against Node (bench/dispatch_overhead.ts on both sides).
  const out = execFileSync('node', ['tools/run.mjs', 'bench/dispatch_node.ts'], { cwd: root, encoding: 'utf8' });
  const node = JSON.parse(/DISPATCH_US (.*)/.exec(out)[1]);
  for (const n of node) {
    const p = benchRows.find((r) => r.name === `empty dispatch: ${n.name}`);
    if (p)
      console.log(
        `empty dispatch, ${n.name}: page ${p.value.toFixed(1)} us, Node ${n.us.toFixed(1)} us (${(p.value / n.us).toFixed(2)}x)`,
      );
  }
}
console.log(`screenshots in docs/web/; total ${secs()} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
