#!/usr/bin/env node
// Runs a TypeScript entry point (an example, a benchmark, a tool) without a separate build:
// esbuild bundles it, with `.wgsl` files as text and npm packages left external, into
// .cache/, and Node imports the bundle. Usage: node tools/run.mjs FILE.ts [args...]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run.mjs FILE.ts [args...]');
  process.exit(2);
}
process.env.XDG_RUNTIME_DIR ??= '/tmp';
const outDir = resolve('.cache/run');
mkdirSync(outDir, { recursive: true });
const outfile = resolve(outDir, basename(entry).replace(/\.ts$/, '.mjs'));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  // Module reprs print class names (constructor.name): keep them through bundling.
  keepNames: true,
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
