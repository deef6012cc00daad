// esbuild plugins for every browser bundle of the library (dist/browser.js in tools/build.mjs,
// the site in tools/web.mjs).
import { join } from 'node:path';

// Node built-ins and `webgpu` (Dawn, for Node) become a module that throws when loaded: the
// library reaches them only through dynamic imports on Node-only paths, which already turn that
// failure into a clear error; browsers use navigator.gpu.
const nodeOnly = {
  name: 'node-only',
  setup(b) {
    b.onResolve({ filter: /^(node:.*|webgpu)$/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
    b.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)});`,
    }));
  },
};

// The JPEG decoder's wasm binary: Node reads it from node_modules (src/data/jpeg_wasm.ts); the
// browser build carries it (src/data/jpeg_wasm_browser.ts, esbuild's binary loader: '.wasm': 'binary').
const jpegWasmInline = {
  name: 'jpeg-wasm-inline',
  setup(b) {
    b.onResolve({ filter: /\/jpeg_wasm\.js$/ }, (args) => ({ path: join(args.resolveDir, 'jpeg_wasm_browser.ts') }));
  },
};

/** The plugins of a browser bundle (with loader { '.wgsl': 'text', '.wasm': 'binary' }). */
export const browserPlugins = [nodeOnly, jpegWasmInline];
