/** SGD with momentum, dampening, Nesterov and weight decay, as torch.optim.SGD (`sgd_step.wgsl`). */
import { gridFor } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/create.js';
import type { Parameter } from '../nn/parameter.js';
import { keep } from '../memory.js';
import { multiTensorItem, multiTensorAvailable, sgdMultiTensor, type SgdUniforms } from './multi_tensor.js';
import { Optimizer, optimizerOptions, type GroupSpec, type OptimizerState } from './optimizer.js';

/** Options of `SGD` (lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false), as torch's keyword arguments. */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** μ: buf = μ buf + (1 - dampening) d (default 0: no momentum buffer). */
  momentum: number;
  /** Dampening of the gradient added to the momentum buffer (default 0). */
  dampening: number;
  /** Adds wd p to the gradient, an L2 penalty (default 0). */
  weightDecay: number;
  /** Nesterov momentum: d = d + μ buf instead of d = buf (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
}

const WG = 256;

/** One parameter's update with `sgd_step.wgsl`, in chunks if it exceeds a storage binding (gpu/chunks.ts). */
function stepOne(p: Parameter, s: { step: number; buf: Tensor | null }, uniforms: SgdUniforms): void {
  // Without momentum the kernel ignores buf; a buffer cannot be bound read-only and
  // writable in one dispatch, so a one-element scratch one (bound whole) stands in.
  const scratch = s.buf ? null : Tensor.empty([1]);
  const operands = [
    { buffer: p.buffer, rowBytes: 4 },
    { buffer: p.grad!.buffer, rowBytes: 4 },
    scratch ? { buffer: scratch.buffer, rowBytes: 0 } : { buffer: s.buf!.buffer, rowBytes: 4 },
  ];
  const first_step = s.step === 0 ? 1 : 0;
  forEachChunk('SGD.step', p.size, operands, (_, n, bindings) =>
    dispatch(K.sgd_step, { WG }, { n, first_step, ...uniforms }, bindings, gridFor(n, WG)),
  );
  scratch?.dispose();
}

/** SGD, as `torch.optim.SGD`: d = g + wd p, buf = μ buf + (1 - dampening) d, p -= lr (buf, or d + μ buf with Nesterov); several parameters per WGSL launch (multi_tensor.ts). */
export class SGD extends Optimizer<SGDOptions> {
  private state = new Map<Parameter, { step: number; buf: Tensor | null }>();

  /** `new SGD(model.parameters(), {lr: 0.1, momentum: 0.9})`, or groups `[{params, lr}, ...]`, as `torch.optim.SGD`; Nesterov needs momentum > 0 and dampening 0. */
  constructor(params: Iterable<Parameter> | Array<GroupSpec<SGDOptions>>, options: Partial<SGDOptions> | number = {}) {
    super(
      params,
      optimizerOptions('SGD', options, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }),
    );
    this.holdState(this.state);
    for (const g of this.paramGroups) {
      if (g.options.nesterov && (g.options.momentum <= 0 || g.options.dampening !== 0)) {
        throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
      }
    }
  }

  protected update(): void {
    for (const g of this.paramGroups) {
      const o = g.options;
      const uniforms = {
        nesterov: o.nesterov ? 1 : 0,
        lr: o.lr,
        momentum: o.momentum,
        dampening: o.dampening,
        weight_decay: o.weightDecay,
      };
      const items = [];
      for (const p of g.params) {
        if (!p.grad || !p.requiresGrad) continue;
        let s = this.state.get(p);
        if (!s) this.state.set(p, (s = { step: 0, buf: o.momentum ? keep(Tensor.empty(p.shape)) : null }));
        items.push({
          p,
          s,
          n: p.size,
          written: [p.buffer, s.buf?.buffer ?? null],
          grad: p.grad.buffer,
          first: s.step === 0,
        });
      }
      // Several parameters per launch (multi_tensor.ts) where the device allows it.
      const multi = multiTensorAvailable();
      sgdMultiTensor(
        items.filter((it) => multi && multiTensorItem(it)),
        uniforms,
      );
      for (const it of items) {
        if (!multi || !multiTensorItem(it)) stepOne(it.p, it.s, uniforms);
        it.p.storage.version++;
        it.s.step++;
      }
    }
  }

  /** Step counts and the `momentum_buffer` of every parameter (read from the GPU) and the groups' options, as `optimizer.state_dict()`. */
  async stateDict(): Promise<OptimizerState> {
    const state = [];
    for (const [p] of this.entries()) {
      const s = this.state.get(p);
      state.push(
        s ? { step: s.step, tensors: s.buf ? { momentum_buffer: (await s.buf.data()) as Float32Array } : {} } : null,
      );
    }
    return { state, groups: this.paramGroups.map((g) => ({ ...g.options })) };
  }

  /** Restores what `stateDict()` returned (same parameters in the same order; the state is uploaded), as `optimizer.load_state_dict()`. */
  loadStateDict(sd: OptimizerState): void {
    const entries = [...this.entries()];
    if (sd.state.length !== entries.length)
      throw new Error(
        `SGD.loadStateDict: the state has ${sd.state.length} parameters, this optimizer ${entries.length}`,
      );
    sd.groups.forEach((g, i) => Object.assign(this.paramGroups[i].options, g));
    entries.forEach(([p], i) => {
      const s = sd.state[i];
      this.state.get(p)?.buf?.dispose();
      if (!s) return this.state.delete(p);
      const mb = s.tensors.momentum_buffer;
      this.state.set(p, { step: s.step, buf: mb ? keep(tensor(mb, { shape: p.shape })) : null });
    });
  }
}
