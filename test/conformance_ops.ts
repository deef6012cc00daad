// The conformance table's ops as shadergrad spells them, and the comparison with PyTorch's
// recorded output and gradients (test/conformance.test.ts runs them; tools/fixtures/
// make_conformance.py and make_conformance_grad.py wrote the table).
import * as sg from '../src/index.js';

export type Value = number | 'nan' | 'inf' | '-inf' | '-0';
type View = ['t'] | ['permute', number[]] | ['slice', number, number, number, number];
interface Input {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Value[];
  view?: View;
}
export interface Case {
  op: string;
  inputs: Input[];
  args: Record<string, unknown>;
  out?: { shape: number[]; dtype: string; values: Value[] };
  error?: string;
  /** The gradient case: backward with `gradOut`, each float input's .grad (null: not differentiable). */
  grad?: { gradOut: Value[]; inputs: Array<Value[] | null> };
}

export const dec = (v: Value | unknown): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === '-0' ? -0 : (v as number);

export function view(t: sg.Tensor, v?: View): sg.Tensor {
  if (!v) return t;
  if (v[0] === 't') return t.transpose(-2, -1);
  if (v[0] === 'permute') return t.permute(v[1]);
  return t.slice(v[1], v[2], v[3], v[4]);
}

type Op = (x: sg.Tensor[], a: Record<string, unknown>) => sg.Tensor;
const num = (a: Record<string, unknown>, k: string) => dec(a[k]);
const reduceArgs = (a: Record<string, unknown>) =>
  [(a.dim ?? undefined) as number | undefined, (a.keepdim ?? false) as boolean] as const;

/** Each op of the table as shadergrad spells it. */
export const OPS: Record<string, Op> = {
  add: (x) => sg.add(x[0], x[1]),
  sub: (x) => sg.sub(x[0], x[1]),
  mul: (x) => sg.mul(x[0], x[1]),
  div: (x) => sg.div(x[0], x[1]),
  maximum: (x) => sg.maximum(x[0], x[1]),
  minimum: (x) => sg.minimum(x[0], x[1]),
  addScalar: (x, a) => x[0].add(num(a, 'other')),
  mulScalar: (x, a) => x[0].mul(num(a, 'other')),
  divScalar: (x, a) => x[0].div(num(a, 'other')),
  neg: (x) => sg.neg(x[0]),
  exp: (x) => sg.exp(x[0]),
  log: (x) => sg.log(x[0]),
  sqrt: (x) => sg.sqrt(x[0]),
  abs: (x) => sg.abs(x[0]),
  pow: (x, a) => sg.pow(x[0], num(a, 'exponent')),
  relu: (x) => sg.relu(x[0]),
  sigmoid: (x) => sg.sigmoid(x[0]),
  tanh: (x) => sg.tanh(x[0]),
  clone: (x) => sg.clone(x[0]),
  silu: (x) => sg.silu(x[0]),
  hardswish: (x) => sg.hardswish(x[0]),
  hardsigmoid: (x) => sg.hardsigmoid(x[0]),
  relu6: (x) => sg.relu6(x[0]),
  gelu: (x, a) => sg.gelu(x[0], { approximate: a.approximate as 'tanh' | undefined }),
  clamp: (x, a) => sg.clamp(x[0], a.min as number | undefined, a.max as number | undefined),
  sum: (x, a) => sg.sum(x[0], ...(reduceArgs(a) as [number, boolean])),
  mean: (x, a) => sg.mean(x[0], ...(reduceArgs(a) as [number, boolean])),
  max: (x, a) => sg.amax(x[0], ...reduceArgs(a)),
  min: (x, a) => sg.amin(x[0], ...reduceArgs(a)),
  argmax: (x, a) => sg.argmax(x[0], ...reduceArgs(a)),
  argmin: (x, a) => sg.argmin(x[0], ...reduceArgs(a)),
  softmax: (x, a) => sg.softmax(x[0], a.dim as number),
  logSoftmax: (x, a) => sg.logSoftmax(x[0], a.dim as number),
  eq: (x) => sg.eq(x[0], x[1]),
  ne: (x) => sg.ne(x[0], x[1]),
  lt: (x) => sg.lt(x[0], x[1]),
  le: (x) => sg.le(x[0], x[1]),
  gt: (x) => sg.gt(x[0], x[1]),
  ge: (x) => sg.ge(x[0], x[1]),
  where: (x) => sg.where(sg.ne(x[0], 0), x[1], x[2]),
  int: (x) => x[0].int(),
  matmul: (x) => sg.matmul(x[0], x[1]),
  conv2d: (x, a) =>
    sg.conv2d(x[0], x[1], x[2] ?? null, {
      stride: a.stride as number | undefined,
      padding: a.padding as number | undefined,
    }),
  maxPool2d: (x, a) =>
    sg.maxPool2d(x[0], a.kernel as number, {
      stride: a.stride as number | undefined,
      padding: a.padding as number | undefined,
      ceilMode: a.ceilMode as boolean | undefined,
    }),
  avgPool2d: (x, a) =>
    sg.avgPool2d(x[0], a.kernel as number, { stride: a.stride as number, padding: a.padding as number }),
  adaptiveAvgPool2d: (x, a) => sg.adaptiveAvgPool2d(x[0], a.size as number),
  layerNorm: (x) => sg.layerNorm(x[0], x[0].shape[x[0].ndim - 1]),
  crossEntropy: (x, a) => sg.crossEntropy(x[0], x[1], { reduction: a.reduction as sg.Reduction | undefined }),
  mseLoss: (x, a) => sg.mseLoss(x[0], x[1], { reduction: a.reduction as sg.Reduction | undefined }),
  l1Loss: (x, a) => sg.l1Loss(x[0], x[1], { reduction: a.reduction as sg.Reduction | undefined }),
  bceWithLogits: (x) => sg.binaryCrossEntropyWithLogits(x[0], x[1]),
  reshape: (x, a) => x[0].reshape(a.shape as number[]),
  flatten: (x, a) => sg.flatten(x[0], a.start as number | undefined, a.end as number | undefined),
  unsqueeze: (x, a) => x[0].unsqueeze(a.dim as number),
  squeeze: (x, a) => x[0].squeeze(a.dim as number | undefined),
  permute: (x, a) => x[0].permute(a.dims as number[]),
  transpose: (x, a) => x[0].transpose(a.dim0 as number, a.dim1 as number),
  expand: (x, a) => x[0].expand(a.sizes as number[]),
  slice: (x, a) => x[0].slice(a.dim as number, a.start as number, a.end as number, a.step as number),
  cat: (x, a) => sg.cat(x, a.dim as number),
  split0: (x, a) => sg.split(x[0], a.size as number, a.dim as number)[0],
  // gradients.json and layers.json (make_conformance_grad.py)
  maxDim: (x, a) => sg.max(x[0], a.dim as number, a.keepdim as boolean | undefined).values,
  minDim: (x, a) => sg.min(x[0], a.dim as number, a.keepdim as boolean | undefined).values,
  powTensor: (x) => sg.pow(x[0], x[1]),
  batchNorm: (x, a) =>
    sg.batchNorm(x[0], { mean: x[1], variance: x[2], batchesTracked: null }, x[3] ?? null, x[4] ?? null, {
      training: a.training as boolean,
      momentum: 0.1,
      eps: 1e-5,
    }),
  dropout: (x, a) => sg.dropout(x[0], a.p as number, a.training as boolean),
  attention: (x) => sg.scaledDotProductAttention(x[0], x[1], x[2], { attnMask: x[3] ?? null }),
  layerNormAffine: (x) => sg.layerNorm(x[0], x[0].shape[x[0].ndim - 1], x[1], x[2]),
};

/** Whether `got` matches PyTorch's `want`: NaN for NaN, equal infinities, the sign of zeros, rel. error < 1e-4. */
export function same(got: number, want: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  if (want === 0) return got === 0 && Object.is(got, want);
  return Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6;
}

/** The first element of `got` that differs from `want` (NaN-aware), as a message, or null. */
async function differs(what: string, t: sg.Tensor, shape: number[], want: Value[]): Promise<string | null> {
  if (t.shape.join() !== shape.join()) return `${what}: shape [${t.shape}], PyTorch [${shape}]`;
  const got = Array.from(await t.data());
  for (let i = 0; i < got.length; i++) {
    if (!same(got[i], dec(want[i])))
      return `${what} element ${i}: ${Object.is(got[i], -0) ? '-0' : got[i]}, PyTorch ${want[i]}`;
  }
  return null;
}

/** The first difference between shadergrad's result (and, for gradient cases, each x.grad) and PyTorch's, or null. */
export async function compare(c: Case): Promise<string | null> {
  const made: sg.Tensor[] = [];
  try {
    const bases = c.inputs.map((i, k) => {
      const grad = c.grad?.inputs[k] != null;
      const base = sg.tensor(i.values.map(dec), { shape: i.shape, dtype: i.dtype, requiresGrad: grad });
      made.push(base);
      return base;
    });
    const inputs = bases.map((b, k) => {
      const t = view(b, c.inputs[k].view);
      if (t !== b) made.push(t);
      return t;
    });
    let out: sg.Tensor;
    try {
      // In a tidy scope, as a user's code runs: composite ops' intermediates go with it.
      out = sg.tidy(() => OPS[c.op](inputs, c.args));
    } catch (e) {
      if (c.error !== undefined) return null;
      return `threw "${(e as Error).message}", PyTorch gives shape [${c.out!.shape}]`;
    }
    made.push(out);
    if (c.error !== undefined) return `gave shape [${out.shape}], PyTorch raised "${c.error}"`;
    const problem = await differs('output', out, c.out!.shape, c.out!.values);
    if (problem || !c.grad) return problem;
    const gradOut = c.grad.gradOut.map(dec);
    try {
      // Forward again and backward in one tidy scope (backward reads the forward's intermediates).
      sg.tidy(() => {
        const again = OPS[c.op](inputs, c.args);
        again.backward(sg.tensor(gradOut, { shape: again.shape }));
      });
    } catch (e) {
      return `backward threw "${(e as Error).message}"`;
    }
    for (const [k, want] of c.grad.inputs.entries()) {
      if (want === null) continue;
      const grad = bases[k].grad;
      if (!grad) return `input ${k} has no .grad, PyTorch computes one`;
      made.push(grad);
      const p = await differs(`grad of input ${k}`, grad, c.inputs[k].shape, want);
      if (p) return p;
    }
    return null;
  } finally {
    for (const t of made) t.dispose();
  }
}
