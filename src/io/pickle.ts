/**
 * A SAFE unpickler: it interprets the pickle opcodes that `torch.save` emits (protocols 0-5) and
 * never executes anything. A pickle is a little stack program; the only way it can call code is
 * through GLOBAL/STACK_GLOBAL (look up `module.name`) followed by REDUCE/NEWOBJ/BUILD. Here a
 * global must be on a short allowlist of containers and tensor rebuilders, each replaced by a
 * JavaScript function building plain data; any other global (`os.system`, `builtins.eval`, a
 * user's class) is refused with an error naming it. See pickletools.py for the opcode table.
 */

/** A global the unpickler accepted, e.g. `torch.FloatStorage`, kept as data. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of an allowlisted class whose pickled state a loader wants (torchtext's `Vocab`):
 * its builder returns one, and BUILD stores the state in it instead of dropping it.
 */
export class PickleObject {
  /** The state BUILD gave (`obj.__setstate__(state)`), undefined until then. */
  state: unknown = undefined;
  constructor(readonly className: string) {}
}

/** What REDUCE may call: an allowlisted global turned into a builder of plain values. */
export type Builder = (args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** Name used in error messages (the file, or "<bytes>"). */
  name: string;
  /** Allowed globals by `module.name`: a builder for callables, or null for markers (storage types). */
  globals: Map<string, Builder | null>;
  /** Resolves a persistent id (torch's storage tuples). */
  persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');
/**
 * The largest integers read (LONG4: bytes; LONG: decimal digits). torch.save files hold small
 * integers (sizes, counts, a 9-byte magic number); a megabyte-long one is an attack on the
 * decoder (Python itself caps int-from-text at 4300 digits).
 */
const MAX_LONG_BYTES = 1024;
const MAX_LONG_DIGITS = 2500;
const decoder = new TextDecoder();

/** Runs a pickle program from `bytes[start]` up to its STOP; returns the value and the end offset. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions, start = 0): { value: unknown; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  const fail = (what: string): never => {
    throw new Error(`unpickle: ${what} in ${options.name} (at byte ${pos})`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length)
      throw new Error(
        `truncated: ${options.name}: the pickle data ends at byte ${bytes.length}, ${n} more bytes were needed at byte ${pos}`,
      );
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    const lo = u32();
    return lo + u32() * 2 ** 32;
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(10, pos);
    if (end < 0) fail('unterminated text line');
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => (stack.length ? stack.pop() : fail('stack underflow'));
  const top = () => (stack.length ? stack[stack.length - 1] : fail('stack underflow'));
  /** Pops everything above the topmost MARK (and the mark). */
  const popMark = () => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('MARK expected');
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const textLongAt = (s: string) => {
    try {
      return textLong(s);
    } catch (e) {
      return fail((e as Error).message.replace(/^unpickle: /, ''));
    }
  };
  const lookup = (module: string, name: string) => {
    const full = `${module}.${name}`;
    if (!options.globals.has(full)) {
      throw new Error(`refusing to load global ${full} from ${options.name}: only tensors and containers are allowed`);
    }
    return new PickleGlobal(module, name);
  };
  const call = (fn: unknown, args: unknown) => {
    const builder = fn instanceof PickleGlobal ? options.globals.get(fn.fullName) : null;
    if (!builder) fail(`cannot call ${fn instanceof PickleGlobal ? fn.fullName : typeof fn}`);
    if (!Array.isArray(args)) fail(`${(fn as PickleGlobal).fullName} called with ${describe(args)} instead of a tuple`);
    try {
      return builder!(args as unknown[]);
    } catch (e) {
      const why = (e as Error).message.replace(/^unpickle: /, '');
      return fail(`${(fn as PickleGlobal).fullName}: ${why}`);
    }
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    // One at a time: push(...items) passes every item as an argument, and 300,000 of them overflow the stack.
    if (Array.isArray(target) && !Object.isFrozen(target)) for (const x of items) target.push(x);
    else if (target instanceof Set) items.forEach((x) => target.add(x));
    else fail('APPEND(S) on something that is not a list');
  };

  for (;;) {
    const op = u8();
    // One opcode per line, as the pickle specification lists them (Prettier would spread each over three).
    // prettier-ignore
    switch (op) {
      case 0x80: u8(); break; // PROTO n
      case 0x95: u64(); break; // FRAME length: framing only, the opcodes follow inline
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(Object.freeze([])); break; // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x90: { const items = popMark(); appendItems(top(), items); break; } // ADDITEMS
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(Object.freeze(popMark())); break; // TUPLE
      case 0x85: stack.push(Object.freeze([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push(Object.freeze([pop(), b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push(Object.freeze([pop(), b, c])); break; } // TUPLE3
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(decodeLong(take(u8()))); break; // LONG1
      case 0x8b: { const n = u32(); if (n > MAX_LONG_BYTES) fail(`an integer of ${n} bytes (LONG4; at most ${MAX_LONG_BYTES} are read)`); stack.push(decodeLong(take(n))); break; } // LONG4
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x4c: { const s = line(); if (s.length > MAX_LONG_DIGITS) fail(`an integer of ${s.length} digits (LONG; at most ${MAX_LONG_DIGITS} are read)`); stack.push(textLongAt(s)); break; } // LONG (text)
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x46: stack.push(Number(line())); break; // FLOAT (text)
      case 0x58: stack.push(decoder.decode(take(u32()))); break; // BINUNICODE
      case 0x8d: stack.push(decoder.decode(take(u64()))); break; // BINUNICODE8
      case 0x8c: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; ASCII in practice)
      case 0x54: stack.push(decoder.decode(take(u32()))); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const key = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(key)) fail(`memo key ${key} missing`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: { const module = line(); stack.push(lookup(module, line())); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); stack.push(lookup(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); stack.push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ cls(*args)
      case 0x92: { pop(); const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ_EX (kwargs ignored)
      // BUILD sets an object's state (`obj.__setstate__(state)`). Our objects are plain data, so the
      // state is dropped (a state_dict's OrderedDict gets `_metadata` this way, a numpy dtype its
      // byte order), except by a PickleObject, which keeps it as data.
      case 0x62: { const state = pop(); const t = top(); if (typeof t !== 'object' || t === null) fail(`BUILD on ${describe(t)}`); if (t instanceof PickleObject) t.state = state; break; } // BUILD
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x50: { // PERSID (text id)
        const pid = line();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

/**
 * Two's-complement little-endian integer; a BigInt when it is beyond 2^53. Decoded through one
 * hex string (linear in the length) rather than a shift per byte (quadratic).
 */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

/** A short description of an unpickled value for error messages. */
function describe(x: unknown): string {
  if (x === null) return 'None';
  if (x instanceof Map) return 'a dict';
  if (Array.isArray(x)) return 'a list';
  return typeof x;
}

function textLong(s: string): number | bigint {
  if (!/^[-+]?\d+L?$/.test(s)) throw new Error(`unpickle: LONG text '${s.slice(0, 20)}' is not an integer`);
  const v = BigInt(s.endsWith('L') ? s.slice(0, -1) : s);
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
}
