// sg.summary against the exact text torchsummary prints (formats reproduced from its source:
// '{:>20}  {:>25} {:>15}' rows, '{0:,}' counts, '%0.2f' sizes), and its tracking of freezing.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

const { nn } = sg;

beforeAll(async () => {
  await sg.init();
});

class Small extends nn.Module {
  conv = new nn.Conv2d(3, 8, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(8);
  relu = new nn.ReLU();
  pool = new nn.MaxPool2d(2);
  head = new nn.Sequential(new nn.Flatten(), new nn.Linear(8 * 4 * 4, 10));

  forward(x: sg.Tensor): sg.Tensor {
    return this.head.forward(this.pool.forward(this.relu.forward(this.bn.forward(this.conv.forward(x)))));
  }
}

const table = (
  trainable: string,
  nonTrainable: string,
) => `----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1              [64, 8, 8, 8]             224
       BatchNorm2d-2              [64, 8, 8, 8]              16
              ReLU-3              [64, 8, 8, 8]               0
         MaxPool2d-4              [64, 8, 4, 4]               0
           Flatten-5                  [64, 128]               0
            Linear-6                   [64, 10]           1,290
================================================================
Total params: 1,530
Trainable params: ${trainable}
Non-trainable params: ${nonTrainable}
----------------------------------------------------------------
Input size (MB): 0.05
Forward/backward pass size (MB): 0.88
Params size (MB): 0.01
Estimated Total Size (MB): 0.93
----------------------------------------------------------------`;

describe('summary', () => {
  it('prints the torchsummary table', async () => {
    const model = new Small();
    expect(await sg.summary(model, [3, 8, 8], { batchSize: 64 })).toBe(table('1,530', '0'));
  });

  it('tracks requiresGrad changes, and leaves the model as it was', async () => {
    const model = new Small();
    model.conv.requiresGrad_(false);
    const before = await model.bn.running_mean.data();
    expect(await sg.summary(model, [3, 8, 8], { batchSize: 64 })).toBe(table('1,306', '224'));
    expect(model.training).toBe(true);
    expect(Array.from(await model.bn.running_mean.data())).toEqual(Array.from(before));
    expect(Object.keys(model.conv)).not.toContain('forward');
  });

  it('shows -1 for the batch by default', async () => {
    const text = await sg.summary(new Small(), [3, 8, 8]);
    expect(text).toContain('            Linear-6                   [-1, 10]           1,290');
  });
});
