/**
 * The cost of bounding the work in flight (src/gpu/inflight.ts) and of the per-batch error
 * scopes and per-launch validation (src/gpu/batch_errors.ts, validate.ts): training steps of the
 * README's MNIST CNN (batch 64, Adam) and of ResNet-18 (batch 4, 112 x 112, SGD), timed two ways:
 * pipelined (no readback; `await sg.throttle()` after each step, as a DataLoader does) and
 * synchronised (`await sg.synchronize()` after each step). `BENCH_ONLY=inflight npm run bench`.
 *
 * `benchInflight` takes the library as an argument so that the same code can time an older
 * checkout (`sg` from another tree) for a before/after comparison.
 */
import type * as SG from '../src/index.js';
import { median } from './timing.js';

type Sg = typeof SG;

function mnistNet(sg: Sg): SG.nn.Module {
  const { nn } = sg;
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** Milliseconds per step: median over `rounds` rounds of `steps` steps, pipelined or synchronised. */
async function timeSteps(sg: Sg, step: () => void, steps: number, rounds: number, pipelined: boolean) {
  const times: number[] = [];
  step(); // warm-up: pipelines compiled, pool filled
  await sg.synchronize();
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < steps; i++) {
      step();
      if (!pipelined) await sg.synchronize();
      // An older tree has no throttle: its pipelined loop is unbounded (fine for a few steps).
      else if ('throttle' in sg) await sg.throttle();
    }
    await sg.synchronize();
    times.push((performance.now() - start) / steps);
  }
  return median(times);
}

function trainer(sg: Sg, net: SG.nn.Module, x: SG.Tensor, y: SG.Tensor, opt: SG.optim.SGD | SG.optim.Adam) {
  return () =>
    sg.tidy(() => {
      const loss = sg.crossEntropy(net.forward(x) as SG.Tensor, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
}

/** Prints ms/step of both networks, pipelined and synchronised. */
export async function benchInflight(sg: Sg, quick: boolean): Promise<void> {
  const labels = (n: number) =>
    sg.tensor(
      Array.from({ length: n }, (_, i) => i % 10),
      { dtype: 'int32' },
    );
  const mnist = mnistNet(sg);
  const mx = sg.randn([64, 1, 28, 28]);
  const my = labels(64);
  const mStep = trainer(sg, mnist, mx, my, new sg.optim.Adam(mnist.parameters()));
  const resnet = sg.models.resnet18({ numClasses: 10 });
  const rx = sg.randn([4, 3, 112, 112]);
  const ry = labels(4);
  const rStep = trainer(sg, resnet, rx, ry, new sg.optim.SGD(resnet.parameters(), { lr: 0.01, momentum: 0.9 }));
  const rows: Array<[string, () => void, number]> = [
    ['MNIST CNN, batch 64, Adam', mStep, quick ? 5 : 20],
    ['ResNet-18, batch 4, 112x112, SGD', rStep, quick ? 2 : 4],
  ];
  console.log('\ntraining steps, ms/step (median of 3 rounds): pipelined (no readback) | synchronised each step');
  for (const [name, step, steps] of rows) {
    const piped = await timeSteps(sg, step, steps, 3, true);
    const synced = await timeSteps(sg, step, steps, 3, false);
    console.log(`  ${name.padEnd(34)} ${piped.toFixed(1).padStart(8)} | ${synced.toFixed(1).padStart(8)}`);
  }
  for (const t of [mx, my, rx, ry, ...mnist.parameters(), ...resnet.stateDict().values()]) t.dispose();
}
