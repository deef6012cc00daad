// The profiler: one record per kernel launch with its kernel name and version, the module path
// and input shapes it ran under, and FLOPs counted by hand for a tiny model; the averages by
// kernel and by module; both timing modes (GPU timestamps where the adapter has them, the
// synchronised replay everywhere); results and memory untouched by profiling. No assertion
// on how long anything takes.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { kernelVersion } from '../src/profile/costs.js';

const { nn } = sg;
const PEAKS = { gflops: 10, gbps: 1 };

/** A conv layer, a ReLU and a linear head: N=2, 3 -> 5 channels, 3x3 taps on 7x9 (padding 1), 315 -> 4. */
class Tiny extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(3, 5, 3, { padding: 1 }), new nn.ReLU());
  head = new nn.Linear(5 * 7 * 9, 4);
  forward(x: sg.Tensor): sg.Tensor {
    return this.head.forward(sg.flatten(this.features.forward(x), 1));
  }
}

const CONV_FLOPS = 2 * 2 * 5 * 3 * 9 * 7 * 9; // 2 N Cout Cin kh kw OH OW = 34020
const LINEAR_FLOPS = 2 * 2 * 315 * 4; // 2 N in out = 5040

let model: Tiny;
let x: sg.Tensor;
const modes = (): Array<'timestamp' | 'sync'> =>
  sg.deviceInfo().features.includes('timestamp-query') ? ['timestamp', 'sync'] : ['sync'];

beforeAll(async () => {
  await sg.init();
  sg.manualSeed(3);
  model = new Tiny().eval();
  x = sg.randn([2, 3, 7, 9]);
});

const forward = () => sg.tidy(() => sg.noGrad(() => model.forward(x)));

describe('sg.profile', () => {
  it('records every launch with its module path, shapes and the FLOPs counted by hand', async () => {
    const expected = await forward().toArray();
    let out: sg.Tensor | null = null;
    const p = await sg.profile(() => void (out = forward()), { peaks: PEAKS });
    expect(await out!.toArray()).toEqual(expected); // launches in their own passes compute the same
    out!.dispose();
    const under = (path: string) => p.launches.filter((l) => l.module === path);
    expect(new Set(p.launches.map((l) => l.module))).toEqual(new Set(['features.0', 'features.1', 'head']));
    expect(p.launches.every((l) => l.modules[0].path === '' && l.modules[0].type === 'Tiny')).toBe(true);
    expect(under('features.0')[0].modules.map((m) => m.path)).toEqual(['', 'features', 'features.0']);
    expect(under('features.0')[0]).toMatchObject({ moduleType: 'Conv2d', shapes: '[2, 3, 7, 9]' });
    expect(under('head')[0].shapes).toBe('[2, 315]');
    const flops = (path: string) => under(path).reduce((a, l) => a + l.flops, 0);
    expect(flops('features.0')).toBe(CONV_FLOPS);
    expect(flops('head')).toBe(LINEAR_FLOPS);
    expect(flops('features.1')).toBe(0); // ReLU is counted by bytes:
    expect(under('features.1').map((l) => l.bytes)).toEqual([2 * 2 * 5 * 7 * 9 * 4]); // read once, written once
    for (const l of p.launches) {
      expect(l.kernel).toMatch(/^[a-z0-9_]+$/);
      expect(l.label.startsWith(l.kernel)).toBe(true);
      expect(l).toMatchObject(kernelVersion(l.kernel));
      expect(l.grid).toHaveLength(3);
    }
  });

  it('averages by module: self, total and calls of the containers', async () => {
    const p = await sg.profile(forward, { peaks: PEAKS });
    const rows = new Map(p.keyAverages('module').map((r) => [r.name, r]));
    expect([...rows.keys()].sort()).toEqual(['Tiny', 'features', 'features.0', 'features.1', 'head']);
    const sum = (paths: string[]) => paths.reduce((a, k) => a + rows.get(k)!.totalMs, 0);
    expect(rows.get('Tiny')!.totalMs).toBeCloseTo(p.totalMs, 9);
    expect(rows.get('Tiny')!.selfMs).toBe(0); // flatten is a view: no launch of its own
    expect(rows.get('features')!.totalMs).toBeCloseTo(sum(['features.0', 'features.1']), 9);
    expect(rows.get('features.0')).toMatchObject({ detail: 'Conv2d', calls: 1, flops: CONV_FLOPS });
    expect(rows.get('Tiny')).toMatchObject({ calls: 1, flops: CONV_FLOPS + LINEAR_FLOPS });
    const total = p.keyAverages('module').reduce((a, r) => a + r.shareOfTotal, 0);
    expect(total).toBeCloseTo(1, 9); // self shares add up to everything
    const kernels = p.keyAverages('kernel');
    expect(kernels.reduce((a, r) => a + r.calls, 0)).toBe(p.launches.length);
    for (const r of kernels) {
      expect(r.meanMs).toBeCloseTo(r.totalMs / r.calls, 9);
      if (r.flops > 0) expect(r.shareOfPeak).toBeCloseTo(r.gflops! / PEAKS.gflops, 9);
      else expect(r.shareOfPeak).toBeCloseTo(r.gbps / PEAKS.gbps, 9);
    }
  });

  it('times by GPU timestamps where the adapter has them, and by synchronised replay everywhere', async () => {
    const counts: number[] = [];
    for (const timing of modes()) {
      const p = await sg.profile(forward, { timing, peaks: false });
      expect(p.info.timing).toBe(timing);
      counts.push(p.launches.length);
      for (const l of p.launches) expect(Number.isFinite(l.ms) && l.ms >= 0).toBe(true);
      expect(p.table()).toContain(timing === 'timestamp' ? 'GPU timestamp queries' : 'synchronised');
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('replays a training step without moving the weights twice, and leaks nothing', async () => {
    const lin = new nn.Linear(6, 3);
    const opt = new sg.optim.SGD(lin.parameters(), { lr: 0.5 });
    const input = sg.randn([4, 6]);
    const before = await lin.weight.toArray();
    const live = sg.memory().liveTensors;
    let grad: number[][] = [];
    const p = await sg.profile(
      async () => {
        sg.tidy(() => {
          const y = lin.forward(input);
          y.mul(y).mean().backward();
        });
        grad = (await lin.weight.grad!.toArray()) as number[][];
        opt.step();
      },
      { timing: 'sync', peaks: false },
    );
    expect(p.launches.some((l) => l.kernel === 'sgd_multi_tensor' && l.module === null)).toBe(true);
    const after = (await lin.weight.toArray()) as number[][];
    after.forEach((row, i) =>
      row.forEach((w, j) => expect(w).toBeCloseTo((before as number[][])[i][j] - 0.5 * grad[i][j], 5)),
    );
    lin.zeroGrad();
    expect(sg.memory().liveTensors).toBe(live);
    input.dispose();
  });

  it('prints a table sorted like key_averages().table(sort_by=...), and JSON', async () => {
    const p = await sg.profile(forward, { peaks: PEAKS });
    const text = p.table({ groupBy: 'module', sortBy: 'name', rowLimit: 3 });
    const lines = text.split('\n');
    expect(lines[1]).toMatch(
      /^Name +Type +Self ms +Self % +Total ms +Mean ms +Calls +GFLOP +GFLOP\/s +GB\/s +% peak +Input shapes$/,
    );
    expect(lines.slice(3, 6).map((l) => l.split(' ')[0])).toEqual(['Tiny', 'features', 'features.0']);
    expect(lines[6]).toMatch(/^-+/);
    expect(text).toMatch(/Self GPU time total: [\d.]+ ms in \d+ launches/);
    const byTotal = p.keyAverages('kernel').sort((a, b) => b.totalMs - a.totalMs);
    expect(p.toString().split('\n')[3].split(' ')[0]).toBe(byTotal[0].name);
    const json = JSON.parse(JSON.stringify(p));
    expect(json).toMatchObject({ timing: p.info.timing, peaks: PEAKS });
    expect(json.launches).toHaveLength(p.launches.length);
    expect(json.modules.map((r: { name: string }) => r.name)).toContain('features.0');
    expect(() => p.table({ sortBy: 'speed' as never })).toThrow(/sortBy must be one of total, self/);
    expect(() => p.table({ groupBy: 'layer' as never })).toThrow(/groupBy must be 'kernel' or 'module'/);
  });

  it('start/stop, and clear errors for misuse', async () => {
    await expect(sg.profiler.stop()).rejects.toThrow('shadergrad profiler: not running (call start() first)');
    await sg.profiler.start({ peaks: false });
    expect(sg.profiler.running).toBe(true);
    await expect(sg.profiler.start()).rejects.toThrow('already running');
    forward().dispose();
    const p = await sg.profiler.stop();
    expect(p.launches.length).toBeGreaterThan(0);
    expect(sg.profiler.running).toBe(false);
    await expect(sg.profile(forward, { timing: 'cuda' as never })).rejects.toThrow(
      "timing must be 'auto', 'timestamp' or 'sync', got 'cuda'",
    );
    await expect(
      sg.profile(
        () => {
          throw new Error('boom');
        },
        { peaks: false },
      ),
    ).rejects.toThrow('boom');
    expect(sg.profiler.running).toBe(false);
  });

  it('names kernels by family and version', () => {
    expect(kernelVersion('matmul_07_vec4_8x4_uniform_rows')).toEqual({ family: 'matmul', version: '07' });
    expect(kernelVersion('conv2d_backward_weight_03_subgroup_row_window')).toEqual({
      family: 'conv2d_backward_weight',
      version: '03',
    });
    expect(kernelVersion('batchnorm_forward')).toEqual({ family: 'batchnorm_forward', version: '' });
  });
});
