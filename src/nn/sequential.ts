/**
 * Sequential: modules applied one after another, indexed like a list. Its children live in
 * numeric fields ('0', '1', ...), so `seq[6]` reads a layer, `seq[6] = new Linear(...)`
 * replaces it (its parameters are found anew, as PyTorch re-registers them), and dotted names
 * are `classifier.6.weight`.
 */
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from '../autograd.js';
import { inInnermostScope } from '../memory.js';
import { Module } from './module.js';
import { fusedStep } from './fusion.js';

/** Modules applied one after another, each to the previous one's output, and indexed like a list (`seq[0]`), as `torch.nn.Sequential`. */
export class Sequential extends Module {
  [index: number]: Module;

  /** From modules (named 0, 1, ...) or from a Map of names to modules (PyTorch's OrderedDict). */
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    const entries: Array<[string, Module]> =
      first instanceof Map ? [...first] : (modules as Module[]).map((m, i) => [String(i), m]);
    for (const [name, m] of entries) (this as unknown as Record<string, Module>)[name] = m;
  }

  /** The children's names (numeric strings, ascending). */
  private keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  get length(): number {
    return this.keys().length;
  }

  /** The module at position `i` (negative counts from the end), like `seq[i]` with any index. */
  at(i: number): Module {
    const keys = this.keys();
    const k = keys[i < 0 ? i + keys.length : i];
    if (k === undefined) throw new Error(`Sequential: index ${i} is out of range (length ${keys.length})`);
    return (this as unknown as Record<string, Module>)[k];
  }

  /** The sub-sequence `seq[start:end]`, sharing the same modules and keeping their names. */
  slice(start = 0, end?: number): Sequential {
    return new Sequential(new Map(this.namedChildren().slice(start, end)));
  }

  /** Adds a module at the end. */
  append(m: Module): this {
    const keys = this.keys();
    const next = keys.length ? Number(keys[keys.length - 1]) + 1 : 0;
    (this as unknown as Record<string, Module>)[String(next)] = m;
    return this;
  }

  /** Iterates over the submodules in order (`for (const layer of seq)`), as iterating a `torch.nn.Sequential`. */
  *[Symbol.iterator](): Iterator<Module> {
    yield* this.children();
  }

  /**
   * Each child on the previous one's output; runs of modules that fuse (conv, eval batch norm,
   * activation; nn/fusion.ts) as one op. Under `noGrad` nothing else can hold an output made
   * here (this forward runs in its own memory scope: forward_scope.ts), so each is freed as soon
   * as the next step has consumed it; a tensor a child returns from elsewhere (kept) is not.
   */
  forward(x: Tensor): Tensor {
    const input = x;
    const modules = [...this.children()];
    for (let i = 0; i < modules.length;) {
      const fused = fusedStep(modules, i, x);
      const y = fused ? fused.y : (modules[i].forward(x) as Tensor);
      i = fused ? fused.next : i + 1;
      if (x !== input && x !== y && !isGradEnabled() && inInnermostScope(x)) x.dispose();
      x = y;
    }
    return x;
  }
}
