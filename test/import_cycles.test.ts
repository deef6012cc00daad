// No import cycles in src/ apart from Tensor's one-line methods over the ops (tensor.ts imports
// ops/*, which import tensor.ts): with those edges left out, the graph of runtime imports
// (`import type` is erased, so it does not count) must be acyclic, so that every file can be read
// after the files it imports. Arrows point down: ops never import nn, src never imports tools/.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesUnder(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Runtime imports of a file, as paths relative to the repository root. */
function importsOf(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specs = [...code.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
  return specs
    .filter((s) => s.startsWith('.') && !s.endsWith('.wgsl') && !s.endsWith('.json'))
    .map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

const graph = new Map(filesUnder(SRC).map((f) => [relative(ROOT, f), importsOf(f)]));
const allowed = (from: string, to: string) => from === 'src/tensor.ts' && to.startsWith('src/ops/');

/** One cycle of the graph (as a list of files), or null. */
function findCycle(): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (allowed(file, next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe('imports in src/', () => {
  it('resolve to files of the repository', () => {
    for (const [file, imports] of graph)
      for (const i of imports) expect(graph.has(i) || !i.startsWith('src/'), `${file} imports ${i}`).toBe(true);
  });

  it('form no cycle but Tensor methods over the ops', () => {
    const cycle = findCycle();
    expect(cycle, cycle ? `cycle: ${cycle.join(' -> ')}` : '').toBeNull();
  });

  it('point down: src never imports tools/ or examples/, ops never nn/, autograd no op', () => {
    for (const [file, imports] of graph) {
      for (const i of imports) {
        expect(i.startsWith('tools/') || i.startsWith('examples/'), `${file} imports ${i}`).toBe(false);
        if (file.startsWith('src/ops/')) expect(i.startsWith('src/nn/'), `${file} imports ${i}`).toBe(false);
        if (file === 'src/autograd.ts') expect(i.startsWith('src/ops/'), `${file} imports ${i}`).toBe(false);
      }
    }
  });
});
