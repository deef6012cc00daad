/** softmax and logSoftmax along a dimension (`softmax_*.wgsl`), computed with max subtraction. */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { normalizeDim, requireDtype } from './util.js';
import { checkArg } from '../args.js';

const WG = 256;

function softmaxOp(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? 'log_softmax' : 'softmax';
  checkArg(name, 'dim', dim, 'integer');
  // PyTorch's implicit dim (deprecated: 1 for 4-D inputs, not -1) is never guessed.
  if (dim === undefined) throw new Error(`${name}: missing argument 'dim' (the dimension to normalise over)`);
  requireDtype(name, x, 'float32');
  const d = normalizeDim(name, dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  const inner = numel(x.shape.slice(d + 1));
  const rows = x.size / Math.max(size, 1);
  const uniforms = { rows, d: size, inner };
  const y = Tensor.empty(x.shape);
  dispatch(K.softmax_forward, { WG, LOG: log }, uniforms, [x.buffer, y.buffer], gridFor(rows, WG));
  return record(y, name, [x], (g) => {
    const dx = Tensor.empty(x.shape);
    dispatch(K.softmax_backward, { WG, LOG: log }, uniforms, [g.buffer, y.buffer, dx.buffer], gridFor(rows, WG));
    return [dx];
  });
}

/** y_i = exp(x_i) / Σ_j exp(x_j) along `dim`; `torch.softmax`. dx = y (g - Σ g y). */
export const softmax = (x: Tensor, dim: number) => softmaxOp(x, dim, false);
/** y_i = x_i - log Σ_j exp(x_j) along `dim`; `torch.log_softmax`. dx = g - softmax(x) Σ g. */
export const logSoftmax = (x: Tensor, dim: number) => softmaxOp(x, dim, true);
