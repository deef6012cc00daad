/**
 * Walking the object tree a pickle built (Maps, arrays, LazyTensors, plain values) without
 * recursion and in time linear in the file. A pickle's memo lets one container appear under
 * many keys (a shared reference), and a chain of 40 lists each holding the next twice reaches
 * the last one 2^40 ways from a file of a few hundred bytes. So:
 *
 * - the walks keep their own stack (200,000 nested lists do not overflow JavaScript's);
 * - `materialize` copies each container once and reuses the copy wherever it is referenced,
 *   as `torch.load` rebuilds one object per memo entry; each tensor view is decoded once;
 * - `walkTensors` (dotted names of every tensor) skips a shared container that holds no tensor,
 *   and counts every element it visits against `maxNodes` (see limits.ts), so that tensors
 *   reached through an absurd number of paths end in an error instead of a hang;
 * - a container that holds itself (a cyclic pickle) is refused.
 */
import { ByteBudget } from './limits.js';
import { LazyTensor, materializeTensor, type StorageRef, type TensorRecord } from './records.js';

type Container = Map<unknown, unknown> | unknown[];

const isContainer = (x: unknown): x is Container => x instanceof Map || Array.isArray(x);
/** A container's [key, value] pairs, one at a time (no copy of a long list). */
const entriesOf = (c: Container): Iterator<[unknown, unknown]> => (c instanceof Map ? c.entries() : c.entries());
const join = (path: string, key: unknown) => (path ? `${path}.${String(key)}` : String(key));

/** One container being walked: its entries and how far the walk is. */
interface Frame {
  node: Container;
  path: string;
  entries: Iterator<[unknown, unknown]>;
  /** Whether a tensor was found under it (walkTensors) or its copy (materialize). */
  tensors: boolean;
  out?: Container;
}

const cyclic = (file: string, path: string) =>
  new Error(`${file}: the object at '${path}' contains itself (a cyclic pickle); not a state dict`);

/**
 * Every tensor in a tree with its dotted path, in order. `maxNodes` bounds the elements visited
 * (shared containers holding tensors are visited once per path); `file` names the file in errors.
 */
export function* walkTensors<T>(
  tree: unknown,
  is: (x: unknown) => x is T,
  file: string,
  maxNodes = Infinity,
): Generator<[string, T]> {
  if (is(tree)) yield ['', tree];
  if (!isContainer(tree)) return;
  /** Containers walked to the end, and whether each holds a tensor. */
  const done = new Map<Container, boolean>();
  const open = new Set<Container>();
  const stack: Frame[] = [];
  let visits = 0;
  const enter = (node: Container, path: string) => {
    if (open.has(node)) throw cyclic(file, path);
    open.add(node);
    stack.push({ node, path, entries: entriesOf(node), tensors: false });
  };
  enter(tree, '');
  while (stack.length) {
    const f = stack[stack.length - 1];
    const next = f.entries.next();
    if (next.done) {
      stack.pop();
      open.delete(f.node);
      done.set(f.node, f.tensors);
      if (f.tensors && stack.length) stack[stack.length - 1].tensors = true;
      continue;
    }
    if (++visits > maxNodes) {
      throw new Error(
        `${file}: the object tree reaches more than ${maxNodes} entries (containers shared by reference repeat their tensors under every path; a file of this size holds fewer); refused`,
      );
    }
    const [key, value] = next.value;
    const path = join(f.path, key);
    if (is(value)) {
      f.tensors = true;
      yield [path, value];
    } else if (isContainer(value) && done.get(value) !== false) {
      enter(value, path);
    }
  }
}

/**
 * Decodes each LazyTensor once: the same tensor object, or another with the same storage,
 * offset, shape and stride (one storage saved under 100 keys), gives the same record. Every
 * new record is counted against the file's byte budget before it is allocated.
 */
export class RecordCache {
  private readonly byTensor = new Map<LazyTensor, TensorRecord>();
  private readonly byView = new Map<string, TensorRecord>();

  constructor(
    private readonly storage: (ref: StorageRef, path: string) => Uint8Array,
    private readonly file: string,
    private readonly budget: ByteBudget,
    private readonly view = false,
  ) {}

  /** The record of `t`, found at `path`. */
  get(t: LazyTensor, path: string): TensorRecord {
    const known = this.byTensor.get(t);
    if (known) return known;
    const s = t.storage;
    const sig = `${s.key}|${s.dtype}|${s.base}|${s.numel}|${t.offset}|${t.shape.join(',')}|${t.stride.join(',')}`;
    let record = this.byView.get(sig);
    if (!record) {
      record = materializeTensor(t, this.storage(s, path), `${this.file}, tensor '${path}'`, {
        view: this.view,
        budget: this.budget,
      });
      this.byView.set(sig, record);
    }
    this.byTensor.set(t, record);
    return record;
  }
}

/**
 * Replaces every LazyTensor in a tree by its TensorRecord: Maps and arrays are copied (once
 * each, shared where the file shares them), other values kept. Iterative (see the top).
 */
export function materialize(tree: unknown, records: RecordCache, file: string): unknown {
  const copies = new Map<Container, Container>();
  const open = new Set<Container>();
  const stack: Frame[] = [];
  const convert = (value: unknown, path: string): unknown => {
    if (value instanceof LazyTensor) return records.get(value, path);
    if (!isContainer(value)) return value;
    if (open.has(value)) throw cyclic(file, path);
    const known = copies.get(value);
    if (known) return known;
    const out: Container = value instanceof Map ? new Map() : [];
    copies.set(value, out);
    open.add(value);
    stack.push({ node: value, path, entries: entriesOf(value), tensors: false, out });
    return out;
  };
  const root = convert(tree, '');
  while (stack.length) {
    const f = stack[stack.length - 1];
    const next = f.entries.next();
    if (next.done) {
      stack.pop();
      open.delete(f.node);
      continue;
    }
    const [key, value] = next.value;
    const copy = convert(value, join(f.path, key));
    if (f.out instanceof Map) f.out.set(key, copy);
    else f.out!.push(copy);
  }
  return root;
}
