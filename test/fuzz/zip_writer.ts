// A minimal zip writer for tests: stored (or given pre-deflated) entries, local headers, a
// central directory and the end record, as APPNOTE.TXT lays them out. CRCs are left 0 (the
// reader does not check them). `zipParts` returns the pieces with their offsets, so that a test
// can write a multi-GiB file sparsely (holes for entries without data).

export interface ZipInput {
  name: string;
  /** The entry's bytes as stored; omitted: `size` zero bytes (a hole when written sparsely). */
  data?: Uint8Array;
  size?: number;
  /** 8 when `data` is raw DEFLATE; `declared` is then the uncompressed size the directory claims. */
  method?: 0 | 8;
  declared?: number;
}

const enc = new TextEncoder();

function header(sig: number, fields: Array<[number, 2 | 4]>, name: Uint8Array): Uint8Array {
  const len = 4 + fields.reduce((n, [, w]) => n + w, 0);
  const out = new Uint8Array(len + name.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sig, true);
  let at = 4;
  for (const [v, w] of fields) {
    if (w === 2) dv.setUint16(at, v, true);
    else dv.setUint32(at, v, true);
    at += w;
  }
  out.set(name, len);
  return out;
}

/** The pieces of a zip (bytes at offsets) and its total size. */
export function zipParts(entries: ZipInput[]): { parts: Array<[number, Uint8Array]>; size: number } {
  const parts: Array<[number, Uint8Array]> = [];
  const central: Uint8Array[] = [];
  let at = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const stored = e.data ? e.data.length : (e.size ?? 0);
    const size = e.declared ?? stored;
    const method = e.method ?? 0;
    // prettier-ignore
    const local = header(0x04034b50, [[20, 2], [0, 2], [method, 2], [0, 2], [0, 2], [0, 4], [stored, 4], [size, 4], [name.length, 2], [0, 2]], name);
    // prettier-ignore
    central.push(header(0x02014b50, [[20, 2], [20, 2], [0, 2], [method, 2], [0, 2], [0, 2], [0, 4], [stored, 4], [size, 4], [name.length, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 4], [at, 4]], name));
    parts.push([at, local]);
    if (e.data) parts.push([at + local.length, e.data]);
    at += local.length + stored;
  }
  const cdStart = at;
  for (const c of central) {
    parts.push([at, c]);
    at += c.length;
  }
  const n = entries.length;
  // prettier-ignore
  parts.push([at, header(0x06054b50, [[0, 2], [0, 2], [n, 2], [n, 2], [at - cdStart, 4], [cdStart, 4], [0, 2]], new Uint8Array(0))]);
  return { parts, size: at + 22 };
}

/** The whole zip in memory. */
export function zipBytes(entries: ZipInput[]): Uint8Array {
  const { parts, size } = zipParts(entries);
  const out = new Uint8Array(size);
  for (const [at, b] of parts) out.set(b, at);
  return out;
}
