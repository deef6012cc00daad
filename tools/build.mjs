#!/usr/bin/env node
// Builds the package: dist/index.js (one ESM file, shaders inlined as text, `webgpu` left as an
// external dependency) and dist/types/*.d.ts (type declarations from tsc).
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
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/index.js and dist/types/');
