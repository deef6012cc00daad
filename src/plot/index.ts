/**
 * `sg.plot`: the figures of a training run as PNG bytes, drawn on a small RGBA raster with a
 * built-in bitmap font (no canvas, no fonts, no native code), as matplotlib would draw them:
 *
 *   writeFileSync('curves.png', sg.plot.curvesPng({ epochs: [1, 2], trainLoss: [0.9, 0.5], valLoss: [1, 0.7],
 *     trainAcc: [0.6, 0.8], valAcc: [0.55, 0.7] }));
 *   writeFileSync('confusion.png', sg.plot.confusionPng([[5, 1], [2, 7]], ['ants', 'bees']));
 *
 * PNG encoding uses pngjs, loaded at run time in Node.
 */
export { curvesPng, type Curves } from './curves.js';
export { confusionPng, confusionCsv, type ConfusionPngOptions } from './confusion.js';
export { predictionGridPng, type Prediction, type GridOptions } from './grid.js';
export type { RasterImage } from './canvas.js';
