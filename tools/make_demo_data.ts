/**
 * Makes the demo image set examples/data/hymenoptera/ from the PyTorch transfer-learning
 * tutorial's hymenoptera_data (ants and bees; 245 train / 153 val files): every JPEG is decoded
 * (jpeg-js; baseline and progressive), resized so its shorter side is 72 px with sg.transforms'
 * antialiased bilinear Resize, and encoded as baseline JPEG, quality 90 (jpeg-js). Files that
 * are not JPEG or PNG (train/ants/imageNotFound.gif, a GIF placeholder) are skipped.
 *
 *   node tools/run.mjs tools/make_demo_data.ts [SOURCE] [DEST]
 *   (defaults: ../shared/assets/datasets/hymenoptera_data, examples/data/hymenoptera)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const source = process.argv[2] ?? '../shared/assets/datasets/hymenoptera_data';
const dest = process.argv[3] ?? 'examples/data/hymenoptera';
const SHORT_SIDE = 72;
const QUALITY = 90;

/** Whether a JPEG is progressive: it has an SOF2 (0xFFC2) frame marker. */
function isProgressive(bytes: Uint8Array): boolean {
  for (let i = 2; i + 3 < bytes.length;) {
    if (bytes[i] !== 0xff) return false;
    const marker = bytes[i + 1];
    if (marker === 0xc2) return true;
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xda) return false;
    i += 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
  }
  return false;
}

rmSync(dest, { recursive: true, force: true });
const resize = new sg.transforms.Resize(SHORT_SIDE);
let written = 0;
let bytesOut = 0;
const progressive: string[] = [];
const skipped: string[] = [];
for (const split of ['train', 'val']) {
  for (const cls of readdirSync(join(source, split)).sort()) {
    mkdirSync(join(dest, split, cls), { recursive: true });
    for (const name of readdirSync(join(source, split, cls)).sort()) {
      const rel = `${split}/${cls}/${name}`;
      const bytes = new Uint8Array(readFileSync(join(source, rel)));
      const format = sg.data.sniffFormat(bytes.subarray(0, 12));
      if (format !== 'JPEG' && format !== 'PNG') {
        skipped.push(`${rel}: ${format ? `${format} images are not supported` : 'not a JPEG or PNG image'}`);
        continue;
      }
      if (isProgressive(bytes)) progressive.push(rel);
      const small = resize.apply(sg.data.decodeImage(bytes, rel));
      const out = sg.data.encodeJpeg(small as sg.data.Image, QUALITY);
      writeFileSync(join(dest, split, cls, name), out); // same name (formica.jpeg keeps its extension)
      written++;
      bytesOut += out.length;
    }
  }
}
const count = (split: string, cls: string) => readdirSync(join(dest, split, cls)).length;
const sizeOf = (dir: string): number =>
  readdirSync(dir).reduce(
    (s, n) => s + (statSync(join(dir, n)).isDirectory() ? sizeOf(join(dir, n)) : statSync(join(dir, n)).size),
    0,
  );
console.log(`wrote ${written} images (${(bytesOut / 1e6).toFixed(2)} MB) to ${dest}:`);
for (const split of ['train', 'val'])
  console.log(`  ${split}: ants ${count(split, 'ants')}, bees ${count(split, 'bees')}`);
console.log(`progressive JPEGs in the source: ${progressive.join(', ') || 'none'}`);
console.log(`skipped: ${skipped.join('; ') || 'none'}`);
console.log(`total size of ${dest}: ${sizeOf(dest)} bytes`);
