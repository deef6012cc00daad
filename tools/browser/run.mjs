#!/usr/bin/env node
// Browser smoke test: bundles tools/browser/smoke.ts for the browser (esbuild, `.wgsl` as text),
// serves it with tools/browser/index.html from a static server on 127.0.0.1, opens it in headless
// Chromium (/usr/bin/chromium, driven by playwright-core) and reports the page's checks.
//
//   node tools/browser/run.mjs                 # lavapipe through ANGLE/Vulkan, WebGPU compatibility mode
//   node tools/browser/run.mjs --swiftshader   # SwiftShader instead (slower, core feature level)
//   node tools/browser/run.mjs --serve         # only build and serve; open the printed URL yourself
//
// Exit code 0 only if every check passed (or if Chromium is absent: then it prints that it skipped).
// Environment: CHROMIUM (default /usr/bin/chromium), SG_BROWSER_TIMEOUT (seconds, default 600).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const swiftshader = args.includes('--swiftshader');
const serveOnly = args.includes('--serve');
const verbose = args.includes('--verbose');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = Number(process.env.SG_BROWSER_TIMEOUT ?? 600) * 1000;

if (!serveOnly && !existsSync(chromiumPath)) {
  console.log(
    `browser smoke test SKIPPED: ${chromiumPath} not found (Debian: apt-get install -y --no-install-recommends chromium)`,
  );
  process.exit(0);
}

const t0 = performance.now();
const secs = (from = t0) => ((performance.now() - from) / 1000).toFixed(1);

// ---- bundle ----
const { build } = await import('esbuild');
const outDir = resolve(root, '.cache/browser');
mkdirSync(outDir, { recursive: true });
await build({
  entryPoints: [resolve(here, 'smoke.ts')],
  outfile: resolve(outDir, 'smoke.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // The library imports these only (dynamically) when running in Node.
  external: ['webgpu', 'node:*'],
  loader: { '.wgsl': 'text' },
  keepNames: true,
  sourcemap: 'inline',
  logLevel: 'warning',
});
console.log(`bundled tools/browser/smoke.ts -> .cache/browser/smoke.js in ${secs()} s`);

// ---- static server ----
const files = {
  '/': resolve(here, 'index.html'),
  '/index.html': resolve(here, 'index.html'),
  '/smoke.js': resolve(outDir, 'smoke.js'),
};
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file = files[path];
  if (!file || !(file.startsWith(here + sep) || file.startsWith(outDir + sep))) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = readFileSync(file);
    res
      .writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(body);
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
  }
});
await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
const port = server.address().port;
const url = `http://127.0.0.1:${port}/index.html?featureLevel=${swiftshader ? 'core' : 'compatibility'}`;

if (serveOnly) {
  console.log(`serving ${url} (Ctrl-C to stop)`);
  await new Promise(() => {});
}

// ---- browser ----
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(
    `browser smoke test: cannot load playwright-core (${e.message}); run \`npm install\` (it is a devDependency)`,
  );
  server.close();
  process.exit(1);
}

// --enable-webgpu-developer-features only makes adapter.info name the adapter (reported below).
const common = [
  '--no-sandbox',
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--ignore-gpu-blocklist',
  '--enable-webgpu-developer-features',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// lavapipe (Mesa's software Vulkan) is reachable only through ANGLE's Vulkan backend, as an
// OpenGL ES adapter: WebGPU compatibility mode.
const lavapipe = ['--use-webgpu-adapter=opengles', '--use-angle=vulkan'];
const chromeArgs = swiftshader ? [...common, '--use-webgpu-adapter=swiftshader'] : [...common, ...lavapipe];

process.env.XDG_RUNTIME_DIR ??= '/tmp';
let browser;
let failed = 1;
let passed = 0;
const stop = async () => {
  await browser?.close().catch(() => undefined);
  await new Promise((ok) => server.close(ok));
};
process.on('SIGINT', () => {
  stop().finally(() => process.exit(130));
});

try {
  const tLaunch = performance.now();
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromeArgs, timeout: 60_000 });
  console.log(
    `launched ${chromiumPath} (Chromium ${browser.version()}) in ${secs(tLaunch)} s, ${swiftshader ? 'SwiftShader' : 'lavapipe via ANGLE/Vulkan, compatibility mode'}`,
  );
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('SG_CHECK ')) {
      const c = JSON.parse(text.slice(9));
      const first = c.ok
        ? c.detail
        : c.detail
            .split('\n')
            .slice(0, verbose ? undefined : 6)
            .join('\n    ');
      console.log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name} (${(c.ms / 1000).toFixed(2)} s): ${first}`);
    } else if (text.startsWith('SG_DONE ')) {
      // summarised below
    } else if (verbose || msg.type() === 'error' || msg.type() === 'warning') {
      console.log(`[page ${msg.type()}] ${text}`);
    }
  });
  page.on('pageerror', (e) => {
    pageErrors.push(String(e));
    console.log(`[page exception] ${e}`);
  });
  page.on('crash', () => {
    pageErrors.push('page crashed');
    console.log('[page crashed]');
  });
  const tRun = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => window.__sgDone === true, null, { timeout: timeoutMs, polling: 250 });
  const results = await page.evaluate(() => window.__sgResults);
  const p = results.probe;
  if (p)
    console.log(
      `adapter: ${p.description || p.device || '?'} (vendor ${p.vendor || '-'}, architecture ${p.architecture || '-'}, backend ${p.backend || '-'}, featureLevel ${p.featureLevel}); sg.deviceInfo().adapterName "${results.adapter?.adapterName ?? '-'}"`,
    );
  if (p && !swiftshader && !/llvmpipe|lavapipe/i.test(`${p.description} ${p.device} ${p.architecture}`))
    console.log('note: the adapter does not look like lavapipe (llvmpipe)');
  if (results.fatal) console.log(`fatal: ${results.fatal}`);
  passed = results.passed;
  failed = results.failed + pageErrors.length;
  console.log(`page ran in ${secs(tRun)} s; total ${secs()} s`);
} catch (e) {
  console.log(`browser smoke test error: ${e.message ?? e}`);
  failed = Math.max(failed, 1);
} finally {
  await stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
