/**
 * The optimiser base, as torch.optim.Optimizer: parameter groups with their own options,
 * per-parameter state (kept on the GPU), `zeroGrad`, `step` and state dicts for resuming.
 * Parameters without a gradient (frozen, or unused this step) are skipped.
 */
import { Tensor } from '../tensor.js';
import { flush } from '../gpu/commands.js';
import { clearRowGrad } from '../ops/row_grad.js';
import type { Parameter } from '../nn/parameter.js';
import { type ArgType, checkOptions } from '../args.js';

/** Parameters that share options (lr, ...), as an entry of PyTorch's `optimizer.param_groups`. */
export interface ParamGroup<O> {
  /** The group's parameters. */
  params: Parameter[];
  /** The group's options (lr, ...), the optimiser's defaults where the group gave none; schedulers change `lr` here. */
  options: O;
}

export type GroupSpec<O> = { params: Iterable<Parameter> } & Partial<O>;

/** An optimiser's state as plain data (JSON-safe but for its Float32Arrays), as `optimizer.state_dict()` returns it. */
export interface OptimizerState {
  /** Per parameter (by its position across groups): step count and state tensors. */
  state: Array<{ step: number; tensors: Record<string, Float32Array> } | null>;
  /** Each group's options. */
  groups: Array<Record<string, unknown>>;
}

/** The entries of `o` that are not undefined (so that `{lr: undefined}` keeps the default). */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Per-parameter state: plain objects whose Tensor fields (moments, momentum buffers) the optimiser owns. */
type StateMap = Map<Parameter, object>;

function freeState(state: StateMap): void {
  for (const entry of state.values())
    for (const value of Object.values(entry)) if (value instanceof Tensor) value.dispose();
  state.clear();
}

/**
 * A safety net: an optimiser dropped without `dispose()` frees its state (Adam: twice the
 * model) when it is garbage-collected. The registry holds the state map, not the optimiser.
 */
const dropped = new FinalizationRegistry<StateMap>(freeState);

/** What each option may be, from its default: a number, a boolean, or a list of numbers (betas). */
function specOf<O extends object>(defaults: O): Record<string, ArgType> {
  return Object.fromEntries(
    Object.entries(defaults).map(([k, v]) => [
      k,
      Array.isArray(v) ? 'number[]' : typeof v === 'boolean' ? 'boolean' : 'number',
    ]),
  );
}

/**
 * An optimiser's options with its defaults filled in, checked: unknown keys and values of the
 * wrong type are errors naming the optimiser and the option. A number is the learning rate, as
 * PyTorch's positional `SGD(params, 0.1)`.
 */
export function optimizerOptions<O extends object>(name: string, options: Partial<O> | number, defaults: O): O {
  const given = typeof options === 'number' ? ({ lr: options } as unknown as Partial<O>) : options;
  checkOptions(name, given, specOf(defaults) as never);
  return { ...defaults, ...defined(given) };
}

/** The base of the optimisers, as `torch.optim.Optimizer`: parameter groups with their own options, `zeroGrad()`, `step()` and state dicts. */
export abstract class Optimizer<O extends { lr: number }> {
  /** The parameter groups, as `optimizer.param_groups`. */
  readonly paramGroups: Array<ParamGroup<O>>;

  /** `params` is a list of parameters, or a list of groups `{params, ...options}`. */
  constructor(params: Iterable<Parameter> | Array<GroupSpec<O>>, defaults: O) {
    const list = [...(params as Iterable<Parameter | GroupSpec<O>>)];
    const isGroups = list.length > 0 && !(list[0] as Tensor).shape;
    const specs = isGroups
      ? (list as Array<GroupSpec<O>>)
      : [{ params: list as Parameter[] } as unknown as GroupSpec<O>];
    const name = new.target.name;
    this.paramGroups = specs.map((spec, i) => {
      if (typeof spec !== 'object' || spec === null || !spec.params)
        throw new Error(`${name}: parameter group ${i} must be an object {params, ...options}`);
      const { params: ps, ...options } = spec;
      return {
        params: [...ps],
        options: optimizerOptions(`${name} (parameter group ${i})`, options as unknown as Partial<O>, defaults),
      };
    });
    const seen = new Set<Parameter>();
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (seen.has(p)) throw new Error('optimizer: some parameters appear in more than one parameter group');
        seen.add(p);
      }
    }
  }

  private heldState: StateMap | null = null;

  /** Subclasses hand over their state map: `dispose()` (or garbage collection) frees its tensors. */
  protected holdState(state: StateMap): void {
    this.heldState = state;
    dropped.register(this, state, this);
  }

  /**
   * Frees the optimiser's state on the GPU (Adam's moments, SGD's momentum buffers) now; the
   * parameters are untouched. A later `step()` starts from fresh state. Safe to call twice.
   */
  dispose(): void {
    if (!this.heldState) return;
    freeState(this.heldState);
    dropped.unregister(this);
  }

  /** Every parameter with its group's options. */
  protected *entries(): Generator<[Parameter, O]> {
    for (const g of this.paramGroups) for (const p of g.params) yield [p, g.options];
  }

  /** Drops every parameter's gradient (PyTorch's default set_to_none=True). */
  zeroGrad(): void {
    for (const [p] of this.entries()) {
      p.grad?.dispose();
      p.grad = null;
      clearRowGrad(p); // a row-sparse gradient (src/ops/row_grad.ts)
    }
  }

  /**
   * One update of every parameter that has a gradient. The step's GPU work (forward, backward
   * and update, recorded since the last submit) is submitted at the end, without waiting: a
   * training step is one command buffer, and buffers freed during it can be reused by the next.
   */
  step(): void {
    this.update();
    flush();
  }

  /** Records the update kernels of every parameter that has a gradient. */
  protected abstract update(): void;

  /** Learning rate of each group (for schedulers and logging). */
  get lrs(): number[] {
    return this.paramGroups.map((g) => g.options.lr);
  }

  /** The per-parameter state (step count, moment buffers read back from the GPU) and the groups' options, as `optimizer.state_dict()`. */
  abstract stateDict(): Promise<OptimizerState>;
  /** Restores what `stateDict()` returned (same parameters, same order), as `optimizer.load_state_dict()`. */
  abstract loadStateDict(state: OptimizerState): void;
}
