/**
 * Weight initialisation as PyTorch's defaults. Conv and Linear weights use
 * kaiming_uniform_(a = sqrt(5)): bound = gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + a^2)),
 * which simplifies to 1 / sqrt(fan_in); their biases are U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 * The numbers come from the seeded GPU generator (`sg.manualSeed`), drawn straight into the new
 * parameter's storage by the many-elements-per-invocation fill of src/ops/random_inplace.ts.
 */
import { zeros, ones } from '../ops/create.js';
import { uniform_ } from '../ops/random_inplace.js';
import { Tensor, type Shape } from '../tensor.js';
import { parameter, type Parameter } from './parameter.js';

/** fan_in of a weight [out, in, ...kernel]: in * prod(kernel). */
export function fanIn(shape: Shape): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** kaiming_uniform_(w, a): U(-b, b) with b = sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in). */
export function kaimingUniform(shape: Shape, a = Math.sqrt(5)): Parameter {
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fanIn(shape));
  return parameter(uniform_(Tensor.empty(shape), -bound, bound));
}

/** The default bias of a layer with the given fan_in: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function biasUniform(size: number, fanInOfWeight: number): Parameter {
  const bound = fanInOfWeight > 0 ? 1 / Math.sqrt(fanInOfWeight) : 0;
  return parameter(uniform_(Tensor.empty([size]), -bound, bound));
}

export const zerosParameter = (shape: Shape) => parameter(zeros(shape));
export const onesParameter = (shape: Shape) => parameter(ones(shape));
