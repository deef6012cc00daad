// Arguments as PyTorch users type them (src/args.ts): a table of bad calls, each an error naming
// the argument and the accepted ones, before any GPU work; and PyTorch's positional forms
// (`sum(dim, keepdim)`, `view(2, -1)`, `permute(2, 0, 1)`, `expand(4, -1)`, `SGD(params, lr)`),
// each giving PyTorch's shape and values.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { checkOptions, sizesArg } from '../src/args.js';
import { nd } from './ref/ndarray.js';
import { expectTensorEqual } from './helpers.js';

const { nn, optim, data, transforms } = sg;

beforeAll(async () => {
  await sg.init();
});

/** [what, the call, the error it must throw]. Built lazily: tensors need the device. */
function badCalls(): Array<[string, () => unknown, RegExp | string]> {
  const x = sg.ones([2, 3]);
  const img = sg.ones([1, 3, 8, 8]);
  const p = nn.parameter(sg.zeros([2]));
  const [w, labels, lin] = [sg.ones([2, 3, 3, 3]), sg.tensor([0, 1], { dtype: 'int32' }), new nn.Linear(2, 2)];
  const ds = new data.TensorDataset({ data: new Float32Array(8), shape: [4, 2] });
  return [
    [
      'a misspelt keepdim',
      () => sg.sum(x, 1, { keepDim: true } as never),
      "sum: unknown option 'keepDim' (did you mean 'keepdim'?); accepted options: keepdim",
    ],
    [
      'keepdim as a string',
      () => x.mean(0, 'yes' as never),
      'mean: argument \'keepdim\' must be a boolean or an options object {keepdim}, got "yes"',
    ],
    [
      'keepdim of the wrong type',
      () => x.max(1, { keepdim: 1 } as never),
      "max: option 'keepdim' must be a boolean, got 1",
    ],
    ['a fractional dim', () => x.argmax(0.5), "argmax: argument 'dim' must be an integer or null, got 0.5"],
    [
      'a list of dims where one is taken',
      () => x.max([0, 1] as never),
      "max: argument 'dim' must be an integer or null, got [0, 1]",
    ],
    [
      'an unknown conv2d option',
      () => sg.conv2d(img, w, null, { pad: 1 } as never),
      "conv2d: unknown option 'pad'; accepted options: stride, padding, dilation, groups",
    ],
    [
      'a boolean where conv2d options go',
      () => sg.conv2d(img, w, null, true as never),
      'conv2d: options must be an object {stride, padding, dilation, groups}, got true',
    ],
    [
      'a string stride',
      () => sg.maxPool2d(img, 2, { stride: '2' } as never),
      'max_pool2d: option \'stride\' must be an integer or a list of integers, got "2"',
    ],
    [
      'ceil_mode spelt as in Python',
      () => sg.avgPool2d(img, 2, { ceil_mode: true } as never),
      "avg_pool2d: unknown option 'ceil_mode' (did you mean 'ceilMode'?); accepted options: stride, padding, ceilMode, countIncludePad",
    ],
    [
      'a reduction that does not exist',
      () => sg.crossEntropy(x, labels, { reduction: 'avg' } as never),
      'cross_entropy: option \'reduction\' must be one of "mean", "sum", "none", got "avg"',
    ],
    [
      'mse_loss with an unknown option',
      () => sg.mseLoss(x, x, { size_average: true } as never),
      "mse_loss: unknown option 'size_average'; accepted options: reduction",
    ],
    [
      'a dtype that does not exist',
      () => sg.zeros([2], { dtype: 'float64' } as never),
      'zeros: option \'dtype\' must be one of "float32", "int32", got "float64"',
    ],
    [
      'requires_grad spelt as in Python',
      () => sg.randn([2], { requires_grad: true } as never),
      "randn: unknown option 'requires_grad' (did you mean 'requiresGrad'?); accepted options: shape, dtype, requiresGrad",
    ],
    [
      'a list of sizes mixed with numbers',
      () => sg.zeros(2, [3] as never),
      "zeros: argument 'size' must be a list of integers or integers, but found [3] at position 2",
    ],
    [
      'a string added to a tensor',
      () => x.add('1' as never),
      'add: argument \'other\' must be a Tensor or a number, got "1"',
    ],
    [
      'a string exponent',
      () => x.pow('2' as never),
      'pow: argument \'exponent\' must be a Tensor or a number, got "2"',
    ],
    [
      'softmax with an options object',
      () => sg.softmax(x, { dim: 1 } as never),
      "softmax: argument 'dim' must be an integer, got an object",
    ],
    [
      'a fractional reshape size',
      () => x.reshape(2, 1.5),
      "reshape: argument 'shape' must be integers (as shape or ...shape), got [2, 1.5]",
    ],
    [
      'permute with a string',
      () => x.permute('1' as never, 0),
      'permute: argument \'dims\' must be integers (as dims or ...dims), got ["1", 0]',
    ],
    [
      'expand -1 for a new dim',
      () => x.expand(-1, 2, 3),
      'expand: invalid sizes [-1, 2, 3] (-1 only for an existing dim) for [2, 3]',
    ],
    [
      'backward with retain_graph',
      () => x.backward(undefined, { retain_graph: true } as never),
      "backward: unknown option 'retain_graph' (did you mean 'retainGraph'?); accepted options: retainGraph",
    ],
    [
      'Conv2d with a misspelt option',
      () => new nn.Conv2d(3, 4, 3, { paddding: 1 } as never),
      "Conv2d: unknown option 'paddding'; accepted options: stride, padding, dilation, groups, bias",
    ],
    [
      'Conv2d with a string padding',
      () => new nn.Conv2d(3, 4, 3, { padding: 'same' } as never),
      'Conv2d: argument \'padding\' must be a number or a list of numbers, got "same"',
    ],
    [
      'Linear with bias as a number',
      () => new nn.Linear(3, 4, 0 as never),
      "Linear: argument 'bias' must be a boolean, got 0",
    ],
    [
      'BatchNorm2d with too many arguments',
      () => new nn.BatchNorm2d(3, 1e-5, 0.1, true, true, 7 as never),
      /^BatchNorm2d: takes at most 4 optional positional arguments \(eps, momentum, affine, trackRunningStats\), got 5/,
    ],
    [
      'CrossEntropyLoss with a bad reduction',
      () => new nn.CrossEntropyLoss({ reduction: 'mean ' } as never),
      'CrossEntropyLoss: argument \'reduction\' must be one of "mean", "sum", "none", got "mean "',
    ],
    [
      'MSELoss with an unknown option',
      () => new nn.MSELoss({ reduce: false } as never),
      /^MSELoss: unknown option 'reduce'; accepted options: reduction/,
    ],
    [
      'GELU with a bad approximation',
      () => new nn.GELU('erf' as never),
      'GELU: argument \'approximate\' must be one of "none", "tanh", got "erf"',
    ],
    [
      'SGD with weight_decay spelt as in Python',
      () => new optim.SGD([p], { lr: 0.1, weight_decay: 1e-4 } as never),
      "SGD: unknown option 'weight_decay' (did you mean 'weightDecay'?); accepted options: lr, momentum, dampening, weightDecay, nesterov",
    ],
    [
      'Adam with betas as a number',
      () => new optim.Adam([p], { betas: 0.9 } as never),
      "Adam: option 'betas' must be a list of numbers, got 0.9",
    ],
    [
      'a parameter group with an unknown key',
      () => new optim.AdamW([{ params: [p], learningRate: 1 } as never]),
      /^AdamW \(parameter group 0\): unknown option 'learningRate'; accepted options: lr, betas/,
    ],
    [
      'StepLR with a Python keyword',
      () => new optim.lrScheduler.StepLR(new optim.SGD([p]), { step_size: 3 } as never),
      /^StepLR: unknown option 'step_size' \(did you mean 'stepSize'\?\)/,
    ],
    [
      'ReduceLROnPlateau with a bad mode',
      () => new optim.lrScheduler.ReduceLROnPlateau(new optim.SGD([p]), { mode: 'minimum' } as never),
      'ReduceLROnPlateau: option \'mode\' must be one of "min", "max", got "minimum"',
    ],
    [
      'a DataLoader with batch_size',
      () => new data.DataLoader(ds, { batch_size: 2 } as never),
      "DataLoader: unknown option 'batch_size' (did you mean 'batchSize'?); accepted options: batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor, transformOnGpu, collateFn",
    ],
    [
      'a DataLoader with a fractional batch',
      () => new data.DataLoader(ds, { batchSize: 1.5 }),
      "DataLoader: option 'batchSize' must be an integer, got 1.5",
    ],
    [
      'randomSplit with a string seed',
      () => data.randomSplit(ds, [2, 2], { seed: '1' } as never),
      'randomSplit: option \'seed\' must be an integer, got "1"',
    ],
    [
      'Resize with an unknown interpolation',
      () => new transforms.Resize(8, { interpolation: 'lanczos' } as never),
      'Resize: option \'interpolation\' must be one of "bilinear", "bicubic", got "lanczos"',
    ],
    [
      'ColorJitter with an unknown option',
      () => new transforms.ColorJitter({ sharpness: 1 } as never),
      "ColorJitter: unknown option 'sharpness'; accepted options: brightness, contrast, saturation, hue",
    ],
    [
      'loadStateDict with strict as a string',
      () => lin.loadStateDict(new Map(), { strict: 'no' } as never),
      'loadStateDict: option \'strict\' must be a boolean, got "no"',
    ],
    [
      'summary with an unknown option',
      () => sg.summary(lin, [2], { batch: 1 } as never),
      "summary: unknown option 'batch'; accepted options: batchSize, print, dtype",
    ],
    [
      'a model with an unknown option',
      () => sg.models.resnet18({ num_classes: 3 } as never),
      /^ResNet: unknown option 'num_classes' \(did you mean 'numClasses'\?\); accepted options: numClasses/,
    ],
    [
      'a model with numClasses as a string',
      () => sg.models.cifar_resnet20({ numClasses: '3' } as never),
      'ResNet: argument \'numClasses\' must be a number or a list of numbers, got "3"',
    ],
  ];
}

describe('bad calls', () => {
  it('each is an error naming the argument and the accepted ones, with no GPU work and nothing allocated', () => {
    const calls = badCalls();
    const before = sg.memory();
    for (const [what, call, message] of calls) {
      let thrown: unknown = null;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, what).toBeInstanceOf(Error);
      if (typeof message === 'string') expect((thrown as Error).message, what).toBe(message);
      else expect((thrown as Error).message, what).toMatch(message);
    }
    // Nothing made by a rejected call stays alive (the table's own tensors were made before).
    expect(sg.memory().liveTensors, 'tensors left by rejected calls').toBe(before.liveTensors);
    expect(calls.length).toBeGreaterThan(40);
  });

  it('async entry points reject the same way', async () => {
    await expect(sg.io.load(new Uint8Array(8), { strip_prefix: 'module.' } as never)).rejects.toThrow(
      "io.load: unknown option 'strip_prefix' (did you mean 'stripPrefix'?); accepted options: stripPrefix, name, onProgress",
    );
    await expect(sg.models.get('resnet18', { checkHash: 'yes' } as never)).rejects.toThrow(
      'models.get: argument \'checkHash\' must be a boolean, got "yes"',
    );
    await expect(sg.train.finetune({ data: 'x', model: 'resnet18', epoch: 3 } as never)).rejects.toThrow(
      /^finetune: unknown option 'epoch'; accepted options: data, val, valSplit, model, weights/,
    );
    await expect(sg.init({ tune: 'no' } as never)).rejects.toThrow('init: option \'tune\' must be a boolean, got "no"');
  });

  it('the helper itself: undefined values mean the default, plain objects only', () => {
    expect(checkOptions('f', { a: undefined }, { a: 'number' })).toEqual({ a: undefined });
    expect(checkOptions<{ a?: number }>('f', undefined, { a: 'number' })).toEqual({});
    expect(() => checkOptions<{ a?: number }>('f', new Map() as never, { a: 'number' })).toThrow(
      'f: options must be an object {a}, got a Map',
    );
    expect(() => checkOptions<{ a?: number }>('f', [1] as never, { a: 'number' })).toThrow(
      'f: options must be an object {a}, got [1]',
    );
    expect(sizesArg('view', 'shape', [[2, -1]])).toEqual([2, -1]);
    expect(sizesArg('view', 'shape', [2, -1])).toEqual([2, -1]);
    expect(sizesArg('view', 'shape', [])).toEqual([]);
  });
});

describe("PyTorch's positional forms", () => {
  // x = torch.arange(24.).reshape(2, 3, 4) in every case; expectations computed by hand and
  // checked against PyTorch 1.13 (the same values as the conformance fixtures).
  const x24 = () => sg.arange(0, 24, 1, { dtype: 'float32' }).reshape(2, 3, 4);

  it('sum, mean, max, min with (dim, keepdim) give the keepdim shapes and values', async () => {
    const x = x24();
    await expectTensorEqual(x.sum(1, true), nd([2, 1, 4], [12, 15, 18, 21, 48, 51, 54, 57]), 'sum(1, True)');
    await expectTensorEqual(sg.sum(x, [0, 2], true), nd([1, 3, 1], [60, 92, 124]), 'sum((0, 2), True)');
    await expectTensorEqual(
      x.mean(0, true),
      nd(
        [1, 3, 4],
        Array.from({ length: 12 }, (_, i) => i + 6),
      ),
      'mean(0, True)',
    );
    await expectTensorEqual(x.max(2, true).values, nd([2, 3, 1], [3, 7, 11, 15, 19, 23]), 'amax(2, True)');
    await expectTensorEqual(x.min(-1, true).values, nd([2, 3, 1], [0, 4, 8, 12, 16, 20]), 'amin(-1, True)');
    await expectTensorEqual(x.sum(1, false), nd([2, 4], [12, 15, 18, 21, 48, 51, 54, 57]), 'sum(1, False)');
    await expectTensorEqual(x.sum(null, true), nd([1, 1, 1], [276]), 'sum(dim=None, keepdim=True)');
    expect(x.mean(undefined, true).shape).toEqual([1, 1, 1]);
  });

  it('argmax and argmin with (dim, keepdim)', async () => {
    const x = sg.tensor([
      [1, 9, 9, 2],
      [7, 0, 7, 0],
    ]);
    await expectTensorEqual(x.argmax(1, true), nd([2, 1], [1, 0]), 'argmax(1, True)');
    await expectTensorEqual(sg.argmin(x, 0, true), nd([1, 4], [0, 1, 1, 1]), 'argmin(0, True)');
    await expectTensorEqual(x.argmax(undefined, true), nd([1, 1], [1]), 'argmax(keepdim=True)');
    await expectTensorEqual(x.argmin(), nd([], [5]), 'argmin()');
  });

  it('softmax(dim) and logSoftmax(dim) as methods', async () => {
    const x = sg.tensor([
      [0, Math.log(3)],
      [Math.log(2), Math.log(2)],
    ]);
    const s = (await x.softmax(1).data()) as Float32Array;
    expect(Array.from(s).map((v) => +v.toFixed(6))).toEqual([0.25, 0.75, 0.5, 0.5]);
    const l = (await x.logSoftmax(0).data()) as Float32Array;
    expect(Array.from(l).map((v) => +v.toFixed(5))).toEqual([-1.09861, -0.51083, -0.40547, -0.91629]);
  });

  it('view, reshape, permute and expand take sizes one by one or as a list, with -1', async () => {
    const x = x24();
    expect(x.view(-1).shape).toEqual([24]);
    expect(x.view(4, -1).shape).toEqual([4, 6]);
    expect(x.reshape([-1, 12]).shape).toEqual([2, 12]);
    expect(x.reshape(2, 3, 2, 2).shape).toEqual([2, 3, 2, 2]);
    const p = x.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    await expectTensorEqual(p.slice(0, 1, 2), nd([1, 2, 3], [1, 5, 9, 13, 17, 21]), 'permute(2, 0, 1)[1:2]');
    expect(x.permute([1, 2, 0]).shape).toEqual([3, 4, 2]);
    const c = sg.tensor([[1], [2]]);
    await expectTensorEqual(c.expand(2, 3), nd([2, 3], [1, 1, 1, 2, 2, 2]), 'expand(2, 3)');
    await expectTensorEqual(c.expand(-1, 3), nd([2, 3], [1, 1, 1, 2, 2, 2]), 'expand(-1, 3)');
    await expectTensorEqual(c.expand([2, 2, -1]), nd([2, 2, 1], [1, 2, 1, 2]), 'expand([2, 2, -1])');
    await expectTensorEqual(sg.expand(c, [3, -1, 2]), nd([3, 2, 2], [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]), 'sg.expand');
    // expand's gradient sums back over the broadcast dims.
    const w = sg.tensor([[1], [2]], { requiresGrad: true });
    w.expand(-1, 3).sum().backward();
    expect(await w.grad!.toArray()).toEqual([[3], [3]]);
  });

  it('an optimiser takes the learning rate as a number, as torch.optim.SGD(params, 0.1)', () => {
    const p = nn.parameter(sg.zeros([2]));
    expect(new optim.SGD([p], 0.1).paramGroups[0].options.lr).toBe(0.1);
    expect(new optim.Adam([p], 0.01).paramGroups[0].options).toMatchObject({ lr: 0.01, betas: [0.9, 0.999] });
  });
});
