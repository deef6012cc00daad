// `shadergrad profile`: the per-kernel and per-layer tables of a zoo model's forward pass or
// training step, the warm-up reported apart, JSON, and the option errors. No timing asserted.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { profileCommand } from '../tools/cli/profile.js';

beforeAll(async () => {
  await sg.init();
});

async function run(args: string[]): Promise<string> {
  let text = '';
  await profileCommand(args, (t) => (text += t));
  return text;
}

describe('shadergrad profile', () => {
  it('prints per-kernel and per-layer tables of resnet18 at batch 2, 64 x 64', async () => {
    const live = sg.memory().liveTensors;
    const text = await run(['resnet18', '--batch', '2', '--size', '64']);
    expect(text).toMatch(/^resnet18, forward \(eval, noGrad\), batch 2, 64 x 64\n/);
    expect(text).toMatch(/warm-up run \(not profiled; compiles the pipelines\): \d+ ms/);
    expect(text).toContain('by kernel:\n');
    expect(text).toContain('by module:\n');
    expect(text).toMatch(/\nlayer2\.0\.conv1 +Conv2d +[\d.]+ +[\d.]+% .* \[2, 64, 16, 16\]\n/);
    expect(text).toMatch(/\nlayer1\.1\.bn2 +BatchNorm2d /);
    expect(text).toMatch(/\nfc +Linear /);
    expect(text).toMatch(/\nResNet +ResNet /); // the top module, by its class
    expect(text).toMatch(/\nconv2d_\d\d_\w+(\(\w+\))? +\d\d /); // a versioned kernel row (with its fused activation)
    expect(text).toMatch(/Self GPU time total: [\d.]+ ms in \d+ launches/);
    expect(text).toMatch(/Timing: (GPU timestamp queries|synchronised)/);
    expect(sg.memory().liveTensors).toBe(live);
  });

  it('--train profiles forward, backward and the SGD step; --json gives every launch', async () => {
    const json = JSON.parse(await run(['cifar_resnet20', '--batch', '2', '--train', '--json']));
    expect(json).toMatchObject({ model: 'cifar_resnet20', batch: 2, size: 32, train: true });
    expect(json.warmupMs).toBeGreaterThan(0);
    const kernels = new Set(json.launches.map((l: { kernel: string }) => l.kernel));
    expect(kernels).toContain('sgd_multi_tensor');
    expect([...kernels].some((k) => /^conv2d_backward_weight_\d\d/.test(k as string))).toBe(true);
    expect(json.modules.map((r: { name: string }) => r.name)).toContain('layer3.2.conv2');
  });

  it('--group-by, --sort and --rows choose one table; bad options are errors', async () => {
    const text = await run(['cifar_resnet20', '--group-by', 'module', '--sort', 'calls', '--rows', '4']);
    expect(text).not.toContain('by kernel:');
    const rows = text.split('by module:\n')[1].split('\n').slice(3, 7);
    const calls = rows.map((r) => Number(r.split(/ +/)[6])); // Name Type Self-ms Self-% Total-ms Mean-ms Calls
    expect(calls).toEqual([...calls].sort((a, b) => b - a));
    expect(text.split('by module:\n')[1].split('\n')[7]).toMatch(/^-+/);
    await expect(run(['cifar_resnet20', '--sort', 'speed'])).rejects.toThrow(
      'profile: --sort must be one of total, self, mean, calls, flops, bytes, name, got "speed"',
    );
    await expect(run(['cifar_resnet20', '--group-by', 'layer'])).rejects.toThrow(
      '--group-by must be one of kernel, module',
    );
    await expect(run(['cifar_resnet20', '--batch', '0'])).rejects.toThrow('profile: --batch must be at least 1, got 0');
    await expect(run(['resnet7'])).rejects.toThrow(/profile: unknown model "resnet7"/);
  });
});
