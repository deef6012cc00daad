// Multi-task training (examples/multitask.ts): a shared backbone with a classification head and a
// regression head, trained through the sum of their losses. The backbone's gradient from one
// backward pass of the sum equals the sum of the gradients of each loss on its own, and one Adam
// step on the summed loss lowers both losses.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';

const { nn, optim } = sg;

class TwoHeads extends nn.Module {
  backbone = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU());
  classifier = new nn.Linear(8, 3);
  regressor = new nn.Linear(8, 1);
  losses(x: sg.Tensor, labels: sg.Tensor, targets: sg.Tensor): [sg.Tensor, sg.Tensor] {
    const f = this.backbone.forward(x);
    return [
      sg.crossEntropy(this.classifier.forward(f), labels),
      sg.l1Loss(this.regressor.forward(f).flatten(), targets),
    ];
  }
  forward(x: sg.Tensor): sg.Tensor {
    return this.classifier.forward(this.backbone.forward(x));
  }
}

describe('multi-task: shared backbone, two heads, summed loss', () => {
  beforeAll(async () => {
    await sg.init({ tune: false });
    sg.manualSeed(3);
  });

  it('the summed loss gives the sum of the per-task gradients, and a step lowers both', async () => {
    const model = new TwoHeads();
    const x = sg.randn([5, 6]);
    const labels = sg.tensor([0, 2, 1, 1, 0], { dtype: 'int32' });
    const targets = sg.tensor([0.5, -1, 0.25, 2, 0]);
    const w = model.backbone[0] as InstanceType<typeof nn.Linear>;
    const gradOf = async (pick: (l: [sg.Tensor, sg.Tensor]) => sg.Tensor) => {
      model.zeroGrad();
      sg.tidy(() => pick(model.losses(x, labels, targets)).backward());
      return Array.from(await w.weight.grad!.data());
    };
    const gClass = await gradOf((l) => l[0]);
    const gReg = await gradOf((l) => l[1]);
    const gSum = await gradOf((l) => l[0].add(l[1]));
    expectClose(
      gSum,
      gClass.map((v, i) => v + gReg[i]),
      'backbone gradient of the summed loss',
      { atol: 1e-6, rtol: 1e-5 },
    );

    const before = await Promise.all(sg.tidy(() => model.losses(x, labels, targets)).map((l) => l.item()));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    for (let i = 0; i < 5; i++) {
      sg.tidy(() => {
        const [a, b] = model.losses(x, labels, targets);
        opt.zeroGrad();
        a.add(b).backward();
        opt.step();
      });
    }
    const after = await Promise.all(sg.tidy(() => model.losses(x, labels, targets)).map((l) => l.item()));
    expect(after[0]).toBeLessThan(before[0]);
    expect(after[1]).toBeLessThan(before[1]);
  });
});
