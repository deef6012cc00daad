// State dicts loaded as PyTorch loads them: a tensor copied onto itself is left as it is
// (`copy_`, Module and optimiser `loadStateDict`), later unrelated work unharmed; BatchNorm fills
// a missing `num_batches_tracked` with 0 in every load (`_BatchNorm._load_from_state_dict` for
// states without version metadata), so the CIFAR ResNet-56 file of examples/weights and
// torchvision-style ResNet states load strictly; any other missing key fails the whole load with
// nothing changed, and every problem is listed in PyTorch's words and order.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

const { nn, optim, models } = sg;

beforeAll(async () => {
  await sg.init();
});

/** Flattened values of every tensor of a state dict, by key. */
async function values(state: Map<string, sg.Tensor>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const [k, t] of state) out.set(k, Array.from(await t.data()));
  return out;
}

class Small extends nn.Module {
  conv = new nn.Conv2d(3, 4, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(4);
  fc = new nn.Linear(4, 2);
  forward(x: sg.Tensor): sg.Tensor {
    return this.fc.forward(this.bn.forward(this.conv.forward(x)).mean([2, 3]));
  }
}

describe('a tensor loaded onto itself', () => {
  it('copy_ of a tensor onto itself (or a view of it) is a no-op', async () => {
    const t = sg.tensor([1, 2, 3, 4]);
    t.copy_(t);
    t.copy_(t.reshape(4));
    expect(await t.toArray()).toEqual([1, 2, 3, 4]);
  });

  it('m.loadStateDict(m.stateDict()), and a state taken earlier, leave every value and later work intact', async () => {
    const m = new Small();
    m.forward(sg.randn([2, 3, 5, 5])); // train mode: running statistics and the counter move
    const before = await values(m.stateDict());
    const earlier = m.stateDict();
    expect(m.loadStateDict(m.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    m.loadStateDict(earlier);
    m.loadStateDict(Object.fromEntries(m.stateDict()));
    expect(await values(m.stateDict())).toEqual(before);
    // The batch was not invalidated: unrelated work after the loads reads back fine.
    expect(await sg.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
    expect(before.get('bn.num_batches_tracked')).toEqual([1]);
  });

  it("an optimiser's own state loaded back changes nothing, and the next step is the same", async () => {
    const run = async (reload: boolean) => {
      sg.manualSeed(5);
      const p = nn.parameter(sg.randn([3, 4]));
      const opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        p.mul(p).sum().backward();
        opt.step();
        if (reload) opt.loadStateDict(await opt.stateDict());
      }
      return Array.from(await p.data());
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe('num_batches_tracked, as PyTorch', () => {
  it('a state without it loads strictly, with every counter set to 0, and is not reported missing', async () => {
    const src = new Small();
    const dst = new Small();
    dst.forward(sg.randn([2, 3, 4, 4]));
    const state = new Map([...src.stateDict()].filter(([k]) => !k.endsWith('num_batches_tracked')));
    expect(dst.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const after = await values(dst.stateDict());
    expect(after.get('bn.num_batches_tracked')).toEqual([0]);
    expect(after.get('conv.weight')).toEqual(Array.from(await src.conv.weight.data()));
    // Non-strict too, as PyTorch.
    dst.forward(sg.randn([2, 3, 4, 4]));
    expect(dst.loadStateDict(state, { strict: false }).missingKeys).toEqual([]);
    expect(await dst.bn.num_batches_tracked.item()).toBe(0);
  });

  it('any other missing key fails the whole load, listed alone, with nothing changed (the counters neither)', async () => {
    const dst = new Small();
    dst.forward(sg.randn([2, 3, 4, 4]));
    const before = await values(dst.stateDict());
    const state = new Map(
      [...new Small().stateDict()].filter(([k]) => !k.endsWith('num_batches_tracked') && k !== 'bn.running_var'),
    );
    expect(() => dst.loadStateDict(state)).toThrow(
      'Error(s) in loading state_dict for Small:\n\tMissing key(s) in state_dict: "bn.running_var".',
    );
    expect(await values(dst.stateDict())).toEqual(before);
  });

  it('the CIFAR ResNet-56 file of examples/weights loads into cifar_resnet56() strictly', async () => {
    const model = models.cifar_resnet56();
    const state = await sg.io.load('examples/weights/resnet56-4bfd9763.th', { stripPrefix: 'module.' });
    expect([...state.keys()].some((k) => k.endsWith('num_batches_tracked'))).toBe(false);
    expect(model.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(await model.stateDict().get('layer3.8.bn2.running_var')!.data())).toEqual(
      Array.from(await state.get('layer3.8.bn2.running_var')!.data()),
    );
    expect(await model.stateDict().get('bn1.num_batches_tracked')!.item()).toBe(0);
    for (const t of state.values()) t.dispose();
    models.disposeModel(model);
  });

  it("a torchvision ResNet-18 state in the published files' style (no counters) loads into resnet18()", async () => {
    const published = models.resnet18();
    const state = new Map([...published.stateDict()].filter(([k]) => !k.endsWith('num_batches_tracked')));
    expect(state.size).toBe(102);
    const model = models.resnet18();
    expect(model.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(await model.fc.weight.data())).toEqual(Array.from(await published.fc.weight.data()));
    models.disposeModel(published);
    models.disposeModel(model);
  });
});

describe("errors in PyTorch's words", () => {
  it('missing, then unexpected, then every size mismatch with both shapes; nothing loaded', async () => {
    const dst = new Small();
    const before = await values(dst.stateDict());
    const state = new Map(new Small().stateDict());
    state.delete('fc.bias');
    state.delete('conv.bias');
    state.set('head.weight', sg.zeros([2]));
    state.set('fc.weight', sg.zeros([3, 4]));
    state.set('conv.weight', sg.zeros([4, 3, 5, 5]));
    expect(() => dst.loadStateDict(state)).toThrow(
      [
        'Error(s) in loading state_dict for Small:',
        '\tMissing key(s) in state_dict: "conv.bias", "fc.bias".',
        '\tUnexpected key(s) in state_dict: "head.weight".',
        '\tsize mismatch for conv.weight: copying a param with shape [4, 3, 5, 5] from checkpoint, the shape in current model is [4, 3, 3, 3].',
        '\tsize mismatch for fc.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [2, 4].',
      ].join('\n'),
    );
    // Non-strict: missing and unexpected keys are returned, size mismatches still fail.
    expect(() => dst.loadStateDict(state, { strict: false })).toThrow(
      /^Error\(s\) in loading state_dict for Small:\n\tsize mismatch for conv\.weight: .*\n\tsize mismatch for fc\.weight/,
    );
    expect(await values(dst.stateDict())).toEqual(before);
  });

  it('a value that is not a tensor, or a disposed one, is named', () => {
    const m = new nn.Linear(2, 2);
    const gone = sg.zeros([2]);
    gone.dispose();
    expect(() => m.loadStateDict({ weight: [[1, 2]] as never, bias: gone })).toThrow(
      'Error(s) in loading state_dict for Linear:\n\tweight is not a Tensor (got object).\n\tbias: the tensor in state_dict was disposed.',
    );
  });
});
