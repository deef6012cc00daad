import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';

/** Loads `.wgsl` files as text, like esbuild's `text` loader in the build. */
const wgslAsText = {
  name: 'wgsl-as-text',
  enforce: 'pre' as const,
  load(id: string) {
    if (id.endsWith('.wgsl')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
    return null;
  },
};

export default defineConfig({
  plugins: [wgslAsText],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // One GPU device per worker; llvmpipe already uses both cores, so run files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
