// Hostile torch.save files (zip and legacy pickles), built byte by byte: reference bombs, huge
// integers, deep nesting, long appends, evil globals and opcodes, zip path traversal and
// decompression bombs, expanded views, shared storages. Each case says what must happen.
import { deflateRawSync } from 'node:zlib';
import { Pickle, torchZipEntries } from './pickle_writer.js';
import { zipBytes } from './zip_writer.js';
import type { Case } from './harness.js';

const zip = (pickle: Pickle, storages: Record<string, Uint8Array> = {}) =>
  zipBytes(torchZipEntries(pickle.bytes(), storages));
const floats = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

/** 40 lists, each holding the next one twice: 2^40 paths to the last, in a few hundred bytes. */
function referenceBomb(withTensor: boolean): Pickle {
  const p = new Pickle().proto();
  if (withTensor) p.tensor('0', 1, [1], [1]);
  else p.int(1);
  p.put(0);
  for (let i = 1; i <= 40; i++)
    p.mark()
      .get(i - 1)
      .get(i - 1)
      .list()
      .put(i);
  return p.stop();
}

/** `depth` lists nested in one another. */
function nested(depth: number): Pickle {
  const p = new Pickle().proto();
  for (let i = 0; i < depth; i++) p.emptyList();
  for (let i = 1; i < depth; i++) p.append();
  return p.stop();
}

/** One list with `n` ints appended by one APPENDS. */
function longList(n: number): Pickle {
  const p = new Pickle().proto().emptyList().mark();
  for (let i = 0; i < n; i++) p.raw(0x4b, i & 0xff); // BININT1
  return p.appends().stop();
}

/** Calls `module.name('echo pwned')`. */
const evil = (module: string, name: string) =>
  new Pickle().proto().global(module, name).mark().str('echo pwned').tuple().reduce().stop();

/** A LONG4 integer of `n` bytes. */
function hugeInt(n: number): Pickle {
  const p = new Pickle().proto().raw(0x8b, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  for (let i = 0; i < n; i++) p.raw(0x11);
  return p.stop();
}

/** `{key_i: the same 4 MB tensor}` for 100 keys: one storage, 100 references. */
function sharedStorage(): Uint8Array {
  const n = 2 ** 20;
  const p = new Pickle().proto().emptyDict().mark();
  p.str('k0').tensor('0', n, [n], [1]).put(1);
  for (let i = 1; i < 100; i++) p.str(`k${i}`).get(1);
  p.setitems().stop();
  return zip(p, { '0': new Uint8Array(n * 4) });
}

/** A zip whose data.pkl is deflated from `real` bytes but declares `declared`. */
function deflated(real: Uint8Array, declared: number): Uint8Array {
  return zipBytes([{ name: 'archive/data.pkl', data: deflateRawSync(real), method: 8, declared }]);
}

/**
 * `{x: float32 tensor of n zeros}` whose storage record is deflated and declares `declared`
 * bytes; `data` replaces the real DEFLATE stream (any bytes: the budget refuses before inflating).
 */
function deflatedStorage(n: number, declared = 4 * n, data?: Uint8Array): Uint8Array {
  const p = new Pickle().proto().emptyDict().mark().str('x').tensor('0', n, [n], [1]).setitems().stop();
  const [pkl, ...rest] = torchZipEntries(p.bytes(), {});
  const stream = data ?? deflateRawSync(new Uint8Array(4 * n), { level: 9 });
  return zipBytes([pkl, { name: 'archive/data/0', data: stream, method: 8, declared }, ...rest]);
}

export function hostileTorchCases(): Case[] {
  const dict = (build: (p: Pickle) => void) => {
    const p = new Pickle().proto().emptyDict().mark();
    build(p);
    return p.setitems().stop();
  };
  const stride0 = dict((p) => p.str('x').tensor('0', 1, [8192, 8192], [0, 0]));
  const stride0Small = dict((p) => p.str('x').tensor('0', 1, [4096, 4096], [0, 0]));
  const bombPickle = new Uint8Array(64 * 2 ** 20);
  bombPickle.set([0x80, 2, 0x4e, 0x2e]); // PROTO 2, NONE, STOP, then 64 MiB of zeros
  return [
    { name: 'refbomb.pth', reader: 'inspect', bytes: zip(referenceBomb(false)), expect: 'ok' },
    { name: 'refbomb.pth', reader: 'load', bytes: zip(referenceBomb(false)), expect: 'ok' },
    { name: 'refbomb.pth', reader: 'readCheckpoint', bytes: zip(referenceBomb(false)), expect: 'ok' },
    {
      name: 'refbomb-t.pth',
      reader: 'inspect',
      bytes: zip(referenceBomb(true), { '0': floats(1) }),
      expect: /more than \d+ entries/,
    },
    {
      name: 'refbomb-t.pth',
      reader: 'load',
      bytes: zip(referenceBomb(true), { '0': floats(1) }),
      expect: /more than \d+ entries/,
    },
    {
      name: 'refbomb-t.pth',
      reader: 'readCheckpoint',
      bytes: zip(referenceBomb(true), { '0': floats(1) }),
      expect: 'ok',
    },
    { name: 'hugeint.pth', reader: 'load', bytes: zip(hugeInt(2 ** 20)), expect: /integer of 1048576 bytes/ },
    { name: 'deep.pth', reader: 'readCheckpoint', bytes: zip(nested(200_000)), expect: 'ok' },
    { name: 'deep.pth', reader: 'inspect', bytes: zip(nested(200_000)), expect: 'ok' },
    { name: 'long.pth', reader: 'readCheckpoint', bytes: zip(longList(300_000)), expect: 'ok' },
    { name: 'os.pth', reader: 'load', bytes: zip(evil('os', 'system')), expect: /refusing to load global os\.system/ },
    {
      name: 'eval.pth',
      reader: 'load',
      bytes: zip(evil('builtins', 'eval')),
      expect: /refusing to load global builtins\.eval/,
    },
    {
      name: 'posix.pth',
      reader: 'inspect',
      bytes: zip(evil('posix', 'system')),
      expect: /refusing to load global posix\.system/,
    },
    {
      name: 'subprocess.pth',
      reader: 'readCheckpoint',
      bytes: zip(evil('subprocess', 'Popen')),
      expect: /refusing to load global/,
    },
    {
      name: 'inst.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().raw(0x69).stop()),
      expect: /unsupported pickle opcode 0x69/,
    },
    {
      name: 'opff.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().raw(0xff).stop()),
      expect: /unsupported pickle opcode 0xff/,
    },
    {
      name: 'cycle.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().emptyList().put(0).get(0).append().stop()),
      expect: /contains itself/,
    },
    {
      name: 'len60.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().raw(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10).stop()),
      expect: /truncated/,
    },
    {
      name: 'appendtuple.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().emptyTuple().int(1).append().stop()),
      expect: /APPEND/,
    },
    {
      name: 'badreduce.pth',
      reader: 'load',
      bytes: zip(new Pickle().proto().global('collections', 'OrderedDict').int(3).reduce().stop()),
      expect: /OrderedDict called with number/,
    },
    {
      name: 'slip.pth',
      reader: 'load',
      bytes: zipBytes([
        { name: 'archive/../../etc/passwd', data: floats(1) },
        ...torchZipEntries(new Pickle().proto().raw(0x4e).stop().bytes(), {}),
      ]),
      expect: /path traversal/,
    },
    {
      name: 'abs.pth',
      reader: 'inspect',
      bytes: zipBytes([{ name: '/etc/data.pkl', data: new Pickle().proto().raw(0x4e).stop().bytes() }]),
      expect: /path traversal/,
    },
    {
      name: 'zipbomb.pth',
      reader: 'load',
      bytes: deflated(bombPickle, 4096),
      expect: /inflates to more than the 4096 bytes/,
    },
    {
      name: 'ratio.pth',
      reader: 'load',
      bytes: deflated(new Pickle().proto().raw(0x4e).stop().bytes(), 2 ** 31),
      expect: /more than DEFLATE can/,
    },
    {
      // 510 KB honestly declaring 512 MiB (within DEFLATE's 1032:1): refused before inflating.
      name: 'honest512.pth',
      reader: 'load',
      bytes: deflatedStorage(2 ** 27, 2 ** 29, new Uint8Array(510 * 1024)),
      expect:
        /archive\/data\/0 declares 536870912 bytes once inflated.*over the limit of \d+; refused before inflating.*maxTensorBytes/,
    },
    {
      name: 'honest24.pth',
      reader: 'readCheckpoint',
      bytes: deflatedStorage(6 * 2 ** 20),
      expect: /declares 25165824 bytes once inflated.*refused before inflating/,
    },
    {
      name: 'honest24-allowed.pth',
      reader: 'readCheckpoint',
      bytes: deflatedStorage(6 * 2 ** 20),
      expect: 'ok',
      options: { maxTensorBytes: 2 ** 26 },
    },
    { name: 'small-deflated.pth', reader: 'load', bytes: deflatedStorage(1000), expect: 'ok' },
    { name: 'stride0.pth', reader: 'load', bytes: zip(stride0, { '0': floats(2) }), expect: /maxTensorBytes/ },
    {
      name: 'stride0.pth',
      reader: 'readCheckpoint',
      bytes: zip(stride0, { '0': floats(2) }),
      expect: /maxTensorBytes/,
    },
    {
      name: 'stride0-allowed.pth',
      reader: 'readCheckpoint',
      bytes: zip(stride0Small, { '0': floats(2) }),
      expect: 'ok',
      options: { maxTensorBytes: 2 ** 27 },
    },
    { name: 'shared.pth', reader: 'readCheckpoint', bytes: sharedStorage(), expect: 'ok' },
    { name: 'shared.pth', reader: 'load', bytes: sharedStorage(), expect: 'ok' },
    {
      name: 'past.pth',
      reader: 'load',
      bytes: zip(
        dict((p) => p.str('x').tensor('0', 4, [4], [1], 2 ** 40)),
        { '0': floats(1, 2, 3, 4) },
      ),
      expect: /byte-length mismatch/,
    },
    {
      name: 'negshape.pth',
      reader: 'load',
      bytes: zip(
        dict((p) => p.str('x').tensor('0', 4, [-4], [1])),
        { '0': floats(1, 2, 3, 4) },
      ),
      expect: /invalid view/,
    },
  ];
}
