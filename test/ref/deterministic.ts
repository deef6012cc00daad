// Deterministic weights and inputs shared by the model tests and the PyTorch fixture scripts
// (tools/fixtures/zoo_common.py computes the same values in float64): a fixture can hold a
// model's logits without holding its weights.
import * as sg from '../../src/index.js';

/**
 * For state_dict entry j with s_i = sin(0.37 i + 1.3 j) in float64: weight (>= 2-D)
 * s sqrt(3 / fan_in), 1-D weight 1 + 0.2 s, bias and running_mean 0.1 s, running_var
 * 1 + 0.25 s; num_batches_tracked stays 0. fan_in is size / shape[0].
 */
export function setDeterministic(model: sg.nn.Module): void {
  [...model.stateDict()].forEach(([key, t], j) => {
    if (key.endsWith('num_batches_tracked')) return;
    const fanIn = t.size / t.shape[0];
    const f = key.endsWith('running_var')
      ? (v: number) => 1 + 0.25 * v
      : key.endsWith('running_mean') || key.endsWith('bias')
        ? (v: number) => 0.1 * v
        : t.ndim >= 2
          ? (v: number) => v * Math.sqrt(3 / fanIn)
          : (v: number) => 1 + 0.2 * v;
    const data = new Float32Array(t.size); // a plain loop: Float32Array.from(..., fn) is 30x slower
    for (let i = 0; i < data.length; i++) data[i] = f(Math.sin(0.37 * i + 1.3 * j));
    const values = sg.tensor(data, { shape: t.shape });
    t.copy_(values);
    values.dispose();
  });
}

/** x_i = sin(0.731 i + 0.2), float32. */
export function deterministicInput(shape: number[]): sg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return sg.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.731 * i + 0.2)),
    { shape },
  );
}

/** Uniform in [-1, 1): lowbias32 of i + j * 0x9E3779B9 (tools/fixtures/zoo_common.py: hash_uniform). */
export function hashUniform(i: number, j: number): number {
  let x = (i + Math.imul(j, 0x9e3779b9)) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return (x / 4294967296) * 2 - 1;
}

/**
 * As setDeterministic with s_i = hashUniform(i, j) (zoo_common.py: hashed_): well conditioned
 * in training mode, where batch norm divides by each channel's batch spread.
 */
export function setHashed(model: sg.nn.Module): void {
  [...model.stateDict()].forEach(([key, t], j) => {
    if (key.endsWith('num_batches_tracked')) return;
    const fanIn = t.size / t.shape[0];
    const f = key.endsWith('running_var')
      ? (v: number) => 1 + 0.25 * v
      : key.endsWith('running_mean') || key.endsWith('bias')
        ? (v: number) => 0.1 * v
        : t.ndim >= 2
          ? (v: number) => v * Math.sqrt(3 / fanIn)
          : (v: number) => 1 + 0.2 * v;
    const data = new Float32Array(t.size);
    for (let i = 0; i < data.length; i++) data[i] = f(hashUniform(i, j));
    const values = sg.tensor(data, { shape: t.shape });
    t.copy_(values);
    values.dispose();
  });
}
