/**
 * Transfer learning with EfficientNet-B0, step by step as the PyTorch tutorials write it:
 *
 *   model = torchvision.models.efficientnet_b0(weights=EfficientNet_B0_Weights.DEFAULT)
 *   model.features.requires_grad_(False)              # freeze the feature extractor
 *   model.classifier[1] = nn.Linear(1280, num_classes) # a new head
 *   summary(model, (3, 224, 224), batch_size=64)       # torchsummary
 *   ... train the head, unfreeze, fine-tune everything at a lower rate, predict
 *
 * on the tutorial's ants-and-bees photos shipped in examples/data/hymenoptera.
 *
 *   node tools/run.mjs examples/efficientnet_transfer.ts [efficientnet_b0_rwightman-3dd342df.pth]
 *
 * Pretrained weights: no network here, so by default the network starts from torchvision's
 * random initialisation (it then learns little from 245 photos: the point is the workflow).
 * With ImageNet weights, the same code is real transfer learning. Download torchvision's file
 * once, wherever you have a network:
 *   curl -LO https://download.pytorch.org/models/efficientnet_b0_rwightman-3dd342df.pth
 * (that is what `EfficientNet_B0_Weights.IMAGENET1K_V1` downloads; or, in Python,
 * `torch.save(efficientnet_b0(weights="DEFAULT").state_dict(), "b0.pth")`) and pass its path.
 * `sg.models.get` loads it strictly: every key and shape must match torchvision's model. Passing
 * `DEFAULT` instead of a path takes `EfficientNet_B0_Weights.DEFAULT` from PyTorch's cache
 * (`~/.cache/torch/hub/checkpoints`, where `torchvision` put it), downloading it if a network is there.
 * Environment: IMAGE_SIZE (224, what the weights expect), HEAD_EPOCHS (2), FINE_EPOCHS (2),
 * BATCH (16), OUT (efficientnet-out: the weights and classes.json for `shadergrad predict`).
 * Time here (llvmpipe, 2 loaded CPU cores): 12 minutes with IMAGE_SIZE=64 HEAD_EPOCHS=1
 * FINE_EPOCHS=1; about 10x that at 224 px.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as sg from '../src/index.js';

const { nn, optim, transforms: T } = sg;
const weights = process.argv[2];
const imageSize = Number(process.env.IMAGE_SIZE ?? 224);
const headEpochs = Number(process.env.HEAD_EPOCHS ?? 2);
const fineEpochs = Number(process.env.FINE_EPOCHS ?? 2);
const batchSize = Number(process.env.BATCH ?? 16);
const out = process.env.OUT ?? 'efficientnet-out';
await sg.init();
sg.manualSeed(0);

// 1. The data: ImageFolder (one folder per class), torchvision's ImageNet transforms.
const normalize = new T.Normalize(T.IMAGENET_MEAN, T.IMAGENET_STD);
const trainTf = new T.Compose([
  new T.RandomResizedCrop(imageSize),
  new T.RandomHorizontalFlip(),
  new T.ToTensor(),
  normalize,
]);
const valTf = new T.Compose([
  new T.Resize(Math.round((imageSize * 256) / 224)),
  new T.CenterCrop(imageSize),
  new T.ToTensor(),
  normalize,
]);
const train = new sg.data.ImageFolder('examples/data/hymenoptera/train', { transform: trainTf });
const val = new sg.data.ImageFolder('examples/data/hymenoptera/val', { transform: valTf });
console.log(`classes ${train.classes.join(', ')}: ${train.length} training and ${val.length} validation images`);

// 2. The model: torchvision's efficientnet_b0, with its ImageNet weights when given.
const model = await sg.models.get('efficientnet_b0', weights ? { weights } : {});
console.log(weights ? `loaded ${weights}` : 'random initialisation (pass a weight file to start from ImageNet)');

// 3. Freeze the features, replace the head (the old one's memory is freed: it is no longer in the model).
model.features.requiresGrad_(false);
for (const p of model.classifier[1].parameters()) p.dispose();
model.classifier[1] = new nn.Linear(1280, train.classes.length);
console.log(sg.summary(model, [3, imageSize, imageSize], { batchSize: 64 }));

/** One epoch of training with `optimizer` (only parameters with requiresGrad change). */
async function trainEpoch(optimizer: sg.optim.Adam): Promise<number> {
  model.train();
  let total = 0;
  let batches = 0;
  for await (const batch of new sg.data.DataLoader(train, { batchSize, shuffle: true, seed: batches })) {
    total += await sg
      .tidy(() => {
        const loss = sg.crossEntropy(model.forward(batch.x), batch.y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss;
      })
      .item();
    batch.dispose();
    batches++;
  }
  return total / batches;
}

/** Accuracy on the validation images (eval mode: running batch-norm statistics, no dropout). */
async function evaluate(): Promise<number> {
  model.eval();
  let correct = 0;
  for await (const batch of new sg.data.DataLoader(val, { batchSize })) {
    const hits = sg.noGrad(() =>
      sg.tidy(() =>
        sg
          .eq(sg.argmax(model.forward(batch.x), 1), batch.y)
          .float()
          .sum(),
      ),
    );
    correct += await hits.item();
    hits.dispose();
    batch.dispose();
  }
  return correct / val.length;
}

// 4. Phase 1: train the new head on the frozen features.
const headOptimizer = new optim.Adam(model.classifier.parameters(), { lr: 1e-3 });
for (let epoch = 1; epoch <= headEpochs; epoch++) {
  const loss = await trainEpoch(headOptimizer);
  console.log(
    `head epoch ${epoch}: train loss ${loss.toFixed(4)}, val accuracy ${(100 * (await evaluate())).toFixed(1)}%`,
  );
}

// 5. Phase 2: unfreeze everything; the backbone learns 10x slower than the head.
model.requiresGrad_(true);
const fineOptimizer = new optim.Adam([
  { params: model.classifier.parameters(), lr: 1e-3 },
  { params: model.features.parameters(), lr: 1e-4 },
]);
for (let epoch = 1; epoch <= fineEpochs; epoch++) {
  const loss = await trainEpoch(fineOptimizer);
  console.log(
    `fine-tune epoch ${epoch}: train loss ${loss.toFixed(4)}, val accuracy ${(100 * (await evaluate())).toFixed(1)}%`,
  );
}

// 6. Predict: class probabilities for a few validation images.
model.eval();
for await (const batch of new sg.data.DataLoader(val, { batchSize: 6, shuffle: true, seed: 1 })) {
  const probs = sg.noGrad(() => sg.tidy(() => sg.softmax(model.forward(batch.x), 1)));
  const [p, labels] = [await probs.data(), await batch.y.data()];
  for (let i = 0; i < labels.length; i++) {
    const shown = train.classes.map((c, k) => `${c} ${(100 * p[i * train.classes.length + k]).toFixed(1)}%`).join(', ');
    console.log(`a photo of ${val.classes[labels[i]]}: ${shown}`);
  }
  probs.dispose();
  batch.dispose();
  break;
}
mkdirSync(out, { recursive: true });
await sg.io.save(`${out}/model.safetensors`, model.stateDict());
writeFileSync(`${out}/classes.json`, JSON.stringify({ classes: train.classes, imageSize }));
console.log(
  `saved ${out}/model.safetensors and classes.json; predict with:\n  npx shadergrad predict --model efficientnet_b0 --weights ${out}/model.safetensors IMAGE`,
);
sg.models.disposeModel(model);
await sg.shutdown();
