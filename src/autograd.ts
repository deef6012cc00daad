/**
 * Reverse-mode automatic differentiation, as in micrograd: every differentiable op records a
 * `GradNode` on its output holding its inputs and a closure that maps the output's gradient to
 * the inputs' gradients (each a WGSL kernel). `backward()` sorts the graph topologically and
 * runs the closures from the output back to the leaves, each inside a `tidy` scope that keeps
 * only the gradients it returns: a closure reads like the math (`dA = g @ Bᵀ`) and frees
 * nothing by hand. This file imports no op: it adds gradients with Tensor's `add` method.
 */
import type { Tensor } from './tensor.js';
import { keep, tidy } from './memory.js';

export interface GradNode {
  /** The op's name, for error messages and debugging. */
  name: string;
  inputs: Tensor[];
  /**
   * Gradients of the inputs given the gradient of the output, or null where `needsGrad[i]` is
   * false (those kernels are not run at all).
   */
  backward(grad: Tensor, needsGrad: boolean[]): (Tensor | null)[];
  /** Tensors the op made for itself (e.g. a number operand as a 0-d tensor), freed with the graph. */
  owned: Tensor[];
}

let gradEnabled = true;

/** Whether operations record the graph for autograd now (false inside `noGrad`), as `torch.is_grad_enabled`. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with the graph recorded, also inside `noGrad` (e.g. in a backward rule), like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Attaches a node to `out` when grad mode is on and some input requires a gradient. `owned`
 * tensors live as long as the node; without a node they are freed at once.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: Tensor[],
  backward: GradNode['backward'],
  owned: Tensor[] = [],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { name, inputs, backward, owned };
  } else {
    for (const t of owned) t.dispose();
  }
  return out;
}

/** Drops a tensor's node so its closure (and what it holds) can be collected. */
export function freeNode(t: Tensor): void {
  for (const o of t.gradFn?.owned ?? []) o.dispose();
  t.gradFn = null;
}

/**
 * Tensors whose node a `backward()` freed, with the op's name: backward through them again is
 * an error (as in PyTorch) rather than a silent no-op that treats them as leaves.
 */
const freedByBackward = new WeakMap<Tensor, string>();

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative depth-first search: deep graphs (long training chains) must not overflow the stack.
  const stack: Array<[Tensor, boolean]> = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    const freed = freedByBackward.get(t);
    if (freed && !t.gradFn) {
      throw new Error(
        `shadergrad: backward(): the graph through ${t.describe()} (made by ${freed}) was already freed by an earlier backward(); pass { retainGraph: true } to that call to backward twice`,
      );
    }
    stack.push([t, true]);
    for (const input of t.gradFn?.inputs ?? []) if (input.requiresGrad && !seen.has(input)) stack.push([input, false]);
  }
  return order;
}

/** The errors of `tensor.backward(gradient)`, raised before any GPU work. */
export function checkBackward(root: Tensor, gradient: Tensor | undefined): void {
  if (!root.requiresGrad)
    throw new Error('shadergrad: backward(): the tensor does not require grad and has no grad_fn');
  if (!gradient && root.size !== 1) {
    throw new Error(
      `shadergrad: backward(): grad can be implicitly created only for scalar outputs; got shape [${root.shape.join(', ')}], pass a gradient`,
    );
  }
  if (gradient && gradient.shape.join() !== root.shape.join()) {
    throw new Error(
      `shadergrad: backward(): gradient shape [${gradient.shape.join(', ')}] does not match tensor shape [${root.shape.join(', ')}]`,
    );
  }
}

/**
 * Implements `tensor.backward()`: `seed` (a tensor this call owns: ones, or a copy of the
 * caller's gradient) flows from `root` back to every leaf that requires a gradient.
 */
export function runBackward(root: Tensor, seed: Tensor, retainGraph: boolean): void {
  const order = topologicalOrder(root);
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, seed);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (!node) {
        accumulateLeafGrad(t, g);
        continue;
      }
      const needs = node.inputs.map((x) => x.requiresGrad);
      // Every temporary of the rule is freed when it returns; only the gradients survive.
      const inputGrads = tidy(() => node.backward(g, needs));
      node.inputs.forEach((input, k) => {
        const gi = inputGrads[k];
        if (!gi || !needs[k]) return;
        const previous = grads.get(input);
        grads.set(input, previous ? addAndFree(previous, gi) : gi);
      });
      g.dispose();
      if (!retainGraph) {
        freedByBackward.set(t, node.name);
        freeNode(t);
      }
    }
  });
}

function accumulateLeafGrad(leaf: Tensor, g: Tensor): void {
  if (leaf.grad && !leaf.grad.isDisposed) {
    const sum = addAndFree(leaf.grad, g);
    leaf.grad = keep(sum);
  } else {
    leaf.grad = keep(g);
  }
}

/** a + b, freeing both. */
function addAndFree(a: Tensor, b: Tensor): Tensor {
  const sum = a.add(b);
  a.dispose();
  b.dispose();
  return sum;
}
