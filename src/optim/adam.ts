/** Adam (with amsgrad) and AdamW (decoupled weight decay), as torch.optim's (`adam_step.wgsl`). */
import { gridFor } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import { tensor, zeros } from '../ops/create.js';
import type { Parameter } from '../nn/parameter.js';
import { keep } from '../memory.js';
import { rowGradOf } from '../ops/row_grad.js';
import { coalesceRowGrads } from '../ops/embedding.js';
import { sparseAdamRows } from './sparse_rows.js';
import { adamMultiTensor, multiTensorItem, multiTensorAvailable, type AdamUniforms } from './multi_tensor.js';
import { Optimizer, optimizerOptions, type GroupSpec, type OptimizerState } from './optimizer.js';

/** Options of `Adam` and `AdamW` (lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0 (AdamW: 0.01), amsgrad false), as torch's keyword arguments. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates [β1, β2] of the running averages of the gradient and of its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to √v̂ in the denominator (default 1e-8). */
  eps: number;
  /** Adam: adds wd p to the gradient (L2); AdamW: p = p (1 - lr wd) before the update. Default 0 (AdamW: 0.01). */
  weightDecay: number;
  /** Divide by the maximum of all v so far instead of v (default false). */
  amsgrad: boolean;
}

const WG = 256;

interface AdamState {
  step: number;
  m: Tensor;
  v: Tensor;
  vmax: Tensor;
}

/** One parameter's update with `adam_step.wgsl`, in chunks if it exceeds a storage binding (gpu/chunks.ts). */
function stepOne(p: Parameter, s: AdamState, uniforms: AdamUniforms): void {
  const step_size = uniforms.lr / (1 - uniforms.beta1 ** s.step);
  const bc2_sqrt = Math.sqrt(1 - uniforms.beta2 ** s.step);
  // vmax is a one-element placeholder (bound whole) without amsgrad.
  const operands = [p, p.grad!, s.m, s.v].map((t) => ({ buffer: t.buffer, rowBytes: 4 }));
  operands.push({ buffer: s.vmax.buffer, rowBytes: uniforms.amsgrad ? 4 : 0 });
  forEachChunk('Adam.step', p.size, operands, (_, n, bindings) =>
    dispatch(K.adam_step, { WG }, { n, step_size, bc2_sqrt, ...uniforms }, bindings, gridFor(n, WG)),
  );
}

/**
 * Adam, as `torch.optim.Adam`: m = β1 m + (1 - β1) g, v = β2 v + (1 - β2) g²,
 * p -= lr m̂ / (√v̂ + eps) with bias-corrected m̂, v̂ (and amsgrad, L2 weight decay); several parameters per WGSL launch (multi_tensor.ts).
 */
export class Adam extends Optimizer<AdamOptions> {
  private state = new Map<Parameter, AdamState>();
  /** AdamW decays the weights directly instead of adding wd * p to the gradient. */
  protected readonly decoupled: boolean = false;

  /** `new Adam(model.parameters(), {lr: 1e-3})`, or groups `[{params, lr}, ...]` with their own options, as `torch.optim.Adam(params, lr=...)`. */
  constructor(
    params: Iterable<Parameter> | Array<GroupSpec<AdamOptions>>,
    options: Partial<AdamOptions> | number = {},
    defaultWeightDecay = 0,
  ) {
    super(
      params,
      optimizerOptions(new.target.name, options, {
        lr: 1e-3,
        betas: [0.9, 0.999] as [number, number],
        eps: 1e-8,
        weightDecay: defaultWeightDecay,
        amsgrad: false,
      }),
    );
    this.holdState(this.state);
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const o = g.options;
      const [beta1, beta2] = o.betas;
      const uniforms = {
        amsgrad: o.amsgrad ? 1 : 0,
        decoupled: this.decoupled ? 1 : 0,
        lr: o.lr,
        beta1,
        beta2,
        eps: o.eps,
        weight_decay: o.weightDecay,
      };
      const items = [];
      for (const p of g.params) {
        // A row-sparse gradient (Embedding with sparse: true) gets SparseAdam's update of its rows.
        const rows = p.requiresGrad ? rowGradOf(p, coalesceRowGrads) : null;
        if (!rows && (!p.grad || !p.requiresGrad)) continue;
        let s = this.state.get(p);
        if (!s) {
          const vmax = keep(zeros(o.amsgrad ? p.shape : [1]));
          this.state.set(p, (s = { step: 0, m: keep(zeros(p.shape)), v: keep(zeros(p.shape)), vmax }));
        }
        s.step++;
        if (rows) {
          sparseAdamRows(p, rows, s.m, s.v, s.step, o);
          p.storage.version++;
          continue;
        }
        const written = [p.buffer, s.m.buffer, s.v.buffer, o.amsgrad ? s.vmax.buffer : null];
        items.push({ p, s, n: p.size, written, grad: p.grad!.buffer, step: s.step });
      }
      // Several parameters per launch (multi_tensor.ts) where the device allows it.
      const multi = multiTensorAvailable();
      adamMultiTensor(
        items.filter((it) => multi && multiTensorItem(it)),
        uniforms,
      );
      for (const it of items) {
        if (!multi || !multiTensorItem(it)) stepOne(it.p, it.s, uniforms);
        it.p.storage.version++;
      }
    }
  }

  /** Step counts and `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` of every parameter (read from the GPU) and the groups' options, as `optimizer.state_dict()`. */
  async stateDict(): Promise<OptimizerState> {
    const state = [];
    for (const [p] of this.entries()) {
      const s = this.state.get(p);
      state.push(
        s
          ? {
              step: s.step,
              tensors: {
                exp_avg: (await s.m.data()) as Float32Array,
                exp_avg_sq: (await s.v.data()) as Float32Array,
                max_exp_avg_sq: (await s.vmax.data()) as Float32Array,
              },
            }
          : null,
      );
    }
    return { state, groups: this.paramGroups.map((g) => ({ ...g.options })) };
  }

  /** Restores what `stateDict()` returned (same parameters in the same order; the state is uploaded), as `optimizer.load_state_dict()`. */
  loadStateDict(sd: OptimizerState): void {
    const entries = [...this.entries()];
    if (sd.state.length !== entries.length)
      throw new Error(
        `${this.constructor.name}.loadStateDict: the state has ${sd.state.length} parameters, this optimizer ${entries.length}`,
      );
    sd.groups.forEach((g, i) => Object.assign(this.paramGroups[i].options, g));
    entries.forEach(([p], i) => {
      const old = this.state.get(p);
      if (old) for (const t of [old.m, old.v, old.vmax]) t.dispose();
      const s = sd.state[i];
      if (!s) return this.state.delete(p);
      const load = (a: Float32Array, shape: readonly number[]) => keep(tensor(a, { shape }));
      this.state.set(p, {
        step: s.step,
        m: load(s.tensors.exp_avg, p.shape),
        v: load(s.tensors.exp_avg_sq, p.shape),
        vmax: load(s.tensors.max_exp_avg_sq, s.tensors.max_exp_avg_sq.length === p.size ? p.shape : [1]),
      });
    });
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter), default weightDecay 0.01. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  /** `new AdamW(params, {lr, weightDecay})` (weightDecay 0.01 by default), as `torch.optim.AdamW`. */
  constructor(
    params: Iterable<Parameter> | Array<GroupSpec<AdamOptions>>,
    options: Partial<AdamOptions> | number = {},
  ) {
    super(params, options, 0.01);
  }
}
