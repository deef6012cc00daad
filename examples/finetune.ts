/**
 * The flagship demo (`npm run demo`): transfer learning as PyTorch's tutorial teaches it, on the
 * tutorial's own photos of ants and bees (shipped downscaled in examples/data/hymenoptera) and a
 * real pretrained network (the CIFAR-10 ResNet-56 of akamaster/pytorch_resnet_cifar10, shipped
 * in examples/weights). Needs nothing but the repository.
 *
 *   phase 1: replace the 10-class head with a new 2-class Linear; train it on frozen features
 *   phase 2: unfreeze everything; fine-tune with a 10x lower learning rate on the backbone
 *   control: the same network trained from scratch on the same images for as many epochs
 *
 * It prints each phase's validation accuracy beside the control's, and where the plots are.
 * Every option here is also a flag of `npx shadergrad finetune`; both call sg.train.finetune.
 */
import * as sg from '../src/index.js';

const out = process.argv[2] ?? 'demo-out';
const common: sg.train.FinetuneOptions = {
  data: 'examples/data/hymenoptera/train',
  val: 'examples/data/hymenoptera/val',
  model: 'cifar_resnet56',
  imageSize: 32, //             the network was trained on 32 x 32 images
  batchSize: Number(process.env.DEMO_BATCH ?? 32),
  optimizer: 'adam',
  scheduler: 'cosine', //       per phase: the learning rates fall to 0 by each phase's end
  headLr: Number(process.env.DEMO_HEAD_LR ?? 1e-2),
  backboneLr: Number(process.env.DEMO_BACKBONE_LR ?? 1e-3),
  seed: 0,
  numWorkers: 1,
};
const headEpochs = Number(process.env.DEMO_HEAD_EPOCHS ?? 8);
const epochs = headEpochs + Number(process.env.DEMO_FINE_EPOCHS ?? 15);
const started = performance.now();
const minutes = () => ((performance.now() - started) / 60000).toFixed(1);

console.log('== Fine-tuning the pretrained ResNet-56 (CIFAR-10) to tell ants from bees');
const tuned = await sg.train.finetune({
  ...common,
  weights: 'examples/weights/resnet56-4bfd9763.th',
  freeze: 'all-but-head',
  epochs,
  headEpochs,
  out: `${out}/pretrained`,
});
sg.models.disposeModel(tuned.model);
const best = (phase: number) => Math.max(...tuned.rows.filter((r) => r.phase === phase).map((r) => r.valAcc));

console.log(`\n== Control: the same network from random weights (${minutes()} min so far)`);
const scratch = await sg.train.finetune({
  // every layer at the full learning rate: nothing here is pretrained
  ...common,
  freeze: 'none',
  epochs,
  headEpochs: 0,
  backboneLr: common.headLr,
  out: `${out}/scratch`,
});
sg.models.disposeModel(scratch.model);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`
Validation accuracy on ${tuned.confusion ? tuned.confusion.flat().reduce((a, b) => a + b, 0) : '?'} images (best epoch of each run):
  pretrained, phase 1 (new head on frozen features, ${headEpochs} epochs):  ${pct(best(1))}
  pretrained, phase 2 (everything fine-tuned, ${epochs - headEpochs} more epochs):   ${pct(best(2))}
  from scratch (${epochs} epochs, all layers):                          ${pct(scratch.bestAcc)}
Total time ${minutes()} min. Plots, metrics and the best weights are in ${out}/pretrained/ and ${out}/scratch/
(curves.png, confusion.png, predictions.png, metrics.csv, model.safetensors, classes.json).
Predict with: npx shadergrad predict --model cifar_resnet56 --weights ${out}/pretrained/model.safetensors IMAGE`);
await sg.shutdown();
