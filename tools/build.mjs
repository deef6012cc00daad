#!/usr/bin/env node
// Builds the package: dist/index.js (one ESM file, shaders inlined as text, `webgpu` left as an
// external dependency), dist/cli.js (the `shadergrad` command), dist/data_worker.js (the
// DataLoader's worker threads) and dist/types/*.d.ts (type declarations from tsc).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // Node built-ins are only imported (dynamically) when running in Node.
  external: ['webgpu', 'node:*'],
  loader: { '.wgsl': 'text' },
  // Module reprs print class names (constructor.name): keep them through bundling.
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
});
// The command line (package.json "bin" runs it through tools/shadergrad.mjs).
await build({
  entryPoints: ['tools/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
});
// The DataLoader's worker threads (numWorkers > 0) load this script, found beside dist/index.js.
await build({
  entryPoints: ['src/data/worker.ts'],
  outfile: 'dist/data_worker.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  logLevel: 'warning',
});
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/index.js, dist/cli.js, dist/data_worker.js and dist/types/');
