// sg.warmup: a dry run of the forward collects the pipelines it needs and compiles the missing
// ones with createComputePipelineAsync; the first real forward afterwards compiles nothing, and
// the warm-up changes no value, statistic, gradient or random stream.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { compiledPipelineCount } from '../src/gpu/pipelines.js';
import { getRngState } from '../src/ops/create.js';

const { nn } = sg;

beforeAll(async () => {
  await sg.init();
});

/** Shapes no other test uses, so that its pipelines are new to this process. */
function net(): sg.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(3, 6, 5, { stride: 2, padding: 2 }),
    new nn.BatchNorm2d(6),
    new nn.Hardswish(),
    new nn.Dropout(0.3),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(6, 5),
  );
}

describe('sg.warmup', () => {
  it('compiles the pipelines of a forward so that the first one compiles none', async () => {
    const model = net().eval();
    const x = sg.rand([2, 3, 19, 17]);
    const before = compiledPipelineCount();
    const result = await sg.warmup(model, [2, 3, 19, 17]);
    expect(result.compiled).toBeGreaterThan(0);
    expect(result.pipelines).toBeGreaterThanOrEqual(result.compiled);
    expect(compiledPipelineCount()).toBe(before + result.compiled);
    const y = sg.noGrad(() => model.forward(x));
    await y.data();
    expect(compiledPipelineCount()).toBe(before + result.compiled); // nothing new to compile
    expect((await sg.warmup(model, [2, 3, 19, 17])).compiled).toBe(0);
    x.dispose();
    y.dispose();
  });

  it('changes nothing: running statistics, gradients, random streams, memory', async () => {
    sg.manualSeed(5);
    const model = net().train();
    const x = sg.rand([2, 3, 11, 13]);
    sg.tidy(() => model.forward(x).pow(2).mean().backward());
    const grads = await Promise.all(model.parameters().map((p) => p.grad!.toArray()));
    const stats = await Promise.all(model.buffers().map((b) => b.toArray()));
    const rng = getRngState();
    const live = sg.memory().liveTensors;
    const r = await sg.warmup(model, [4, 3, 11, 13], { backward: true });
    expect(r.pipelines).toBeGreaterThan(0);
    expect(getRngState()).toEqual(rng);
    expect(sg.memory().liveTensors).toBe(live);
    expect(await Promise.all(model.parameters().map((p) => p.grad!.toArray()))).toEqual(grads);
    expect(await Promise.all(model.buffers().map((b) => b.toArray()))).toEqual(stats);
    model.zeroGrad();
    x.dispose();
  });

  it('refuses a bad input shape before any work', async () => {
    await expect(sg.warmup(net(), [2, 3, 0, 5])).rejects.toThrow(
      'sg.warmup: inputShape must be positive integers, got [2, 3, 0, 5]',
    );
  });
});
