/**
 * What happens around every module's `forward`, installed once per class by the Module
 * constructor (each prototype's own `forward` is wrapped; `super.forward` calls reach the
 * parent class's wrapper, which sees the same module and adds nothing):
 *
 * - Under `noGrad`, the forward runs in its own memory scope: temporaries it made and does not
 *   return are freed as soon as it returns (torch frees them by reference counting; here the
 *   module boundary is where we know they are dead). Caches a module keeps must be `keep()`-ed,
 *   as under any user `tidy`. `Sequential` also frees each child's output once the next child
 *   has consumed it (sequential.ts). So inference peaks near the weights plus a few activations.
 * - While profiling, the module's path (`layer2.0.conv1`) and input shapes are pushed for the
 *   kernel launches inside it (profile/module_stack.ts).
 */
import { isGradEnabled } from '../autograd.js';
import { tidyForward } from '../memory.js';
import { enterModule, isTrackingModules, leaveModule } from '../profile/module_stack.js';
import { Tensor } from '../tensor.js';

type Forward = (...inputs: unknown[]) => unknown;
const WRAPPED = Symbol('shadergrad.forwardScope');

/** Wraps the `forward` of `proto` and of each class above it up to (not including) `base`, once each. */
export function instrumentForward(proto: object, base: object): void {
  for (let p = proto; p && p !== base; p = Object.getPrototypeOf(p)) {
    const own = Object.getOwnPropertyDescriptor(p, 'forward');
    if (!own || typeof own.value !== 'function' || (own.value as { [WRAPPED]?: true })[WRAPPED]) continue;
    Object.defineProperty(p, 'forward', { ...own, value: wrap(own.value as Forward) });
  }
}

function wrap(forward: Forward): Forward {
  const wrapped = function (this: object, ...inputs: unknown[]): unknown {
    const entered = isTrackingModules() && enterModule(this as never, shapesOf(inputs));
    try {
      return isGradEnabled() ? forward.apply(this, inputs) : tidyForward(() => forward.apply(this, inputs));
    } finally {
      if (entered) leaveModule();
    }
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: forward.name });
  return wrapped;
}

/** `[2, 3, 32, 32]` per tensor input, comma-separated. */
function shapesOf(inputs: unknown[]): string {
  return inputs
    .filter((x): x is Tensor => x instanceof Tensor)
    .map((t) => `[${t.shape.join(', ')}]`)
    .join(', ');
}
