#!/usr/bin/env node
// Builds the package: dist/index.js (one ESM file, shaders inlined as text, `webgpu` left as an
// external dependency), dist/browser.js (the same for browsers: no Node built-in, no `webgpu`;
// package.json's `browser` condition points bundlers to it), dist/cli.js (the `shadergrad` command), dist/data_worker.js (the
// DataLoader's worker threads) and dist/types/*.d.ts (type declarations from tsc).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { browserPlugins } from './browser_plugins.mjs';

rmSync('dist', { recursive: true, force: true });
// Every bundle: one ESM file, shaders inlined as text, class names kept (module reprs print them).
const common = {
  bundle: true,
  format: 'esm',
  loader: { '.wgsl': 'text' },
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
};
// Node programs leave npm packages to node_modules.
const nodeProgram = { ...common, platform: 'node', target: 'node20', packages: 'external' };

// The library. Node built-ins are only imported (dynamically) when running in Node.
await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  platform: 'neutral',
  target: 'es2022',
  external: ['webgpu', 'node:*'],
});

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/browser.js',
  platform: 'browser',
  target: 'es2022',
  loader: { ...common.loader, '.wasm': 'binary' },
  plugins: browserPlugins,
});
// The command line (package.json "bin" runs it through tools/shadergrad.mjs).
await build({ ...nodeProgram, entryPoints: ['tools/cli/main.ts'], outfile: 'dist/cli.js' });
// The DataLoader's worker threads (numWorkers > 0) load this script, found beside dist/index.js.
await build({ ...nodeProgram, entryPoints: ['src/data/worker.ts'], outfile: 'dist/data_worker.js' });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/index.js, dist/browser.js, dist/cli.js, dist/data_worker.js and dist/types/');
