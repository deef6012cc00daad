// `shadergrad predict`: the real CIFAR-10 ResNet-56 shipped in examples/weights, with a
// classes.json of CIFAR-10's names, calls PyTorch Hub's sample dog photo (in ../shared) a dog.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { predictCommand, readClassesFile } from '../tools/cli/predict.js';
import { UsageError } from '../tools/cli/args.js';

const root = join(__dirname, '..');
const dog = join(root, '..', 'shared', 'assets', 'datasets', 'samples', 'dog.jpg');
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Runs the command, returning what it printed. */
async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    await predictCommand(args);
  } finally {
    console.log = log;
  }
  return lines;
}

describe('shadergrad predict', () => {
  beforeAll(async () => {
    await sg.init({ tune: false });
  });

  it('topK orders indices by value, largest first', () => {
    expect(sg.train.topK([0.1, 0.5, 0.2, 0.9], 3)).toEqual([3, 1, 2]);
  });

  it('reads classes.json as a list or as {classes}, and names a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-predict-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(['x', 'y']));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ classes: ['x', 'y'], imageSize: 32 }));
    writeFileSync(join(dir, 'c.json'), '{not json');
    expect(readClassesFile(join(dir, 'a.json')).classes).toEqual(['x', 'y']);
    expect(readClassesFile(join(dir, 'b.json')).imageSize).toBe(32);
    expect(() => readClassesFile(join(dir, 'c.json'))).toThrow(/c\.json: not a readable JSON file/);
  });

  it('needs a model, weights and at least one image', async () => {
    await expect(run(['--model', 'resnet18'])).rejects.toThrow(UsageError);
    await expect(run(['--model', 'resnet18', '--weights', 'x.pth'])).rejects.toThrow(/at least one image/);
  });

  it.skipIf(!existsSync(dog))('the pretrained CIFAR-10 ResNet-56 calls the sample photo a dog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-predict-'));
    writeFileSync(join(dir, 'cifar10.json'), JSON.stringify(CIFAR10));
    const lines = await run([
      '--model',
      'cifar_resnet56',
      '--weights',
      join(root, 'examples', 'weights', 'resnet56-4bfd9763.th'),
      '--classes',
      join(dir, 'cifar10.json'),
      '--top',
      '3',
      dog,
    ]);
    expect(lines[0]).toBe('dog.jpg:');
    expect(lines).toHaveLength(4);
    const [, top] = lines;
    expect(top).toMatch(/^ +1\. +\d+\.\d\d% {2}dog$/);
    expect(Number(top.match(/(\d+\.\d\d)%/)![1])).toBeGreaterThan(90);
  });
});
