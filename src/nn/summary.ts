/**
 * `sg.summary(model, inputShape)`: the table that the `torchsummary` Python package prints.
 * It runs a real forward pass (batch of 2, uniform random input, no graph) in the model's own
 * mode, as torchsummary does (so a fresh GoogLeNet's auxiliary heads are listed), then puts back
 * the buffers (batch norm's running statistics) and the random generator's state; it records, for every module other than the model itself and
 * Sequential containers, in the order their forward passes finish: `Type-N`, the output shape
 * with the batch size in front, and the parameter count of its own `weight` and `bias`.
 * Sizes in MB are computed as torchsummary does (4 bytes per value; the forward/backward size
 * counts every recorded output twice, for values and gradients).
 */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { getRngState, rand, setRngState, zeros } from '../ops/create.js';
import { clone } from '../ops/elementwise.js';
import { Module } from './module.js';
import { Sequential } from './sequential.js';
import { Parameter } from './parameter.js';

/** Options of `summary`: the batch size shown and whether to print the table. */
export interface SummaryOptions {
  /** Shown as the first dimension of every shape (torchsummary's batch_size; default -1). */
  batchSize?: number;
  /** Also print the table with console.log. */
  print?: boolean;
  /**
   * The input's dtype (torchsummary's `dtypes`): 'int32' for token ids, which are zeros, as
   * torchsummary's `torch.rand(2, *size).type(torch.long)` (default 'float32').
   */
  dtype?: 'float32' | 'int32';
}

interface Row {
  name: string;
  outputShape: number[];
  params: number;
  trainable: boolean | null;
}

const LINE = '-'.repeat(64);
const DOUBLE = '='.repeat(64);
const thousands = (n: number) => n.toLocaleString('en-US');
const right = (s: string, width: number) => s.padStart(width);

/** The torchsummary table for `model` on inputs of shape `inputShape` (without the batch dimension). */
export function summary(model: Module, inputShape: readonly number[], options: SummaryOptions = {}): string {
  const batchSize = options.batchSize ?? -1;
  const rows = recordRows(model, inputShape, batchSize, options.dtype ?? 'float32');
  let total = 0;
  let trainable = 0;
  let totalOutput = 0;
  const lines = [LINE, `${right('Layer (type)', 20)}  ${right('Output Shape', 25)} ${right('Param #', 15)}`, DOUBLE];
  for (const r of rows) {
    lines.push(`${right(r.name, 20)}  ${right(`[${r.outputShape.join(', ')}]`, 25)} ${right(thousands(r.params), 15)}`);
    total += r.params;
    if (r.trainable) trainable += r.params;
    totalOutput += r.outputShape.reduce((a, b) => a * b, 1);
  }
  const mb = (values: number) => Math.abs((values * 4) / 1024 ** 2);
  const inputSize = mb(inputShape.reduce((a, b) => a * b, 1) * batchSize);
  const outputSize = 2 * mb(totalOutput);
  const paramsSize = mb(total);
  lines.push(
    DOUBLE,
    `Total params: ${thousands(total)}`,
    `Trainable params: ${thousands(trainable)}`,
    `Non-trainable params: ${thousands(total - trainable)}`,
    LINE,
    `Input size (MB): ${inputSize.toFixed(2)}`,
    `Forward/backward pass size (MB): ${outputSize.toFixed(2)}`,
    `Params size (MB): ${paramsSize.toFixed(2)}`,
    `Estimated Total Size (MB): ${(paramsSize + outputSize + inputSize).toFixed(2)}`,
    LINE,
  );
  const text = lines.join('\n');
  if (options.print) console.log(text);
  return text;
}

/** Runs the forward pass with every module's `forward` wrapped to record a row when it returns. */
function recordRows(
  model: Module,
  inputShape: readonly number[],
  batchSize: number,
  dtype: 'float32' | 'int32',
): Row[] {
  const rows: Row[] = [];
  const modes = model.modules().map((m) => [m, m.training] as const);
  const buffers = model.buffers();
  const saved = buffers.map((b) => noGrad(() => clone(b)));
  const rng = getRngState();
  const wrapped: Module[] = [];
  for (const m of model.modules()) {
    if (m === model || m instanceof Sequential) continue;
    const original = m.forward;
    wrapped.push(m);
    m.forward = (...inputs: Tensor[]) => {
      const out = original.apply(m, inputs);
      // A module returning several results (MultiheadAttention's [output, weights | null]) is
      // listed with its first one (torchsummary itself fails on ViT's `None` weights); a model's
      // own object of outputs (GoogLeNet's in training) is never recorded: the model is not wrapped.
      const first: unknown = Array.isArray(out) ? out[0] : out;
      if (first instanceof Tensor)
        rows.push({
          name: `${m.constructor.name}-${rows.length + 1}`,
          outputShape: [batchSize, ...first.shape.slice(1)],
          ...ownWeightAndBias(m),
        });
      return out;
    };
  }
  try {
    // The block returns nothing, so tidy frees the output too (returning it would keep it).
    tidy(() => {
      noGrad(() => model.forward(dtype === 'int32' ? zeros([2, ...inputShape], { dtype }) : rand([2, ...inputShape])));
    });
  } finally {
    for (const m of wrapped) delete (m as { forward?: unknown }).forward; // back to the class method
    for (const [m, training] of modes) m.training = training;
    buffers.forEach((b, i) => b.copy_(saved[i]));
    for (const t of saved) t.dispose();
    setRngState(rng);
  }
  return rows;
}

/** torchsummary counts a module's `weight` and `bias` only; trainable follows the weight. */
function ownWeightAndBias(m: Module): { params: number; trainable: boolean | null } {
  const fields = m as unknown as { weight?: unknown; bias?: unknown };
  let params = 0;
  let trainable: boolean | null = null;
  if (fields.weight instanceof Parameter) {
    params += fields.weight.size;
    trainable = fields.weight.requiresGrad;
  }
  if (fields.bias instanceof Parameter) params += fields.bias.size;
  return { params, trainable };
}
