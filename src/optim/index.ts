/** `sg.optim`: optimisers whose update math runs as WGSL kernels. */
export { Optimizer, type ParamGroup, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm_, clipGradValue_ } from '../nn/utils.js';
/** Learning-rate schedules (`torch.optim.lr_scheduler`): `StepLR`, `CosineAnnealingLR`, `ReduceLROnPlateau`, ... */
export * as lrScheduler from './lr_scheduler.js';
