// Every public op (exported from src/index.ts, defined in src/ops/; kernel-version settings and
// their tuning reports left out) opens with JSDoc that gives
// its formula and names its PyTorch equivalent (`torch.*`, `F.*` or a tensor method).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const index = readFileSync(join(ROOT, 'src', 'index.ts'), 'utf8');

/** [name, file] of every value exported from src/ops/ (settings of kernel versions left out). */
const ops = [...index.matchAll(/export \{([^}]*)\} from '\.\/ops\/(\w+)\.js'/g)].flatMap(([, names, file]) =>
  names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type ') && !/^(set|chosen|tune)|Tuning$|^[A-Z_]+$/.test(n))
    .map((n) => [n, `src/ops/${file}.ts`] as const),
);

describe('public ops', () => {
  it('are found', () => expect(ops.length).toBeGreaterThan(60));

  it.each(ops)('%s has JSDoc naming its PyTorch equivalent', (name, file) => {
    const code = readFileSync(join(ROOT, file), 'utf8');
    const doc = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export (?:function|const) ${name}\\b`).exec(code);
    expect(doc, `${file}: no JSDoc on ${name}`).not.toBeNull();
    expect(doc![1], `${file}: ${name}'s JSDoc names no PyTorch equivalent`).toMatch(
      /`(torch\.|torchvision\.|F\.|x\.|t\.)[\w.]+/,
    );
  });
});
