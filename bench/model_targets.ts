/**
 * The model zoo's speed targets (issue 12), measured in one process, round-robin so that a
 * machine loaded by other jobs slows every figure alike: forward at batch 8, 224 x 224, eval
 * mode, no graph, of resnet18, efficientnet_b0, mobilenet_v2 and vit_b_32, and the matmul
 * kernel at 1024^3 timed between them. Printed: each one's images/s, and the ratios
 *   efficientnet_b0 / resnet18 images/s   (target >= 1: it has 4.6x fewer multiply-adds)
 *   mobilenet_v2 / resnet18 images/s      (target >= 2)
 *   vit_b_32 GFLOP/s / matmul GFLOP/s     (target >= 0.6: ViT-B/32 is mostly matrix products)
 *
 * Napkin math for ViT-B/32 at 224 x 224 (S = 7 * 7 + 1 = 50 tokens, E = 768, MLP 3072, 12
 * layers), two FLOPs per multiply-add: per layer 2 S (4 E^2 + 2 E 3072) (projections and MLP)
 * + 2 * 2 S^2 E (scores and mix), plus the patch embedding 2 * 49 * 768 * 3 * 32^2 and the head
 * 2 * 768 * 1000: 8.82 GFLOP per image (torchvision's "4.41 GFLOPS" counts multiply-adds).
 */
import * as sg from '../src/index.js';
import { fixed, median, printTable } from './timing.js';

const BATCH = 8;
const MATMUL = 1024;

/** FLOPs of one ViT-B/32 forward at 224 x 224 (see the napkin math above). */
export function vitB32Flops(): number {
  const [s, e, mlp, layers] = [50, 768, 3072, 12];
  const perLayer = 2 * s * (4 * e * e + 2 * e * mlp) + 2 * 2 * s * s * e;
  return layers * perLayer + 2 * 49 * e * 3 * 32 * 32 + 2 * e * 1000;
}

interface Item {
  name: string;
  run: () => void;
  times: number[];
  dispose: () => void;
}

async function modelItem(name: string): Promise<Item> {
  const model = (await sg.models.get(name)).eval();
  const x = sg.rand([BATCH, 3, 224, 224]);
  return {
    name,
    run: () => void sg.noGrad(() => model.forward(x)),
    times: [],
    dispose: () => {
      x.dispose();
      sg.models.disposeModel(model);
    },
  };
}

/** Times every item `rounds` times, one after another in each round, after one warm-up round. */
async function roundRobin(items: Item[], rounds: number): Promise<void> {
  for (let r = 0; r <= rounds; r++) {
    for (const item of items) {
      await sg.synchronize();
      const start = performance.now();
      sg.tidy(item.run);
      await sg.synchronize();
      if (r > 0) item.times.push((performance.now() - start) / 1000);
    }
  }
}

/** Prints the images/s of the four models at batch 8, the matmul kernel's GFLOP/s, and the three ratios. */
export async function benchModelTargets(rounds = 3): Promise<void> {
  const a = sg.rand([MATMUL, MATMUL]);
  const b = sg.rand([MATMUL, MATMUL]);
  const items: Item[] = [{ name: `matmul ${MATMUL}^3`, run: () => void sg.matmul(a, b), times: [], dispose: () => {} }];
  for (const name of ['resnet18', 'efficientnet_b0', 'mobilenet_v2', 'vit_b_32']) items.push(await modelItem(name));
  await roundRobin(items, rounds);
  const seconds = new Map(items.map((item) => [item.name, median(item.times)]));
  const imagesPerSecond = (name: string) => BATCH / seconds.get(name)!;
  const matmulGflops = (2 * MATMUL ** 3) / seconds.get(items[0].name)! / 1e9;
  const vitGflops = (imagesPerSecond('vit_b_32') * vitB32Flops()) / 1e9;
  printTable(
    `speed targets (round-robin, ${rounds} rounds, medians): forward at batch ${BATCH}, 224 x 224, eval, no graph`,
    ['measure', 'images/s', 'GFLOP/s', ''],
    [
      [items[0].name, '', fixed(matmulGflops), 'the matmul kernel'],
      ...items.slice(1).map((item) => [item.name, fixed(imagesPerSecond(item.name), 2), '', '']),
      ['vit_b_32 (8.82 GFLOP/image)', '', fixed(vitGflops), ''],
    ],
  );
  const ratio = (x: number, target: number, what: string) => [
    what,
    fixed(x, 2),
    `>= ${target}`,
    x >= target ? 'met' : 'NOT met',
  ];
  printTable(
    'speed targets (issue 12)',
    ['ratio', 'measured', 'target', ''],
    [
      ratio(imagesPerSecond('efficientnet_b0') / imagesPerSecond('resnet18'), 1, 'efficientnet_b0 / resnet18 images/s'),
      ratio(imagesPerSecond('mobilenet_v2') / imagesPerSecond('resnet18'), 2, 'mobilenet_v2 / resnet18 images/s'),
      ratio(vitGflops / matmulGflops, 0.6, 'vit_b_32 / matmul 1024^3 GFLOP/s'),
    ],
  );
  for (const item of items) item.dispose();
  a.dispose();
  b.dispose();
  sg.emptyCache();
}
