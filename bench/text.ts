/**
 * Text benchmarks: torchtext's XLMR_BASE_ENCODER with a RobertaClassificationHead (random
 * weights) at batch 16, sequence 64 (no padding): inference sentences/s, and training steps
 * (cross-entropy, backward, AdamW) with the 250,002 x 768 token table trained with a dense
 * gradient (733 MiB, then AdamW over all 192M of its values), frozen, and trained with row-sparse
 * gradients (the batch's rows only, SparseAdam's rule), each with its GFLOP/s beside the matmul
 * kernel's on the encoder's largest product in the same run, and the peak GPU memory.
 *
 * Napkin math per sentence of 64 tokens, per layer: Q, K, V and output projections 8 S D^2,
 * attention scores and mixing 4 S^2 D, feed-forward 4 S D F, i.e. 0.92 GFLOP (D 768, F 3072);
 * 11.0 GFLOP for 12 layers forward, 33 GFLOP forward + backward (backward = 2 x forward).
 *
 *   BENCH_ONLY=text npm run bench
 *   BENCH_TEXT_LAYERS=2 BENCH_TEXT_BATCH=16 BENCH_TEXT_SEQ=64 BENCH_ONLY=text npm run bench
 *   BENCH_TEXT_RUNS=1 (timed runs after the warm-up, default 2; the median is reported)
 *   BENCH_TEXT_MODES=frozen,sparse (token-table modes to time: frozen, sparse, dense; default all)
 */
import * as sg from '../src/index.js';
import { fixed, median, printTable } from './timing.js';

const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_TEXT_RUNS ?? 2);

/** Median seconds of `work` (inside tidy) over RUNS timed runs after one warm-up. */
async function time(work: () => void, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await sg.synchronize();
    const start = performance.now();
    sg.tidy(work);
    await sg.synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** Forward FLOPs of the encoder layers (the matrix products; embeddings, norms and softmax left out). */
function forwardFlops(c: sg.text.models.RobertaEncoderConf, batch: number, seq: number): number {
  const [d, f] = [c.embeddingDim, c.ffnDimension];
  return batch * c.numEncoderLayers * (8 * seq * d * d + 4 * seq * seq * d + 4 * seq * d * f);
}

/** GFLOP/s of the matmul kernel on the encoder's feed-forward product [B S, D] x [D, F]. */
async function matmulReference(rows: number, d: number, f: number): Promise<number> {
  const a = sg.uniform([rows, d], -1, 1);
  const b = sg.uniform([d, f], -1, 1);
  const seconds = await time(() => void sg.matmul(a, b), 5);
  a.dispose();
  b.dispose();
  return (2 * rows * d * f) / seconds / 1e9;
}

/** Prints the inference and training tables. */
export async function benchText(): Promise<void> {
  const layers = Number(process.env.BENCH_TEXT_LAYERS ?? 12);
  const batch = Number(process.env.BENCH_TEXT_BATCH ?? 16);
  const seq = Number(process.env.BENCH_TEXT_SEQ ?? 64);
  const base = sg.text.models.XLMR_BASE_ENCODER.encoderConf;
  const conf = new sg.text.models.RobertaEncoderConf({ ...base, numEncoderLayers: layers, dropout: 0.1 });
  const model = new sg.text.models.RobertaModel(
    conf,
    new sg.text.models.RobertaClassificationHead(2, conf.embeddingDim),
  );
  const ids = Int32Array.from({ length: batch * seq }, (_, i) => (i % seq === 0 ? 0 : 3 + ((i * 7919) % 250000)));
  const tokens = sg.tensor(ids, { shape: [batch, seq] });
  const labels = sg.tensor(Int32Array.from({ length: batch }, (_, i) => i % 2));
  await sg.synchronize();
  const ref = await matmulReference(batch * seq, conf.embeddingDim, conf.ffnDimension);
  const fwd = forwardFlops(conf, batch, seq);
  const what = `XLM-R base${layers === 12 ? '' : ` with ${layers} of its 12 layers`}, batch ${batch}, sequence ${seq}`;

  model.eval();
  sg.resetPeakMemory();
  const inferSeconds = await time(() => void sg.noGrad(() => model.forward(tokens)));
  const rows: string[][] = [
    [
      'inference (eval, no graph)',
      fixed(inferSeconds * 1000, 0),
      fixed(batch / inferSeconds, 2),
      fixed(fwd / inferSeconds / 1e9),
      `${fixed((100 * fwd) / inferSeconds / 1e9 / ref, 0)}%`,
      fixed(sg.memory().peakBytes / MiB, 0),
    ],
  ];
  console.log(`  ${rows[0].join('  ')}`);
  model.train();
  const embedding = model.encoder.transformer.token_embedding;
  // Dense last: it holds the most memory (a 733 MiB gradient and 1.5 GiB of AdamW moments for the table).
  const modes = { frozen: 'frozen', sparse: 'trained (sparse rows)', dense: 'trained (dense gradient)' };
  const only = process.env.BENCH_TEXT_MODES?.split(',');
  for (const [mode, label] of Object.entries(modes)) {
    if (only && !only.includes(mode)) continue;
    embedding.weight.requiresGrad = mode !== 'frozen';
    embedding.sparse = mode === 'sparse';
    const opt = new sg.optim.AdamW(
      model.parameters().filter((p) => p.requiresGrad),
      { lr: 1e-5 },
    );
    sg.resetPeakMemory();
    const step = await time(() => {
      const loss = sg.crossEntropy(model.forward(tokens), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    // The optimiser step alone (its gradients still there from the last step).
    const optSeconds = await time(() => opt.step());
    rows.push([
      `training step, token table ${label}`,
      fixed(step * 1000, 0),
      fixed(batch / step, 2),
      fixed((3 * fwd) / step / 1e9),
      `${fixed((100 * 3 * fwd) / step / 1e9 / ref, 0)}%`,
      fixed(sg.memory().peakBytes / MiB, 0),
      `AdamW step ${fixed(optSeconds * 1000, 0)} ms`,
    ]);
    opt.zeroGrad();
    opt.dispose();
    console.log(`  ${rows.at(-1)!.join('  ')}`);
  }
  // Measured again at the end: on a shared machine the load moves, and the ratio is only as good as the pair.
  const refAfter = await matmulReference(batch * seq, conf.embeddingDim, conf.ffnDimension);
  printTable(
    `text: ${what} (${fixed(fwd / batch / 1e9, 2)} GFLOP per sentence forward); matmul kernel on [${batch * seq}, ${conf.embeddingDim}] x [${conf.embeddingDim}, ${conf.ffnDimension}]: ${fixed(ref)} GFLOP/s (${fixed(refAfter)} at the end)`,
    ['run', 'ms', 'sentences/s', 'GFLOP/s', '% of matmul', 'peak MiB', 'note'],
    rows,
  );
  console.log(`(${RUNS} timed run(s) after one warm-up per row; training GFLOP counts 3x the forward's products)`);
  tokens.dispose();
  labels.dispose();
  sg.models.disposeModel(model);
  sg.emptyCache();
}
