// A small pickle assembler for tests: opcodes by name, so that a test spells out the program a
// hostile file runs (see Python's pickletools for the opcode table).

const enc = new TextEncoder();

/** Builds a pickle program byte by byte. */
export class Pickle {
  private readonly chunks: number[] = [];

  /** Raw bytes. */
  raw(...bytes: number[]): this {
    for (const b of bytes) this.chunks.push(b);
    return this;
  }
  private u32(n: number): this {
    return this.raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  proto(n = 2): this {
    return this.raw(0x80, n);
  }
  mark(): this {
    return this.raw(0x28);
  }
  emptyDict(): this {
    return this.raw(0x7d);
  }
  emptyList(): this {
    return this.raw(0x5d);
  }
  emptyTuple(): this {
    return this.raw(0x29);
  }
  /** BININT (any int32). */
  int(n: number): this {
    return this.raw(0x4a).u32(n);
  }
  /** BININT within int32, else LONG1 with 8 bytes (two's complement). */
  num(n: number): this {
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.int(n);
    const v = BigInt.asUintN(64, BigInt(n));
    this.raw(0x8a, 8);
    for (let i = 0n; i < 8n; i++) this.chunks.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    this.raw(0x58).u32(b.length);
    for (const x of b) this.chunks.push(x);
    return this;
  }
  global(module: string, name: string): this {
    for (const x of enc.encode(`c${module}\n${name}\n`)) this.chunks.push(x);
    return this;
  }
  put(i: number): this {
    return this.raw(0x72).u32(i); // LONG_BINPUT
  }
  get(i: number): this {
    return this.raw(0x6a).u32(i); // LONG_BINGET
  }
  tuple(): this {
    return this.raw(0x74);
  }
  list(): this {
    return this.raw(0x6c);
  }
  append(): this {
    return this.raw(0x61);
  }
  appends(): this {
    return this.raw(0x65);
  }
  setitem(): this {
    return this.raw(0x73);
  }
  setitems(): this {
    return this.raw(0x75);
  }
  reduce(): this {
    return this.raw(0x52);
  }
  binpersid(): this {
    return this.raw(0x51);
  }
  newfalse(): this {
    return this.raw(0x89);
  }
  stop(): this {
    return this.raw(0x2e);
  }
  /**
   * A tensor as torch.save pickles it: `_rebuild_tensor_v2(('storage', FloatStorage, key,
   * 'cpu', numel), offset, size, stride, False, OrderedDict())`.
   */
  tensor(key: string, numel: number, shape: number[], stride: number[], offset = 0, type = 'FloatStorage'): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', type).str(key).str('cpu').num(numel).tuple().binpersid();
    this.num(offset);
    this.mark();
    for (const d of shape) this.num(d);
    this.tuple().mark();
    for (const s of stride) this.num(s);
    this.tuple().newfalse().global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** A torch.save zip: `archive/data.pkl` plus the given storages `archive/data/<key>`. */
export function torchZipEntries(pickle: Uint8Array, storages: Record<string, Uint8Array>) {
  return [
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    { name: 'archive/version', data: enc.encode('3\n') },
  ];
}
