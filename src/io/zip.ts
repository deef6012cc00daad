/**
 * A read-only zip reader, enough for `torch.save` archives: the end-of-central-directory record
 * (and its ZIP64 form, which torch writes for files over 4 GB), stored and deflated entries, and
 * a fallback that walks the local file headers when the central directory is missing (a
 * truncated download), so that `inspect` can still list a complete `data.pkl`.
 *
 * Layout (APPNOTE.TXT): [local header + data]* [central directory] [zip64 EOCD + locator]? [EOCD].
 * Entry data starts after its LOCAL header, whose extra field may differ from the central one
 * (torch pads it so that every record starts at a 64-byte boundary).
 */

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header. */
  headerOffset: number;
}

export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /** True when the central directory was missing and the entries come from a scan of local headers. */
  truncated: boolean;
}

/** An error about the archive's structure, prefixed by the caller with the file's name. */
export class ZipError extends Error {}

export const isZip = (bytes: Uint8Array): boolean => bytes.length >= 4 && view(bytes).getUint32(0, true) === LOCAL;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const decoder = new TextDecoder();

/** 64-bit little-endian as a number (exact below 2^53, which covers any file we can hold). */
function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 2 ** 32;
}

/** Finds the EOCD record: it is the last 22 bytes plus a comment of at most 65,535 bytes. */
function findEocd(bytes: Uint8Array, dv: DataView): number {
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (dv.getUint32(i, true) === EOCD) return i;
  }
  return -1;
}

/** Reads the central directory; without one, throws a ZipError saying the file is truncated. */
export function readZip(bytes: Uint8Array): ZipArchive {
  const dv = view(bytes);
  const eocd = findEocd(bytes, dv);
  if (eocd < 0) {
    throw new ZipError(
      `truncated: the zip's central directory is missing (${bytes.length} bytes; the file was probably cut short while downloading or uploading)`,
    );
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  // ZIP64: the 32-bit fields are saturated and the real values live in the zip64 EOCD record.
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== ZIP64_LOCATOR)
      throw new ZipError('bad zip: ZIP64 end-of-central-directory locator missing');
    const rec = u64(dv, loc + 8);
    if (rec + 56 > bytes.length || dv.getUint32(rec, true) !== ZIP64_EOCD)
      throw new ZipError('bad zip: ZIP64 end-of-central-directory record missing');
    count = u64(dv, rec + 32);
    cdOffset = u64(dv, rec + 48);
  }
  const entries = new Map<string, ZipEntry>();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== CENTRAL) {
      throw new ZipError(`bad zip: central directory entry ${i} of ${count} at offset ${at} is damaged`);
    }
    const nameLen = dv.getUint16(at + 28, true);
    const extraLen = dv.getUint16(at + 30, true);
    const commentLen = dv.getUint16(at + 32, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    const entry: ZipEntry = {
      name,
      method: dv.getUint16(at + 10, true),
      compressedSize: dv.getUint32(at + 20, true),
      size: dv.getUint32(at + 24, true),
      headerOffset: dv.getUint32(at + 42, true),
    };
    applyZip64Extra(dv, at + 46 + nameLen, extraLen, entry);
    checkName(name);
    entries.set(name, entry);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return { entries, truncated: false };
}

/**
 * Refuses entry names that would leave the archive if extracted (`../x`, `/etc/x`, `C:\\x`):
 * torch.save never writes them, so one is a crafted file (a "zip slip").
 */
function checkName(name: string): void {
  const parts = name.split(/[\\/]/);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || parts.includes('..') || name.includes('\0'))
    throw new ZipError(`bad zip: the entry name '${name}' points outside the archive (a path traversal); refused`);
}

/** The ZIP64 extra field (id 1) holds, in order, whichever of these fields were saturated. */
function applyZip64Extra(dv: DataView, start: number, length: number, e: ZipEntry, local = false): void {
  for (let at = start; at + 4 <= start + length;) {
    const id = dv.getUint16(at, true);
    const size = dv.getUint16(at + 2, true);
    if (at + 4 + size > dv.byteLength)
      throw new ZipError(`bad zip: the extra field of ${e.name} runs past the file's end`);
    if (id === 1) {
      let p = at + 4;
      const take = () => {
        if (p + 8 > at + 4 + size) throw new ZipError(`bad zip: the ZIP64 extra field of ${e.name} is too short`);
        return ((p += 8), u64(dv, p - 8));
      };
      if (e.size === 0xffffffff || local) e.size = take();
      if (e.compressedSize === 0xffffffff || local) e.compressedSize = take();
      if (!local && e.headerOffset === 0xffffffff) e.headerOffset = take();
    }
    at += 4 + size;
  }
}

/**
 * Walks the local file headers from the start (for a file whose central directory is gone).
 * Stops at the first entry whose data is cut off: the entries returned are all complete.
 */
export function scanLocalHeaders(bytes: Uint8Array): ZipArchive {
  const dv = view(bytes);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  while (at + 30 <= bytes.length && dv.getUint32(at, true) === LOCAL) {
    const flags = dv.getUint16(at + 6, true);
    const nameLen = dv.getUint16(at + 26, true);
    const extraLen = dv.getUint16(at + 28, true);
    if (at + 30 + nameLen + extraLen > bytes.length) break;
    const entry: ZipEntry = {
      name: decoder.decode(bytes.subarray(at + 30, at + 30 + nameLen)),
      method: dv.getUint16(at + 8, true),
      compressedSize: dv.getUint32(at + 18, true),
      size: dv.getUint32(at + 22, true),
      headerOffset: at,
    };
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff)
      applyZip64Extra(dv, at + 30 + nameLen, extraLen, entry, true);
    checkName(entry.name);
    const start = at + 30 + nameLen + extraLen;
    let end = start + entry.compressedSize;
    // Bit 3 (torch sets it): the sizes are zero here and follow the data in a descriptor.
    if (flags & 8) {
      const found = findDescriptor(bytes, dv, start);
      if (!found) break;
      entry.compressedSize = entry.size = found.size;
      end = found.next;
    }
    if (end > bytes.length) break;
    entries.set(entry.name, entry);
    at = end;
  }
  return { entries, truncated: true };
}

/**
 * The data descriptor after an entry's data: signature 0x08074b50, crc-32, compressed and
 * uncompressed sizes (4 bytes each, or 8 with ZIP64). The right one is the first whose
 * compressed size equals its distance from the data's start.
 */
function findDescriptor(bytes: Uint8Array, dv: DataView, start: number): { size: number; next: number } | null {
  for (let p = start; p + 16 <= bytes.length; p++) {
    if (bytes[p] !== 0x50 || dv.getUint32(p, true) !== DESCRIPTOR) continue;
    if (dv.getUint32(p + 8, true) === p - start) return { size: p - start, next: p + 16 };
    if (p + 24 <= bytes.length && u64(dv, p + 8) === p - start) return { size: p - start, next: p + 24 };
  }
  return null;
}

/** Where an entry's data starts: after its local header (name and local extra field). */
function dataStart(bytes: Uint8Array, e: ZipEntry): number {
  const dv = view(bytes);
  if (e.headerOffset + 30 > bytes.length || dv.getUint32(e.headerOffset, true) !== LOCAL) {
    throw new ZipError(`bad zip: the local header of ${e.name} at offset ${e.headerOffset} is missing or damaged`);
  }
  return e.headerOffset + 30 + dv.getUint16(e.headerOffset + 26, true) + dv.getUint16(e.headerOffset + 28, true);
}

/**
 * Raw DEFLATE decompression that stops once the output would exceed `maxBytes` (node:zlib's
 * inflateRawSync with `maxOutputLength`, in Node; null where unavailable).
 */
export type Inflate = ((data: Uint8Array, maxBytes: number) => Uint8Array) | null;

/** DEFLATE's best ratio is about 1032:1 (RFC 1951 blocks of 258-byte matches); a larger claim is a lie. */
const MAX_DEFLATE_RATIO = 1032;

/** Loads node:zlib when running in Node (the library also bundles for browsers). */
export async function loadInflate(): Promise<Inflate> {
  try {
    const zlib = await import('node:zlib');
    return (data, maxBytes) => new Uint8Array(zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) }));
  } catch {
    return null;
  }
}

/**
 * A cap on the bytes all deflated entries of one archive may inflate to together, charged with
 * each entry's declared size before it is inflated (once per entry). An honest entry within
 * DEFLATE's ratio can still declare 512 MiB from 510 KB: torch.save stores its records
 * uncompressed, so deflated ones are unusual, and they share the file's tensor budget.
 */
export class InflateBudget {
  private used = 0;
  private readonly charged = new Set<string>();

  /** `limit` bytes; `raise` says how to allow more (the option, for the message). */
  constructor(
    readonly limit: number,
    private readonly raise: string,
  ) {}

  /** Charges `e`'s declared size, or throws a ZipError before anything is inflated. */
  take(e: ZipEntry): void {
    if (this.charged.has(e.name)) return;
    if (this.used + e.size > this.limit)
      throw new ZipError(
        `bad zip: ${e.name} declares ${e.size} bytes once inflated, bringing the archive's inflated records to ${this.used + e.size} bytes, over the limit of ${this.limit}; refused before inflating (torch.save stores records uncompressed: ${this.raise})`,
      );
    this.used += e.size;
    this.charged.add(e.name);
  }
}

/**
 * An entry's bytes (a view into `bytes` for stored entries). A deflated entry is charged to
 * `budget`, if given, after its declared size passed DEFLATE's ratio and before it is inflated.
 */
export function readEntry(
  bytes: Uint8Array,
  e: ZipEntry,
  inflate: Inflate = null,
  budget: InflateBudget | null = null,
): Uint8Array {
  const start = dataStart(bytes, e);
  if (start + e.compressedSize > bytes.length) {
    throw new ZipError(
      `truncated: ${e.name} needs bytes ${start}..${start + e.compressedSize} but the file has ${bytes.length}`,
    );
  }
  const raw = bytes.subarray(start, start + e.compressedSize);
  if (e.method === 0) return raw;
  if (e.method !== 8)
    throw new ZipError(
      `bad zip: ${e.name} uses compression method ${e.method} (only stored and deflated are supported)`,
    );
  if (!inflate)
    throw new ZipError(
      `${e.name} is deflated, and decompressing it needs node:zlib (not available here); re-save it with torch.save, which stores records uncompressed`,
    );
  if (e.size > MAX_DEFLATE_RATIO * e.compressedSize + 1024)
    throw new ZipError(
      `bad zip: ${e.name} claims to inflate from ${e.compressedSize} to ${e.size} bytes, more than DEFLATE can (a decompression bomb?)`,
    );
  budget?.take(e);
  // Inflating stops at the declared size: an entry that would grow past it (a bomb whose
  // directory understates it) is refused while inflating, before the memory is spent.
  let out: Uint8Array;
  try {
    out = inflate(raw, e.size);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new ZipError(`bad zip: ${e.name} inflates to more than the ${e.size} bytes its directory entry declares`);
    throw new ZipError(`bad zip: ${e.name} does not inflate: ${(err as Error).message}`);
  }
  if (out.length !== e.size)
    throw new ZipError(`bad zip: ${e.name} inflates to ${out.length} bytes, the directory says ${e.size}`);
  return out;
}
