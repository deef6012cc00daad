/**
 * Activation checkpointing, as `torch.utils.checkpoint.checkpoint` (its reentrant form, which
 * torchvision's DenseNet uses for `memory_efficient=True`): trade compute for memory by keeping
 * none of a function's intermediate activations in the forward pass and recomputing them in the
 * backward pass.
 */
import type { Tensor } from '../tensor.js';
import { enableGrad, isGradEnabled, noGrad, record } from '../autograd.js';
import { tidy } from '../memory.js';

/**
 * y = fn(...inputs), run without recording the graph; the backward runs fn again with the graph
 * recorded on detached copies of the inputs, back-propagates the output gradient through it (the
 * parameters fn uses get their `.grad` then, as in the plain graph) and returns the inputs'
 * gradients. Only the inputs and y stay alive between the passes. fn must be deterministic (no
 * dropout) and runs twice, so a batch norm in training mode updates its running statistics twice
 * (PyTorch's too). When no input requires a gradient (or under `noGrad`) fn simply runs as usual
 * (PyTorch would run it without a graph, leaving fn's parameters without gradients, and warn).
 * `torch.utils.checkpoint.checkpoint(fn, *inputs)`.
 */
export function checkpoint(fn: (...inputs: Tensor[]) => Tensor, ...inputs: Tensor[]): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn(...inputs);
  const y = tidy(() => noGrad(() => fn(...inputs)));
  return record(y, 'checkpoint', inputs, (g, needs) => {
    const detached = inputs.map((t, k) => {
      const d = t.detach();
      d.requiresGrad = needs[k];
      return d;
    });
    return enableGrad(() => {
      fn(...detached).backward(g);
      return detached.map((d) => d.grad);
    });
  });
}
