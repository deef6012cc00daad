/**
 * JPEG decoding as Pillow does it: libjpeg-turbo (the MozJPEG build of @jsquash/jpeg, compiled
 * to WebAssembly) with libjpeg's defaults, the accurate integer IDCT and "fancy" (triangle)
 * chroma upsampling, which is what Debian's Pillow links. On the PyTorch tutorial's 397 photos
 * the pixels are bit for bit Pillow's for 396 (test/jpeg.test.ts; the other, 4:4:0 subsampled,
 * differs by at most 2 levels: MozJPEG lacks libjpeg-turbo 2's upsampler for it); jpeg-js, the fallback for
 * colour spaces libjpeg cannot convert to RGB (CMYK, YCCK), matches none of them exactly.
 *
 * The wasm module is compiled and instantiated synchronously on first use (166 KB, allowed on
 * browsers' main threads), so decoding stays synchronous. libjpeg reports problems through
 * messages: a fatal one ends the decode (emscripten's exit, turned into an exception here), and
 * a truncated file only warns ("Premature end of JPEG file") while filling the rest with grey:
 * that warning is an error here, as it is in Pillow ("image file is truncated").
 */
import moduleFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import jpegDecode from 'jpeg-js/lib/decoder.js';
import { jpegWasm } from './jpeg_wasm.js';
import type { Image } from './image.js';

interface Decoder {
  decode(
    data: BufferSource,
    preserveOrientation: boolean,
  ): { width: number; height: number; data: Uint8ClampedArray } | null;
}

let decoder: Decoder | null = null;
let compiled: WebAssembly.Module | null = null;
/** libjpeg's messages during the current decode (warnings and the fatal error, if any). */
const messages: string[] = [];

function libjpeg(): Decoder {
  if (decoder) return decoder;
  const wasm = (compiled ??= new WebAssembly.Module(jpegWasm() as BufferSource));
  const module = {
    noInitialRun: true,
    print: (s: string) => messages.push(s),
    printErr: (s: string) => messages.push(s),
    // libjpeg's error_exit calls exit(): throw instead of ending the process.
    quit: (status: number) => {
      throw new Error(`libjpeg stopped (exit ${status})`);
    },
    instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => {
      const instance = new WebAssembly.Instance(wasm, imports);
      done(instance);
      return instance.exports;
    },
  };
  // With a synchronous instantiateWasm the factory sets `decode` on `module` before it returns.
  void (moduleFactory as unknown as (m: object) => Promise<unknown>)(module).catch(() => {});
  if (typeof (module as unknown as Decoder).decode !== 'function')
    throw new Error('the libjpeg-turbo wasm module did not initialise');
  decoder = module as unknown as Decoder;
  return decoder;
}

/** Decodes JPEG bytes to 8-bit RGB as Pillow's `Image.open(f).convert('RGB')`. */
export function decodeJpeg(bytes: Uint8Array): Image {
  messages.length = 0;
  let result: ReturnType<Decoder['decode']>;
  try {
    result = libjpeg().decode(bytes as BufferSource, false);
  } catch (e) {
    // An error thrown out of the wasm stack skips libjpeg's cleanup (its heap and the C stack
    // pointer stay as they were): the next decode gets a fresh instance of the compiled module.
    decoder = null;
    const why = messages.join('; ') || (e as Error).message;
    if (/Unsupported color conversion/i.test(why)) return decodeWithJpegJs(bytes);
    throw new Error(why);
  }
  if (messages.some((m) => /premature end/i.test(m)))
    throw new Error(`truncated: ${messages.join('; ')} (the file ends before the image data does)`);
  if (!result || result.width === 0 || result.height === 0)
    throw new Error(messages.join('; ') || 'the image has no pixels');
  const { width, height, data: rgba } = result;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width, height, channels: 3, data };
}

/** jpeg-js, for CMYK/YCCK files (Adobe's inverted CMYK converted as PIL does: R = 255 - ...). */
function decodeWithJpegJs(bytes: Uint8Array): Image {
  const { width, height, data } = jpegDecode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: 250,
    maxMemoryUsageInMB: 4096,
  });
  if (width === 0 || height === 0) throw new Error('the image has no pixels');
  return { width, height, channels: 3, data };
}
