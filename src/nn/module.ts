/**
 * Module: the base class of layers and models, with PyTorch's behaviour. A model assigns its
 * submodules and parameters to fields in its constructor; they are found by walking the
 * object's own fields in assignment order (JavaScript keeps that order), so dotted names such
 * as `features.0.weight` come for free and nothing needs registering by hand. Buffers
 * (running statistics) are the exception, as in PyTorch: `registerBuffer`.
 */
import { clearRowGrad } from '../ops/row_grad.js';
import { Tensor } from '../tensor.js';
import { Parameter } from './parameter.js';
import { instrumentForward } from './forward_scope.js';
import { checkOptions, isPlainObject } from '../args.js';

/** Parameters and buffers by dotted name (`features.0.weight`), in registration order, as PyTorch's `state_dict()` (an OrderedDict). */
export type StateDict = Map<string, Tensor>;

let trainCalls = 0;
/** How many times `train()` / `eval()` has been called on any module: caches of eval-mode results (nn/fusion.ts) compare it. */
export function trainGeneration(): number {
  return trainCalls;
}

/** Per-module resources held outside its fields (nn/fusion.ts's folded weights), released by `dispose()`. */
const releasers = new WeakMap<object, () => void>();
/** Registers what `module.dispose()` must also free (null: nothing any more). */
export function onDispose(module: object, release: (() => void) | null): void {
  if (release) releasers.set(module, release);
  else releasers.delete(module);
}

/**
 * The base class of layers and models, as `torch.nn.Module`: subclasses assign submodules and
 * Parameters to fields in their constructor and implement `forward`; `call(x)` runs it.
 */
export abstract class Module {
  /** Train mode (dropout active, batch norm uses batch statistics) or eval mode. */
  training = true;

  constructor() {
    // Memory scopes under noGrad and profiler paths around every class's forward (forward_scope.ts).
    instrumentForward(new.target.prototype, Module.prototype);
  }

  /**
   * The computation. Most layers take and return one Tensor; some take several inputs or options
   * and return several results (MultiheadAttention returns `[output, weights]`, GoogLeNet in
   * training `{logits, auxLogits2, auxLogits1}`), so the base signature is open and each subclass types its own.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...inputs: any[]): any;

  /** Calls `forward` (PyTorch's `module(x)`). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  // ---- what a module holds ----

  private bufferNames(): Set<string> {
    const self = this as unknown as { __buffers?: Set<string> };
    if (!self.__buffers) Object.defineProperty(this, '__buffers', { value: new Set<string>(), enumerable: false });
    return self.__buffers!;
  }

  /** Registers a tensor that is part of the state (saved, loaded) but not trained. */
  registerBuffer(name: string, tensor: Tensor): void {
    this.bufferNames().add(name);
    (this as unknown as Record<string, Tensor>)[name] = tensor;
  }

  /** Own fields, in assignment order. */
  private fields(): Array<[string, unknown]> {
    return Object.keys(this).map((k) => [k, (this as unknown as Record<string, unknown>)[k]]);
  }

  /** Direct submodules with their field names. */
  namedChildren(): Array<[string, Module]> {
    return this.fields().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Direct submodules, in assignment order, as `children()`. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, pre-order, with dotted names ('' for this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.namedChildren())
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** This module and every descendant, pre-order, as `modules()`. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's), in assignment order. */
  private ownParameters(): Array<[string, Parameter]> {
    return this.fields().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  private ownBuffers(): Array<[string, Tensor]> {
    const names = this.bufferNames();
    return this.fields().filter((e): e is [string, Tensor] => names.has(e[0]) && e[1] instanceof Tensor);
  }

  /** Every parameter with its dotted name, as `named_parameters()` (shared ones once). */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const out: Array<[string, Parameter]> = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every parameter (shared ones once), in assignment order, as `parameters()`. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every registered buffer with its dotted name (prefixed by `prefix`), as `named_buffers()`. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    return this.namedModules(prefix).flatMap(([path, m]) =>
      m.ownBuffers().map(([n, b]) => [path ? `${path}.${n}` : n, b] as [string, Tensor]),
    );
  }

  /** Every registered buffer (e.g. batch norm running statistics), as `buffers()`. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  // ---- modes and freezing ----

  /** Sets train mode on this module and all descendants. Returns this. */
  train(mode = true): this {
    trainCalls++;
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Eval mode: dropout off, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter, as `requires_grad_()`. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Drops every parameter's gradient (PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
      clearRowGrad(p); // a row-sparse gradient (Embedding with sparse: true)
    }
  }

  /**
   * Frees the GPU memory this module and its descendants hold: parameters and their gradients,
   * buffers, any other tensor kept in a field, and caches built from them (batch norm weights
   * folded into a convolution by layer fusion). The module cannot be used afterwards (PyTorch
   * frees it with the module object; here GPU memory is freed explicitly). Safe to call twice.
   */
  dispose(): void {
    for (const m of this.modules()) {
      releasers.get(m)?.();
      releasers.delete(m);
      for (const [, value] of m.fields()) {
        if (!(value instanceof Tensor)) continue;
        value.grad?.dispose();
        value.grad = null;
        value.dispose();
      }
    }
  }

  // ---- state ----

  /** Parameters and buffers by dotted name, in PyTorch's order: each module's own, then children. */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [path, m] of this.namedModules()) {
      for (const [name, t] of [...m.ownParameters(), ...m.ownBuffers()]) out.set(path ? `${path}.${name}` : name, t);
    }
    return out;
  }

  /**
   * Buffers that a state dict may lack, filled with 0 when it does (as PyTorch's
   * `_load_from_state_dict`: BatchNorm's `num_batches_tracked`, absent from files saved before
   * PyTorch 0.4.1 such as torchvision's published ResNets). Names are this module's own.
   */
  protected zeroWhenMissing(): string[] {
    return [];
  }

  /**
   * Copies values from `state` into this module's parameters and buffers (same storage, so
   * optimisers keep working), as `load_state_dict`. All or nothing: every key, shape and dtype
   * is checked before anything is written, and every problem is listed in PyTorch's words. With
   * `strict` (the default), missing and unexpected keys are errors. A tensor loaded onto itself
   * (`m.loadStateDict(m.stateDict())`) is left as it is.
   */
  loadStateDict(
    state: StateDict | Record<string, Tensor>,
    options: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = checkOptions('loadStateDict', options, { strict: 'boolean' }).strict ?? true;
    if (!(state instanceof Map) && !isPlainObject(state))
      throw new Error(`loadStateDict: state must be a Map or an object of tensors, got ${typeof state}`);
    const incoming = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const zeroed = new Set(
      this.namedModules().flatMap(([path, m]) => m.zeroWhenMissing().map((n) => (path ? `${path}.${n}` : n))),
    );
    const fill = [...own.keys()].filter((k) => zeroed.has(k) && !incoming.has(k));
    const missingKeys = [...own.keys()].filter((k) => !incoming.has(k) && !zeroed.has(k));
    const unexpectedKeys = [...incoming.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length)
      problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && unexpectedKeys.length)
      problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    for (const [key, target] of own) {
      const src = incoming.get(key);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        problems.push(`${key} is not a Tensor (got ${typeof src}).`);
      } else if (src.isDisposed) {
        problems.push(`${key}: the tensor in state_dict was disposed.`);
      } else if (src.shape.join() !== target.shape.join()) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape [${src.shape.join(', ')}] from checkpoint, the shape in current model is [${target.shape.join(', ')}].`,
        );
      } else if (src.dtype !== target.dtype) {
        problems.push(`dtype mismatch for ${key}: checkpoint has ${src.dtype}, the model has ${target.dtype}.`);
      }
    }
    if (problems.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.typeName()}:\n\t${problems.join('\n\t')}`);
    }
    for (const [key, target] of own) {
      const src = incoming.get(key);
      if (src) target.copy_(src);
    }
    for (const key of fill) own.get(key)!.zero_();
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The text inside the parentheses of this module's line, as PyTorch's `extra_repr`. */
  extraRepr(): string {
    return '';
  }

  /** The class name shown when printing. */
  protected typeName(): string {
    return this.constructor.name;
  }

  /** `console.log(module)` / `util.inspect` print `toString()`, as `print(module)` does. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** The module tree in PyTorch's exact `repr` format. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.namedChildren().map(([name, m]) => `(${name}): ${indent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.typeName()}(`;
    if (lines.length)
      s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    return `${s})`;
  }
}

/** Indents every line but the first, as PyTorch's `_addindent`. */
function indent(text: string, spaces: number): string {
  const [first, ...rest] = text.split('\n');
  return [first, ...rest.map((l) => ' '.repeat(spaces) + l)].join('\n');
}
