/** softmax and logSoftmax along a dimension (`softmax_*.wgsl`), computed with max subtraction. */
import { dispatch, gridFor } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { shaders } from '../shaders.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { normalizeDim, requireDtype } from './util.js';

const WG = 256;

function softmaxOp(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? 'log_softmax' : 'softmax';
  requireDtype(name, x, 'float32');
  const d = normalizeDim(name, dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  const inner = numel(x.shape.slice(d + 1));
  const rows = x.size / Math.max(size, 1);
  const params = new Params().u32(rows).u32(size).u32(inner).bytes();
  const constants = { WG, LOG: log ? 1 : 0 };
  const y = Tensor.empty(x.shape);
  const forward = { name: 'softmax_forward', source: shaders.softmax_forward, bindings: ['read', 'write', 'uniform'] as const, constants };
  dispatch(forward, [x.buffer, y.buffer], params, gridFor(rows, WG));
  return record(y, name, [x], (g) => {
    const dx = Tensor.empty(x.shape);
    const backward = { name: 'softmax_backward', source: shaders.softmax_backward, bindings: ['read', 'read', 'write', 'uniform'] as const, constants };
    dispatch(backward, [g.buffer, y.buffer, dx.buffer], params, gridFor(rows, WG));
    return [dx];
  });
}

/** exp(x_i) / sum_j exp(x_j) along `dim`. */
export const softmax = (x: Tensor, dim = -1) => softmaxOp(x, dim, false);
/** x_i - log sum_j exp(x_j) along `dim`. */
export const logSoftmax = (x: Tensor, dim = -1) => softmaxOp(x, dim, true);
