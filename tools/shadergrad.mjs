#!/usr/bin/env node
// The `shadergrad` command (package.json "bin"). In a clone of the repository it bundles
// tools/cli/main.ts first (as tools/run.mjs does for examples), so it always runs the current
// sources; an installed package, which ships no tools/cli, runs its built dist/cli.js.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli.js');
const source = join(root, 'tools', 'cli', 'main.ts');
if (existsSync(source)) {
  const { build } = await import('esbuild');
  const outfile = join(root, '.cache', 'run', 'shadergrad-cli.mjs');
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    loader: { '.wgsl': 'text' },
    keepNames: true,
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
} else {
  await import(pathToFileURL(built).href);
}
