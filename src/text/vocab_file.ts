/**
 * torchtext's `*.vocab.pt` files (XLM-R's `xlmr.vocab.pt`, RoBERTa's `roberta.vocab.pt`):
 * `torch.save` of a `torchtext.vocab.Vocab`, an `nn.Module` whose `vocab` attribute is the C++
 * `torchtext._torchtext.Vocab`. That one pickles as its `_serialize_vocab` tuple
 * `(version_str, integers, strings, tensors)`: the default index (when set) is `integers[0]` and
 * the tokens, in index order, are `strings`. Read with the safe unpickler: only these two classes,
 * `OrderedDict` and `set` are allowed, and they are rebuilt as data. Zip and legacy torch.save formats.
 */
import { builtin } from '../data/node.js';
import { unpickle, PickleObject, type Builder } from '../io/pickle.js';
import { isZip, readZip, readEntry } from '../io/zip.js';
import { isLegacyTorch } from '../io/torch.js';
import { Vocab } from './vocab.js';

const OP = 'loadVocab';
const MODULE_CLASSES = ['torchtext.vocab.vocab.Vocab', 'torchtext.vocab.Vocab'];
const PYBIND_CLASS = 'torchtext._torchtext.Vocab';

function vocabGlobals(): Map<string, Builder | null> {
  const g = new Map<string, Builder | null>();
  for (const name of [...MODULE_CLASSES, PYBIND_CLASS]) g.set(name, () => new PickleObject(name));
  g.set('collections.OrderedDict', (args) => new Map((args?.[0] as Array<[unknown, unknown]>) ?? []));
  for (const name of ['builtins.set', '__builtin__.set'])
    g.set(name, (args) => new Set((args?.[0] as unknown[]) ?? []));
  return g;
}

/**
 * The object a torch.save file holds: zip format (torch >= 1.6; `data.pkl`, records stored, not
 * deflated) or legacy (magic number, protocol 1001 and sys_info pickles, then the object's).
 */
function readObject(bytes: Uint8Array, file: string): unknown {
  // Legacy files record each nn.Module class as the persistent id ('module', class, file, source).
  const persistentLoad = (pid: unknown) => {
    if (Array.isArray(pid) && pid[0] === 'module') return pid[1];
    throw new Error('only a torchtext Vocab can be read (the file holds tensor storages)');
  };
  const options = { name: file, globals: vocabGlobals(), persistentLoad };
  if (isLegacyTorch(bytes)) {
    const plain = { name: file, globals: new Map<string, Builder | null>() };
    const magic = unpickle(bytes, plain);
    const protocol = unpickle(bytes, plain, magic.end);
    if (protocol.value !== 1001) throw new Error(`legacy torch file with protocol version ${String(protocol.value)}`);
    return unpickle(bytes, options, unpickle(bytes, plain, protocol.end).end).value;
  }
  if (!isZip(bytes)) throw new Error('not a torch.save file (neither the zip nor the legacy format)');
  const zip = readZip(bytes);
  const entry = [...zip.entries.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!entry) throw new Error('a zip, but not a torch.save archive (no data.pkl record)');
  return unpickle(readEntry(bytes, entry), options).value;
}

/** The tokens and default index of the C++ vocab's pickled state. */
function fromState(state: unknown, file: string): Vocab {
  const bad = (why: string) => new Error(`${OP}: ${file}: not a torchtext vocabulary: ${why}`);
  if (!Array.isArray(state) || state.length !== 4) throw bad(`the ${PYBIND_CLASS} state is not a 4-tuple`);
  const [version, integers, strings] = state as unknown[];
  if (typeof version !== 'string') throw bad('the version is not a string');
  if (!Array.isArray(integers) || integers.length > 1 || !integers.every((i) => Number.isInteger(i)))
    throw bad('the default index list is not [] or [index]');
  if (!Array.isArray(strings) || !strings.every((t) => typeof t === 'string')) throw bad('the tokens are not strings');
  try {
    const vocab = new Vocab(strings as string[]);
    if (integers.length === 1) vocab.setDefaultIndex(integers[0] as number);
    return vocab;
  } catch (e) {
    throw bad((e as Error).message);
  }
}

/**
 * Reads torchtext's `*.vocab.pt` (a path in Node, or the file's bytes): the `Vocab` with its
 * tokens in order and the default index the file sets (XLM-R's and RoBERTa's: 3, `<unk>`). As
 * `torch.load(path)` of a `torchtext.vocab.Vocab` (torchtext's bundles use
 * `load_state_dict_from_url`).
 */
export function loadVocab(fileOrBytes: string | Uint8Array): Vocab {
  const isPath = typeof fileOrBytes === 'string';
  if (!isPath && !(fileOrBytes instanceof Uint8Array)) throw new Error(`${OP}: expects a path or the file's bytes`);
  const file = isPath ? fileOrBytes : '<bytes>';
  let bytes: Uint8Array;
  if (isPath) {
    const fs = builtin<typeof import('node:fs')>('node:fs', `${OP}('${file}')`);
    try {
      if (!fs.statSync(file).isFile()) throw new Error('not a regular file');
      bytes = fs.readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${OP}: cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  } else bytes = fileOrBytes;
  let root: unknown;
  try {
    root = readObject(bytes, file);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(OP) ? msg : `${OP}: ${file}: ${msg}`);
  }
  const inner =
    root instanceof PickleObject && MODULE_CLASSES.includes(root.className) && root.state instanceof Map
      ? root.state.get('vocab')
      : root;
  if (!(inner instanceof PickleObject) || inner.className !== PYBIND_CLASS)
    throw new Error(`${OP}: ${file}: not a torchtext vocabulary (expected a torchtext.vocab.Vocab)`);
  return fromState(inner.state, file);
}
