// Autograd semantics: accumulation, explicit gradients, detach, noGrad, graph freeing and
// retainGraph, shared subexpressions (x * x, diamonds), broadcasting, frozen inputs, and no
// leaked tensors. Composite graphs are checked against float64 central differences of the same
// function written with plain loops.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { type Nd, nd, zipWith } from './ref/ndarray.js';
import { sumRef } from './ref/reduce.js';
import { expectClose, numericGrad, randomNd, sampleIndices, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

/**
 * Runs `gpu` on the inputs (all requiring grad), backward from its scalar result, and compares
 * every input's .grad with central differences of the float64 `ref` (which returns a scalar).
 */
async function checkGraph(
  what: string,
  inputs: Nd[],
  gpu: (...ts: sg.Tensor[]) => sg.Tensor,
  ref: (...xs: Nd[]) => number,
): Promise<void> {
  const ts = inputs.map((x) => toTensor(x, { requiresGrad: true }));
  const loss = gpu(...ts);
  expectClose([await loss.item()], [ref(...inputs)], `${what}: value`);
  loss.backward();
  const one = nd([], [1]);
  for (const [k, x] of inputs.entries()) {
    const indices = sampleIndices(x.data.length, 64);
    const numeric = numericGrad((...xs) => nd([], [ref(...xs)]), inputs, k, one, indices);
    expect(ts[k].grad!.shape, `${what}: gradient ${k} shape`).toEqual(x.shape);
    const got = await ts[k].grad!.data();
    expectClose(
      indices.map((i) => got[i]),
      numeric,
      `${what}: gradient of input ${k}`,
    );
  }
}

const total = (x: Nd) => x.data.reduce((s, v) => s + v, 0);

describe('accumulation and explicit gradients', () => {
  it('gradients accumulate across backward calls on separate graphs', async () => {
    const x = sg.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    const first = x.grad;
    x.mul(x).sum().backward();
    expect(await x.grad!.toArray()).toEqual([4, 6, 8]);
    expect(first!.isDisposed || x.grad === first).toBe(true); // the old .grad is replaced by the sum
  });

  it('backward(gradient) on a non-scalar is the vector-Jacobian product', async () => {
    const xv = randomNd([3, 4], 1);
    const gv = randomNd([3, 4], 2);
    const x = toTensor(xv, { requiresGrad: true });
    x.mul(x).exp().backward(toTensor(gv));
    expectClose(await x.grad!.data(), zipWith((v, g) => g * Math.exp(v * v) * 2 * v, xv, gv).data, 'd exp(x^2) . G');
  });

  it('backward on a non-scalar needs a gradient of its shape', () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(
      'shadergrad: backward(): grad can be implicitly created only for scalar outputs; got shape [2], pass a gradient',
    );
    expect(() => x.mul(2).backward(sg.zeros([3]))).toThrow('gradient shape [3] does not match tensor shape [2]');
    expect(() => sg.tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it('the caller keeps its gradient tensor: .grad does not alias it', async () => {
    for (const op of [
      (t: sg.Tensor) => t.reshape([2, 2]),
      (t: sg.Tensor) => sg.clone(t).reshape([2, 2]),
      (t: sg.Tensor) => t.view([4]).view([2, 2]),
    ]) {
      const x = sg.tensor([1, 2, 3, 4], { requiresGrad: true });
      const g = sg.tensor([
        [5, 6],
        [7, 8],
      ]);
      op(x).backward(g);
      g.zero_();
      expect(await x.grad!.toArray()).toEqual([5, 6, 7, 8]);
      g.dispose();
      expect(await x.grad!.toArray()).toEqual([5, 6, 7, 8]);
    }
    // backward on a leaf itself copies the gradient into .grad.
    const leaf = sg.tensor([1, 2], { requiresGrad: true });
    const g = sg.tensor([3, 4]);
    leaf.backward(g);
    g.mul_(0);
    expect(await leaf.grad!.toArray()).toEqual([3, 4]);
  });
});

describe('graph structure', () => {
  it('a tensor used twice gets the sum of both paths: x * x, x * exp(x) + x', async () => {
    const xv = randomNd([5], 3);
    await checkGraph(
      'sum(x * x)',
      [xv],
      (x) => x.mul(x).sum(),
      (x) => x.data.reduce((s, v) => s + v * v, 0),
    );
    await checkGraph(
      'sum(x * exp(x) + x)',
      [xv],
      (x) => x.mul(x.exp()).add(x).sum(),
      (x) => x.data.reduce((s, v) => s + v * Math.exp(v) + v, 0),
    );
  });

  it('diamond graphs: one intermediate feeding two branches that meet again', async () => {
    const xv = randomNd([2, 3], 4);
    const wv = randomNd([3], 5);
    await checkGraph(
      'diamond',
      [xv, wv],
      (x, w) => {
        const h = x.mul(w).tanh(); // shared intermediate
        const a = h.mul(2);
        const b = h.exp();
        return a.mul(b).add(h).mean();
      },
      (x, w) => {
        const h = zipWith((u, v) => Math.tanh(u * v), x, w);
        return total(zipWith((v) => 2 * v * Math.exp(v) + v, h)) / h.data.length;
      },
    );
  });

  it('broadcast operands get gradients of their own shape (leading dims, size-1 dims, 0-d)', async () => {
    const inputs = [
      randomNd([2, 3, 4], 6),
      randomNd([4], 7),
      randomNd([3, 1], 8),
      randomNd([], 9),
      randomNd([1, 1, 4], 10),
    ];
    await checkGraph(
      'broadcasting',
      inputs,
      (x, b, c, s, d) => x.add(b).mul(c).sub(s).div(d.mul(d).add(1)).pow(2).sum(),
      (x, b, c, s, d) =>
        total(zipWith((xv, bv, cv, sv, dv) => (((xv + bv) * cv - sv) / (dv * dv + 1)) ** 2, x, b, c, s, d)),
    );
  });

  it('a chain through shape ops, reductions and where', async () => {
    const xv = randomNd([4, 6], 11);
    await checkGraph(
      'shape chain',
      [xv],
      (x) => {
        const t = x.reshape([2, 12]).transpose(0, 1).slice(0, 1, 10, 2); // [5, 2]
        const m = t.max(1, { keepdim: true }).values; // [5, 1]
        const c = sg.cat([t, sg.expand(m, [5, 2])], 1); // [5, 4]
        return sg.where(c.gt(0), c, c.mul(0.1)).sum(0).mean();
      },
      (x) => {
        const t = nd([5, 2]);
        for (let i = 0; i < 5; i++) for (let j = 0; j < 2; j++) t.data[i * 2 + j] = x.data[j * 12 + (1 + 2 * i)];
        let s = 0;
        for (let i = 0; i < 5; i++) {
          const m = Math.max(t.data[2 * i], t.data[2 * i + 1]);
          for (const v of [t.data[2 * i], t.data[2 * i + 1], m, m]) s += v > 0 ? v : 0.1 * v;
        }
        return s / 4;
      },
    );
  });

  it('inputs that do not require grad get no gradient, and nothing flows into frozen branches', async () => {
    const frozen = sg.tensor([1, 2]);
    const live = sg.tensor([3, 4], { requiresGrad: true });
    const out = frozen.mul(live).add(frozen.exp()).sum();
    expect(out.gradFn!.inputs.some((t) => t === frozen)).toBe(false); // exp(frozen) is a constant
    out.backward();
    expect(frozen.grad).toBeNull();
    expect(await live.grad!.toArray()).toEqual([1, 2]);
    // A graph with no leaf that requires grad has nothing to differentiate.
    const c = sg.tensor([1, 2]).mul(3).sum();
    expect(c.requiresGrad).toBe(false);
    expect(() => c.backward()).toThrow(/does not require grad/);
  });

  it('only leaves get .grad, intermediates do not', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect(await x.grad!.toArray()).toEqual([3, 3]);
  });

  it('deep chains do not overflow the stack', async () => {
    let x = sg.tensor([1], { requiresGrad: true });
    const leaf = x;
    for (let i = 0; i < 3000; i++) x = x.add(0);
    x.sum().backward();
    expect(await leaf.grad!.toArray()).toEqual([1]);
  });
});

describe('detach, noGrad, requiresGrad_', () => {
  it('detach() shares storage but cuts the graph', async () => {
    const x = sg.tensor([2, 3], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.buffer).toBe(x.buffer);
    x.mul(d).sum().backward(); // only the x path counts: d(x * c)/dx = c
    expect(await x.grad!.toArray()).toEqual([2, 3]);
    expect(d.grad).toBeNull();
  });

  it('noGrad records nothing, nests, and restores the mode after an exception', () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const y = sg.noGrad(() => {
      expect(sg.isGradEnabled()).toBe(false);
      const inner = sg.noGrad(() => x.mul(2));
      expect(sg.isGradEnabled()).toBe(false);
      return inner.add(x).exp();
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(sg.isGradEnabled()).toBe(true);
    expect(() =>
      sg.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(sg.isGradEnabled()).toBe(true);
    expect(x.mul(2).gradFn?.name).toBe('mul');
  });

  it('requiresGrad_ marks leaves; int32 tensors cannot require grad', () => {
    const x = sg.zeros([2]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(x.add(1).gradFn?.name).toBe('add');
    expect(x.requiresGrad_(false).requiresGrad).toBe(false);
    expect(() => sg.zeros([2], { dtype: 'int32' }).requiresGrad_()).toThrow(
      /only float32 tensors can require gradients/,
    );
  });
});

describe('freeing the graph', () => {
  it('backward frees the graph: gradFn is null on the output and intermediates', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const loss = h.sum();
    expect(h.gradFn).not.toBeNull();
    loss.backward();
    expect(h.gradFn).toBeNull();
    expect(loss.gradFn).toBeNull();
    expect(x.gradFn).toBeNull();
  });

  it('a second backward through a freed graph is a clear error, not a silent no-op', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const loss = h.sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/already freed by an earlier backward\(\).*retainGraph/);
    // Building on an intermediate of the freed graph fails the same way.
    expect(() => h.mul(3).sum().backward()).toThrow(/\[2\] float32 \(made by mul\) was already freed/);
    expect(await x.grad!.toArray()).toEqual([2, 2]); // unchanged by the failed calls
  });

  it('retainGraph keeps the graph for another backward, which accumulates', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(x);
    const loss = h.sum();
    loss.backward(undefined, { retainGraph: true });
    expect(h.gradFn).not.toBeNull();
    loss.backward(undefined, { retainGraph: true });
    expect(await x.grad!.toArray()).toEqual([4, 8]);
    loss.backward();
    expect(await x.grad!.toArray()).toEqual([6, 12]);
    expect(h.gradFn).toBeNull();
  });

  it("backward leaves no tensors behind but the leaves' .grad", async () => {
    const xv = randomNd([4, 6], 12);
    // Each forward returns every tensor it made (the caller's to dispose), the output last.
    const forwards: Array<[string, (x: sg.Tensor) => sg.Tensor[]]> = [
      [
        'mul and add with numbers',
        (x) => {
          const a = x.mul(2);
          return [a, a.add(1)];
        },
      ],
      [
        'sum and mean over dims',
        (x) => {
          const a = x.sum(1);
          return [a, a.mean(0, { keepdim: true })];
        },
      ],
      [
        'reshape, transpose, slice',
        (x) => {
          const a = x.reshape([6, 4]);
          const b = a.transpose(0, 1);
          return [a, b, b.slice(1, 1, 5, 2)];
        },
      ],
      [
        'expand',
        (x) => {
          const a = x.sum(0);
          return [a, sg.expand(a, [3, 6])];
        },
      ],
      [
        'cat',
        (x) => {
          const a = x.exp();
          return [a, sg.cat([x, a], 1)];
        },
      ],
      [
        'where and max',
        (x) => {
          const m = x.gt(0);
          const w = sg.where(m, x, 0.5);
          return [m, w, w.amax(1)];
        },
      ],
      [
        'unary chain',
        (x) => {
          const a = x.tanh();
          const b = a.sigmoid();
          const c = b.pow(3);
          return [a, b, c, c.abs()];
        },
      ],
    ];
    for (const [name, forward] of forwards) {
      const x = toTensor(xv, { requiresGrad: true });
      const before = sg.memory().liveTensors;
      const made = forward(x);
      const out = made[made.length - 1];
      const square = out.mul(out);
      const loss = square.sum();
      loss.backward();
      for (const t of [...made, square, loss]) t.dispose();
      expect(sg.memory().liveTensors - before, `${name}: tensors left besides x.grad`).toBe(1);
      x.grad!.dispose();
      x.dispose();
    }
  });
});

describe('reductions inside a graph', () => {
  it('sum over dims then mean, against the float64 reference', async () => {
    const xv = randomNd([3, 4, 5], 13);
    await checkGraph(
      'sum(dims) then mean',
      [xv],
      (x) => x.sum([0, 2]).pow(2).mean(),
      (x) => {
        const s = sumRef([0, 2]).forward(x);
        return total(zipWith((v) => v * v, s)) / s.data.length;
      },
    );
  });
});
