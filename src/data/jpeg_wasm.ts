/**
 * The libjpeg-turbo wasm binary, in Node: read from the installed @jsquash/jpeg package. The
 * browser build (tools/build.mjs) replaces this module by jpeg_wasm_browser.ts, which carries
 * the binary inside the bundle.
 */
import { nodeFs, resolvePackageFile } from './node.js';

let bytes: Uint8Array | null = null;

export function jpegWasm(): Uint8Array {
  if (bytes) return bytes;
  const data = nodeFs('JPEG decoding').readFileSync(
    resolvePackageFile('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm', 'JPEG decoding'),
  );
  bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return bytes;
}
