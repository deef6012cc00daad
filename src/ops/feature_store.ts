/**
 * A DenseNet block's feature store: one preallocated tensor [N, C, H, W] holding the block's
 * input in channels [0, C0) and each layer's output in the channels after it, written once.
 * torchvision concatenates all earlier features afresh for every layer (`torch.cat`), copying
 * O(L^2) feature maps per block of L layers; here each map is copied once (O(L)), and each layer
 * reads its input, the channel prefix [0, c), in place (`batchNorm(..., {channels: c})`).
 *
 * Autograd. Writing a layer's output makes a new version of the store: a new Tensor object on
 * the same storage (the channels earlier layers read are never written again, so their saved
 * inputs stay valid). The store's gradient is one shared buffer G [N, C, H, W]:
 *   - the last version's gradient (from the ops after the block) is added to G;
 *   - every layer's prefix read adds its dx into G[:, :c] in place (batchnorm_backward.wgsl with
 *     ACCUMULATE) and returns no gradient of its own;
 *   - a write's backward hands G on to the version below it (a view: no copy) and gives the
 *     written layer G[:, at:at + c]: by then every later layer has added to those channels,
 *     because reverse topological order runs every reader of a version before that version's
 *     write. The store's first version gives the block input G[:, :C0] and drops G.
 * The versions' gradients are thus views of G, exact on the channels anyone reads.
 * Kernels: `scatter_strided.wgsl` (writes), `gather_strided.wgsl` (gradient slices, via `slice`).
 */
import { Tensor, type Storage } from '../tensor.js';
import { record } from '../autograd.js';
import { keep } from '../memory.js';
import { dispatch } from '../gpu/kernel.js';
import { gridFor } from '../gpu/commands.js';
import { K } from '../kernels.js';
import { bindingLimit } from '../gpu/chunks.js';
import { add, clone, copyInto } from './elementwise.js';
import { slice } from './shape.js';
import { zeros } from './create.js';
import { formatShape, requireDtype } from './util.js';

interface StoreState {
  /** The shared gradient G during a backward pass, else null. */
  grad: Tensor | null;
}

/** The state of each store, by its storage (which every version, and every detached alias, shares). */
const stores = new WeakMap<Storage, StoreState>();

const WG = 256;

/** Whether a store of `shape` can be bound whole by the kernels (else DenseNet concatenates as torchvision). */
export function storeFits(shape: readonly number[]): boolean {
  return shape.reduce((a, b) => a * b, 4) <= bindingLimit();
}

/** x [N, c, H, W] into channels [at, at + c) of store [N, C, H, W]: one strided write. */
function writeChannels(x: Tensor, store: Tensor, at: number): void {
  const [n, c, h, w] = x.shape;
  const plane = h * w;
  const channels = store.shape[1];
  dispatch(
    K.scatter_strided,
    { WG, T: 'f32' },
    { n: x.size, rank: 2, offset: at * plane, shape: [n, c * plane], strides: [channels * plane, 1] },
    [x.buffer, store.buffer],
    gridFor(x.size, WG),
  );
}

/** Adds an outside gradient `g` of a store version into the shared gradient (or starts it). */
function absorb(state: StoreState, g: Tensor): Tensor {
  if (state.grad && g.storage === state.grad.storage) return state.grad;
  if (!state.grad) state.grad = keep(clone(g));
  else {
    const sum = add(state.grad, g);
    copyInto(state.grad, sum);
    sum.dispose();
  }
  return state.grad;
}

function release(state: StoreState): void {
  state.grad?.dispose();
  state.grad = null;
}

/**
 * A store [N, channels, H, W] with x [N, C0, H, W] in channels [0, C0) (the rest unwritten until
 * `storeWrite` fills it). dx = G[:, :C0].
 */
export function featureStore(x: Tensor, channels: number): Tensor {
  requireDtype('feature_store', x, 'float32');
  if (x.ndim !== 4 || !Number.isInteger(channels) || channels < x.shape[1])
    throw new Error(
      `feature_store: expected an input [N, C, H, W] and at least C channels, got ${formatShape(x.shape)} and ${channels}`,
    );
  const [n, c0, h, w] = x.shape;
  const store = Tensor.empty([n, channels, h, w]);
  writeChannels(x, store, 0);
  const state: StoreState = { grad: null };
  stores.set(store.storage, state);
  return record(store, 'feature_store', [x], (g) => {
    const dx = slice(absorb(state, g), 1, 0, c0);
    release(state);
    return [dx];
  });
}

/**
 * Writes `part` [N, c, H, W] into channels [at, at + c) of `store` (a version of a feature store)
 * and returns the new version (the same storage). d(part) = G[:, at:at + c]; the version below
 * gets G itself.
 */
export function storeWrite(store: Tensor, part: Tensor, at: number): Tensor {
  const state = stores.get(store.storage);
  if (!state) throw new Error('feature_store: storeWrite needs a tensor made by featureStore');
  requireDtype('feature_store', part, 'float32');
  const [n, channels, h, w] = store.shape;
  const [pn, c, ph, pw] = part.shape;
  if (part.ndim !== 4 || pn !== n || ph !== h || pw !== w || !Number.isInteger(at) || at < 0 || at + c > channels)
    throw new Error(
      `feature_store: cannot write ${formatShape(part.shape)} at channel ${at} of a store ${formatShape(store.shape)}`,
    );
  writeChannels(part, store, at);
  const version = store.detach();
  return record(version, 'feature_store_write', [store, part], (g, needs) => {
    const shared = absorb(state, g);
    const grads = [needs[0] ? shared.detach() : null, needs[1] ? slice(shared, 1, at, at + c) : null];
    if (!needs[0]) release(state);
    return grads;
  });
}

/**
 * The shared gradient of the feature store that `x` (a version, or an alias of one) belongs to,
 * zeros when this backward pass has not started it; null when x is not a store.
 */
export function sharedGradient(x: Tensor): Tensor | null {
  const state = stores.get(x.storage);
  if (!state) return null;
  if (!state.grad) state.grad = keep(zeros(x.shape));
  return state.grad;
}
