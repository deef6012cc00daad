/**
 * ModuleList: modules held in a list, as `torch.nn.ModuleList`. Like Sequential its children
 * live in numeric fields ('0', '1', ...), so keys read `layers.0.linear1.weight` and printing
 * shows PyTorch's form, but it has no forward: the owner decides how to call them.
 */
import { Module } from './module.js';

/** Submodules indexed like a list (`list[0]`, `list.at(-1)`, iteration), registered by position; no `forward`, as `torch.nn.ModuleList`. */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;

  /** From modules, named 0, 1, .... */
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at position `i` (negative counts from the end). */
  at(i: number): M {
    const n = this.length;
    const k = i < 0 ? i + n : i;
    if (!(k >= 0 && k < n)) throw new Error(`ModuleList: index ${i} is out of range (length ${n})`);
    return this[k];
  }

  /** Adds a module at the end. */
  append(m: M): this {
    (this as unknown as Record<string, M>)[String(this.length)] = m;
    return this;
  }

  /** Iterates over the modules in order. */
  *[Symbol.iterator](): Iterator<M> {
    yield* this.children() as M[];
  }

  /** A ModuleList is not callable (as PyTorch's, whose forward raises). */
  forward(): never {
    throw new Error('ModuleList: has no forward; call its modules in order');
  }
}
