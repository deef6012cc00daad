/**
 * Benchmarks of the layers of post-2016 networks, as bytes moved (read + written) per second
 * beside this adapter's vec4 copy bandwidth, since they are memory-bound:
 *   - activations (silu, hardswish, gelu) on EfficientNet/MobileNet-sized tensors, forward and backward;
 *   - LayerNorm at ViT widths ([8 * 197, 768]) and ConvNeXt's channels-first LayerNorm2d ([8, 96, 56, 56]);
 *   - softmax over the last dim at attention sizes (S = 50, 197, 257; 8 images x 12 heads);
 *   - one MultiheadAttention forward at ViT-B/32 (B 8, S 50, E 768, 12 heads): ms and GFLOP/s
 *     (11 launches: QKV product + bias, 3 head splits, scores, softmax, mix, head merge, out product + bias).
 *
 *   BENCH_ONLY=layers npm run bench      (this section alone; BENCH_QUICK=1 for fewer runs)
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
import { fixed, median, printTable } from './timing.js';

const RUNS = process.env.BENCH_QUICK ? 3 : 7;

/** Median seconds of `work` (in tidy), after one warm-up, synchronised with the GPU. */
async function time(work: () => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    await synchronize();
    const start = performance.now();
    sg.tidy(work);
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

const gbps = (bytes: number, seconds: number) => bytes / seconds / 1e9;

export async function benchLayers(copy: number): Promise<void> {
  const pct = (g: number) => `${fixed((100 * g) / copy, 0)}%`;
  const rows: string[][] = [];
  const add = (name: string, shape: string, bytes: number, seconds: number) =>
    rows.push([name, shape, fixed(seconds * 1e3, 2), fixed(gbps(bytes, seconds)), pct(gbps(bytes, seconds))]);

  // Activations: forward reads x, writes y; backward reads g and x, writes dx.
  const x = sg.randn([8, 144, 56, 56]);
  const n = x.size;
  const g = sg.randn(x.shape);
  for (const [name, f] of [
    ['silu', sg.silu],
    ['hardswish', sg.hardswish],
    ['gelu', (t: sg.Tensor) => sg.gelu(t)],
  ] as const) {
    add(`${name} forward`, '8x144x56x56', 8 * n, await time(() => void f(x)));
    // The backward kernel alone: the node's closure, called on one recorded forward.
    const xg = sg.randn(x.shape, { requiresGrad: true });
    const y = f(xg);
    add(
      `${name} backward`,
      '8x144x56x56',
      12 * n,
      await time(() => void sg.noGrad(() => y.gradFn!.backward(g, [true]))),
    );
    y.dispose();
    xg.dispose();
  }
  x.dispose();
  g.dispose();

  // LayerNorm: reads x (twice in the kernel, counted once), writes y.
  const tokens = sg.randn([8 * 197, 768]);
  const ln = new sg.nn.LayerNorm(768, { eps: 1e-6 }).eval();
  add('LayerNorm', '1576x768', 8 * tokens.size, await time(() => void sg.noGrad(() => ln.forward(tokens))));
  tokens.dispose();
  const maps = sg.randn([8, 96, 56, 56]);
  const ln2d = new sg.nn.LayerNorm2d(96, { eps: 1e-6 }).eval();
  add('LayerNorm2d', '8x96x56x56', 8 * maps.size, await time(() => void sg.noGrad(() => ln2d.forward(maps))));
  add(
    'permute+LayerNorm+permute',
    '8x96x56x56',
    8 * maps.size,
    await time(
      () =>
        void sg.noGrad(() =>
          sg.layerNorm(maps.permute([0, 2, 3, 1]), [96], ln2d.weight, ln2d.bias, 1e-6).permute([0, 3, 1, 2]),
        ),
    ),
  );
  maps.dispose();

  // Softmax over the last dim at attention sizes.
  for (const s of [50, 197, 257]) {
    const scores = sg.randn([8, 12, s, s]);
    add('softmax(-1)', `8x12x${s}x${s}`, 8 * scores.size, await time(() => void sg.softmax(scores, -1)));
    scores.dispose();
  }
  printTable(
    `Layers, GB/s of bytes read + written (vec4 copy peak ${fixed(copy)} GB/s)`,
    ['op', 'shape', 'ms', 'GB/s', '% of copy'],
    rows,
  );

  // MultiheadAttention at ViT-B/32: 2 * B * S * E * (3E + E) (projections) + 2 * 2 * B * S^2 * E (scores, mix).
  const mha = new sg.nn.MultiheadAttention(768, 12, { batchFirst: true }).eval();
  const seq = sg.randn([8, 50, 768]);
  const seconds = await time(() => void sg.noGrad(() => mha.forward(seq, seq, seq, { needWeights: false })));
  const flops = 2 * 8 * 50 * 768 * 4 * 768 + 4 * 8 * 50 * 50 * 768;
  printTable(
    'MultiheadAttention forward (ViT-B/32: B 8, S 50, E 768, 12 heads, eval)',
    ['ms', 'GFLOP/s'],
    [[fixed(seconds * 1e3, 2), fixed(flops / seconds / 1e9)]],
  );
  seq.dispose();
}
