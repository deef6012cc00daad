/**
 * Cold start: the first forward pass of a fresh process against later ones, without and with
 * `sg.warmup` (pipelines compiled ahead with createComputePipelineAsync). Each cold figure
 * comes from its own process (bench/warmup_child.ts): the pipeline cache lives per process.
 *
 *   BENCH_ONLY=warmup npm run bench       (BENCH_WARMUP_MODELS=resnet18:1:224,... to choose)
 */
import { execFileSync } from 'node:child_process';
import { fixed, printTable } from './timing.js';

interface ChildResult {
  firstMs: number;
  warmupMs: number;
  pipelines?: number;
  warmMs: number;
}

function child(mode: 'cold' | 'warmup', model: string, batch: number, size: number): ChildResult {
  const out = execFileSync(
    process.execPath,
    ['tools/run.mjs', 'bench/warmup_child.ts', mode, model, String(batch), String(size)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** Prints first-forward over warm-forward ratios, cold and after sg.warmup, one process each. */
export function benchWarmup(): void {
  const configs = (process.env.BENCH_WARMUP_MODELS ?? 'resnet18:1:224,cifar_resnet56:16:32').split(',');
  const rows: string[][] = [];
  for (const config of configs) {
    const [model, batch, size] = config.split(':');
    const cold = child('cold', model, Number(batch), Number(size));
    const warmed = child('warmup', model, Number(batch), Number(size));
    rows.push([
      `${model} batch ${batch} at ${size}`,
      fixed(cold.warmMs, 0),
      fixed(cold.firstMs, 0),
      `${fixed(cold.firstMs / cold.warmMs)}x`,
      fixed(warmed.warmupMs, 0),
      String(warmed.pipelines ?? ''),
      fixed(warmed.firstMs, 0),
      `${fixed(warmed.firstMs / warmed.warmMs)}x`,
    ]);
    console.log(`  ${rows.at(-1)!.join('  ')}`);
  }
  printTable(
    'cold start: the first forward of a fresh process (eval, noGrad), without and after sg.warmup',
    [
      'model',
      'warm ms',
      'cold first ms',
      'cold / warm',
      'sg.warmup ms',
      'pipelines',
      'first after warmup ms',
      'first / warm',
    ],
    rows,
  );
}
