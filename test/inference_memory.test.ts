// Inference memory: under noGrad each module's temporaries are freed when its forward returns,
// and Sequential frees each child's output once the next child has consumed it, so a VGG-like
// network peaks at its weights plus about 3x its largest activation (input, output and a
// workspace), where the same forward with a graph holds every activation. Results are the same.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as sg from '../src/index.js';

const { nn } = sg;

beforeAll(async () => {
  await sg.init();
});
// These peaks compare noGrad's freeing with a kept graph of the unfused layers: fusion (nn/fusion.ts)
// would shrink the graph's peak too, so it is off here (test/fusion.test.ts covers it).
beforeAll(() => sg.setFusion(false));
afterAll(() => sg.setFusion(true));

/** VGG's layout in small: [16, 16, M, 32, 32, M] on 1 x 3 x 40 x 40, then a linear head. */
function vggLike(): sg.nn.Sequential {
  const conv = (i: number, o: number) => [new nn.Conv2d(i, o, 3, { padding: 1 }), new nn.ReLU(true)];
  return new nn.Sequential(
    new nn.Sequential(
      ...conv(3, 16),
      ...conv(16, 16),
      new nn.MaxPool2d(2),
      ...conv(16, 32),
      ...conv(32, 32),
      new nn.MaxPool2d(2),
    ),
    new nn.Flatten(),
    new nn.Linear(32 * 10 * 10, 10),
  ).eval();
}

/** Bytes above what was live before, at the peak of `fn`, and its result's values. */
async function peakOf(fn: () => sg.Tensor): Promise<{ peak: number; values: number[] }> {
  await sg.synchronize();
  const base = sg.memory().bytesInUse;
  sg.resetPeakMemory();
  const out = fn();
  const peak = sg.memory().peakBytes - base;
  const values = (await out.toArray()) as number[];
  out.dispose();
  return { peak, values: values.flat() };
}

describe('inference memory', () => {
  it('a VGG-like net under noGrad peaks at its weights + 3x its largest activation', async () => {
    sg.manualSeed(1);
    const model = vggLike();
    const x = sg.rand([1, 3, 40, 40]);
    const largest = 16 * 40 * 40 * 4;
    const live = sg.memory().liveTensors;
    const inference = await peakOf(() => sg.noGrad(() => model.forward(x)));
    expect(inference.peak).toBeLessThanOrEqual(3 * largest);
    expect(sg.memory().liveTensors).toBe(live);
    // With a graph (parameters requiring gradients) every activation is kept for backward.
    const withGraph = await peakOf(() => sg.tidy(() => model.forward(x)));
    expect(withGraph.peak).toBeGreaterThan(5 * largest);
    withGraph.values.forEach((v, i) => expect(inference.values[i]).toBeCloseTo(v, 5));
    expect(sg.memory().liveTensors).toBe(live);
    x.dispose();
    sg.models.disposeModel(model);
  });

  it('a ResNet frees the temporaries of each block as it returns', async () => {
    sg.manualSeed(2);
    const model = (await sg.models.get('cifar_resnet20')).eval();
    const x = sg.rand([2, 3, 32, 32]);
    const largest = 2 * 16 * 32 * 32 * 4;
    const inference = await peakOf(() => sg.noGrad(() => model.forward(x)));
    // Temporaries live until their module returns: the top module's chain (conv1, bn1, relu: 3
    // activations) plus one block's (its input and 7 temporaries), instead of every activation.
    expect(inference.peak).toBeLessThanOrEqual(11 * largest);
    const withGraph = await peakOf(() => sg.tidy(() => model.forward(x)));
    expect(withGraph.peak).toBeGreaterThan(3 * inference.peak);
    withGraph.values.forEach((v, i) => expect(inference.values[i]).toBeCloseTo(v, 4));
    x.dispose();
    sg.models.disposeModel(model);
  });

  it('Sequential frees only what was made inside it: a kept tensor a child returns survives', async () => {
    class Constant extends nn.Module {
      value = sg.keep(sg.full([3], 2));
      forward(): sg.Tensor {
        return this.value;
      }
    }
    const c = new Constant();
    const seq = new nn.Sequential(c, new nn.ReLU());
    const x = sg.ones([3]);
    const y = sg.noGrad(() => seq.forward(x));
    expect(c.value.isDisposed).toBe(false);
    expect(await y.toArray()).toEqual([2, 2, 2]);
    for (const t of [x, y, c.value]) t.dispose();
  });

  it('a module keeping a tensor it made is left alone when it returns something opaque', () => {
    class Opaque extends nn.Module {
      forward(x: sg.Tensor): Map<string, sg.Tensor> {
        return new Map([['y', x.add(1)]]);
      }
    }
    const x = sg.ones([3]);
    const out = sg.noGrad(() => new Opaque().forward(x));
    expect(out.get('y')!.isDisposed).toBe(false);
    out.get('y')!.dispose();
    x.dispose();
  });
});
