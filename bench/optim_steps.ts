/**
 * Optimiser steps, one launch per parameter against several parameters per launch
 * (src/optim/multi_tensor.ts), timed round-robin in one process: SGD (momentum) and Adam over
 * ResNet-18's 62 parameter tensors (11.7 M floats) with the step alone, the MNIST CNN's training
 * step (batch 64) and the ResNet-18 training step (batch 8, 224).
 *
 *   BENCH_ONLY=optim npm run bench    (also part of BENCH_ONLY=networks)
 */
import * as sg from '../src/index.js';
import { setMultiTensor } from '../src/optim/multi_tensor.js';
import { fixed } from './timing.js';
import { mnistNet } from './cnn.js';
import { interleaved } from './networks.js';

type Make = (params: sg.nn.Parameter[]) => sg.optim.Optimizer<{ lr: number }>;
const sgd: Make = (params) => new sg.optim.SGD(params, { lr: 1e-3, momentum: 0.9 });
const adam: Make = (params) => new sg.optim.Adam(params, { lr: 1e-3 });

/** The two paths of one work: per parameter (multi-tensor off) and multi-tensor, in the same rounds. */
async function both(work: () => void, runs: number): Promise<[number, number]> {
  const path = (on: boolean) => () => {
    setMultiTensor(on);
    work();
  };
  const [single, multi] = await interleaved([path(false), path(true)], runs);
  setMultiTensor(null);
  return [single, multi];
}

/** The step alone over ResNet-18's parameters, gradients set once (random, kept). */
async function stepAlone(name: string, make: Make, runs: number): Promise<string[]> {
  const model = await sg.models.get('resnet18');
  const params = model.parameters();
  for (const p of params) p.grad = sg.keep(sg.randn(p.shape));
  const floats = params.reduce((a, p) => a + p.size, 0);
  const opt = make(params);
  const [single, multi] = await both(() => opt.step(), runs);
  opt.dispose();
  opt.zeroGrad();
  sg.models.disposeModel(model);
  sg.emptyCache();
  // Bytes: SGD reads p, g, buf and writes p, buf; Adam reads p, g, m, v and writes p, m, v.
  const bytes = 4 * floats * (name.startsWith('SGD') ? 5 : 7);
  const row = (s: number) => `${fixed(s * 1e3, 1)} ms (${fixed(bytes / s / 1e9)} GB/s)`;
  return [`${name}, ResNet-18's ${params.length} tensors`, row(single), row(multi), `${fixed(single / multi, 2)}x`];
}

/** A training step (forward, backward, SGD momentum) of `model` on (x, y). */
function trainStep(model: sg.nn.Module, x: sg.Tensor, y: sg.Tensor, opt: sg.optim.Optimizer<{ lr: number }>) {
  return () => {
    const loss = sg.crossEntropy(model.forward(x) as sg.Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

async function training(name: string, model: sg.nn.Module, batch: number, size: number[], runs: number) {
  const opt = sgd(model.parameters());
  const x = sg.rand([batch, ...size]);
  const y = sg.tensor(Int32Array.from({ length: batch }, (_, i) => i % 10));
  const [single, multi] = await both(trainStep(model, x, y, opt), runs);
  opt.zeroGrad();
  opt.dispose();
  x.dispose();
  y.dispose();
  return [name, `${fixed(single * 1e3, 0)} ms`, `${fixed(multi * 1e3, 0)} ms`, `${fixed(single / multi, 2)}x`];
}

/** Rows: what, per-parameter launches, multi-tensor launches, speed-up. */
export async function benchOptimSteps(quick: boolean): Promise<string[][]> {
  const runs = quick ? 3 : 6;
  const rows = [await stepAlone('SGD momentum step', sgd, runs), await stepAlone('Adam step', adam, runs)];
  rows.push(await training('MNIST CNN training step, batch 64', mnistNet(), 64, [1, 28, 28], runs));
  const resnet = await sg.models.get('resnet18');
  resnet.train();
  rows.push(await training('ResNet-18 training step, batch 8', resnet, 8, [3, 224, 224], quick ? 1 : 2));
  sg.models.disposeModel(resnet);
  sg.emptyCache();
  return rows;
}
