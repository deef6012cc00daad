/**
 * `sg.train`: the fine-tuning workflow as a library, shared by `shadergrad finetune`/`evaluate`,
 * `npm run demo` and the browser. `finetune` is the whole transfer-learning recipe from image
 * folders; `fit` is its training loop (phases, freezing, parameter groups, schedulers, best
 * weights, checkpoints and resumption) for any model and datasets; the rest are its parts.
 *
 *   const r = await sg.train.finetune({ data: 'ants_bees/train', val: 'ants_bees/val', model: 'resnet18',
 *     weights: 'resnet18-f37072fd.pth', epochs: 6, headEpochs: 3, out: 'run' });
 *   console.log(r.bestAcc, r.rows);
 */
export { finetune, type FinetuneOptions, type FinetuneResult } from './finetune.js';
export { fit, type FitOptions, type FitResult, type Phase, type GroupSpec, type TrainEvents } from './fit.js';
export { trainEpoch, type EpochOptions, type EpochProgress } from './epoch.js';
export { evaluateModel, type Evaluation } from './evaluate.js';
export { classify, topK } from './predict.js';
export {
  finetuneText,
  classifyText,
  TEXT_BUNDLES,
  type TextFinetuneOptions,
  type TextFinetuneResult,
} from './text_finetune.js';
export {
  TokenDataset,
  WordVocabulary,
  readLabelledText,
  readLabelledTable,
  readTextFolder,
  tokenSample,
  type LabelledText,
} from './text_data.js';
export { batches, imageTransform, type Batch, type BatchOptions } from './data.js';
export { folderSplit, type FolderSplit, type ImageSource } from './folders.js';
export { freezePlan, type Freeze, type FreezePlan } from './freeze.js';
export { headPath, moduleAt, replaceHead } from './head.js';
export { loadModel, canonicalModelName } from './pretrained.js';
export { makeOptimizer, makeScheduler, type OptimizerName, type SchedulerName, type Scheduler } from './optimizers.js';
export {
  confusionMatrix,
  accuracy,
  classificationReport,
  formatReport,
  metricsCsv,
  metricsJson,
  writeMetrics,
  type EpochRow,
  type ClassScores,
  type ClassificationReport,
} from './metrics.js';
export {
  ProgressBar,
  formatEpochSummary,
  formatProgress,
  formatDuration,
  type ProgressStream,
  type ProgressOptions,
  type ProgressStats,
} from './progress.js';
export { consoleReporter, combineEvents, type ReporterOptions } from './reporter.js';
export { writeAtomic } from './files.js';
