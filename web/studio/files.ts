/**
 * Getting image folders into the studio: a picked folder (`<input type=file webkitdirectory>`),
 * a dropped one (DataTransfer entries, read recursively) or the shipped ants/bees sample (its
 * manifest, then each file). All become `sg.data.ImageFile`s with paths relative to the folder;
 * a folder holding `train/` and `val/` is split there, as `--data DIR/train --val DIR/val`.
 * PNG files are decoded here by the browser (the library's PNG decoder needs Node).
 */
import type * as sg from '../../src/index.js';

/** A folder ready for training: its training files, and its validation files if it has a val/ folder. */
export interface PickedFolder {
  name: string;
  train: sg.data.ImageFile[];
  val: sg.data.ImageFile[] | null;
}

interface RawFile {
  path: string;
  file: Blob;
}

const IMAGE = /\.(jpe?g|png)$/i;

/** Reads files (path relative to the picked folder) into ImageFiles, and splits train/ and val/. */
async function toFolder(name: string, raw: RawFile[]): Promise<PickedFolder> {
  const files = await Promise.all(raw.filter((f) => IMAGE.test(f.path)).map(readImageFile));
  const top = (f: sg.data.ImageFile) => f.path.split('/')[0];
  const tops = new Set(files.map(top));
  if (tops.has('train') && tops.has('val')) {
    const under = (t: string) =>
      files.filter((f) => top(f) === t).map((f) => ({ ...f, path: f.path.slice(t.length + 1) }));
    return { name, train: under('train'), val: under('val') };
  }
  return { name, train: files, val: null };
}

async function readImageFile(f: RawFile): Promise<sg.data.ImageFile> {
  const bytes = new Uint8Array(await f.file.arrayBuffer());
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return png ? { path: f.path, image: await decodeWithBrowser(f.file) } : { path: f.path, bytes };
}

/** The browser's own decoder, as 8-bit RGB (alpha dropped, as PIL's convert('RGB')). */
async function decodeWithBrowser(file: Blob): Promise<sg.data.Image> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const data = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) data.set(rgba.subarray(i, i + 3), j);
  return { width: bitmap.width, height: bitmap.height, channels: 3, data };
}

/** The files of `<input type=file webkitdirectory>`; their paths start with the folder's name, which is removed. */
export function fromInput(list: FileList): Promise<PickedFolder> {
  const all = Array.from(list).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  const name = all[0]?.path.split('/')[0] ?? 'folder';
  return toFolder(
    name,
    all.map((f) => ({ ...f, path: f.path.split('/').slice(1).join('/') })),
  );
}

/** A dropped folder (the first directory among the dropped items), read recursively. */
export async function fromDrop(items: DataTransferItemList): Promise<PickedFolder | null> {
  const dir = Array.from(items)
    .map((i) => i.webkitGetAsEntry())
    .find((e) => e?.isDirectory) as FileSystemDirectoryEntry | undefined;
  if (!dir) return null;
  const raw: RawFile[] = [];
  const walk = async (d: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    for (const entry of await readAll(d)) {
      if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${prefix}${entry.name}/`);
      else {
        const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
        raw.push({ path: `${prefix}${entry.name}`, file });
      }
    }
  };
  await walk(dir, '');
  return toFolder(dir.name, raw);
}

/** Every entry of a directory (readEntries returns them in chunks until an empty one). */
async function readAll(d: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = d.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (chunk.length === 0) return out;
    out.push(...chunk);
  }
}

/** The shipped ants/bees sample: `sample/manifest.json` lists its files (train/<class>/..., val/<class>/...). */
export async function fromSample(base = 'sample/'): Promise<PickedFolder> {
  const res = await fetch(`${base}manifest.json`);
  if (!res.ok) throw new Error(`the sample's manifest ${base}manifest.json: HTTP ${res.status}`);
  const paths = (await res.json()) as string[];
  const raw = await Promise.all(
    paths.map(async (path) => {
      const r = await fetch(base + path);
      if (!r.ok) throw new Error(`${base}${path}: HTTP ${r.status}`);
      return { path, file: await r.blob() };
    }),
  );
  return toFolder('hymenoptera (ants and bees)', raw);
}
