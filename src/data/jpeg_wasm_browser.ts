/**
 * The libjpeg-turbo wasm binary in the browser build: embedded by esbuild's binary loader
 * (tools/build.mjs swaps jpeg_wasm.ts for this file), so decoding needs no fetch.
 */
import wasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';

export function jpegWasm(): Uint8Array {
  return wasm;
}
