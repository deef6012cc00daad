#!/usr/bin/env node
// The site in web/ (the fine-tuning studio and the benchmark page): builds it into dist-web/ and
// serves it on http://127.0.0.1:$PORT (default 5173), or with --build only writes the static files.
//
//   npm run web                 build, then serve (Ctrl-C to stop)
//   npm run web -- --build      build only: dist-web/ is the whole site, host it on any static server
//   PORT=8080 npm run web       another port (0: any free port)
//
// dist-web/ holds the three bundles (studio.js, studio-worker.js, bench.js; esbuild, shaders as
// text), the pages and style, the ants/bees sample (sample/, with manifest.json listing its
// files), the CIFAR ResNet weights (weights/), and every WGSL file (shaders/, the bench
// probes included) with shaders/index.json, which the benchmark page uses
// to link a kernel to its file.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserPlugins } from './browser_plugins.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'dist-web');

/** Every file under `dir`, as paths relative to it with '/' separators, sorted. */
function filesUnder(dir) {
  const found = [];
  const visit = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else found.push(relative(dir, p).split(sep).join('/'));
    }
  };
  visit(dir);
  return found;
}

/** FNV-1a of a text (also in web/bench/shader_links.ts): the page finds a kernel's file by its source's hash. */
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Builds the site into dist-web/; returns the bundle sizes in bytes. */
export async function buildSite({ quiet = false } = {}) {
  const t0 = performance.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bundles = {
    'studio.js': 'web/studio/main.ts',
    'studio-worker.js': 'web/studio/worker.ts',
    'bench.js': 'web/bench/main.ts',
  };
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(bundles).map(([o, i]) => [o.replace(/\.js$/, ''), resolve(root, i)]),
    ),
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    loader: { '.wgsl': 'text', '.wasm': 'binary' },
    plugins: browserPlugins,
    // The studio page loads the worker's bundle itself (main-thread fallback): keep it a URL.
    external: ['./studio-worker.js'],
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'bench.html', 'style.css']) cpSync(resolve(root, 'web', f), join(out, f));
  const sample = resolve(root, 'examples/data/hymenoptera');
  const sampleFiles = filesUnder(sample).filter((f) => /^(train|val)\/[^/]+\/.+\.(jpe?g|png)$/i.test(f));
  for (const f of sampleFiles) cpSync(join(sample, f), join(out, 'sample', f));
  writeFileSync(join(out, 'sample/manifest.json'), JSON.stringify(sampleFiles) + '\n');
  cpSync(join(sample, 'PROVENANCE.md'), join(out, 'sample/PROVENANCE.md'));
  for (const f of filesUnder(resolve(root, 'examples/weights')))
    cpSync(resolve(root, 'examples/weights', f), join(out, 'weights', f));
  const index = {};
  for (const [from, to] of [['shaders', 'shaders']]) {
    for (const f of filesUnder(resolve(root, from)).filter((x) => x.endsWith('.wgsl'))) {
      const text = readFileSync(resolve(root, from, f), 'utf8');
      cpSync(resolve(root, from, f), join(out, to, f));
      index[fnv1a(text)] = `${to}/${f}`;
    }
  }
  writeFileSync(join(out, 'shaders/index.json'), JSON.stringify(index, null, 1) + '\n');
  const sizes = Object.fromEntries(Object.keys(bundles).map((b) => [b, statSync(join(out, b)).size]));
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(
      `built dist-web/ in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
        Object.entries(sizes)
          .map(([b, n]) => `${b} ${kb(n)}`)
          .join(', ') +
        ` (minified); ${sampleFiles.length} sample images, ${Object.keys(index).length} shaders`,
    );
  }
  return sizes;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wgsl': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

/** Serves dist-web/ on 127.0.0.1:port; resolves to the server once it listens. */
export async function serveSite(port) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(out, '.' + path);
    if (!file.startsWith(out + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res
      .writeHead(200, {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(readFileSync(file));
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  return server;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildSite();
  if (!process.argv.includes('--build')) {
    const server = await serveSite(Number(process.env.PORT ?? 5173));
    const url = `http://127.0.0.1:${server.address().port}/`;
    console.log(`serving the studio at ${url} and the benchmarks at ${url}bench.html (Ctrl-C to stop)`);
    console.log(`automation: ${url}?demo=1 and ${url}bench.html?auto=1`);
  }
}
