#!/usr/bin/env node
// `npm run docs:check`: lists every public export (reachable from src/index.ts) that has no
// JSDoc, using typedoc's `validation.notDocumented` (typedoc.json); the site and typedoc's JSON
// go to a temporary folder (the JSON is read below), not to docs/api/.
// It also lists declarations with no JSDoc of their own to which typedoc gives a borrowed one
// (the file's header comment, a namespace's `export * as` comment, an implemented interface's):
// typedoc counts those as documented, but the page would show the wrong text.
// It prints the list grouped by file and, with --strict (what CI runs), fails when the list is
// not empty. `npm run docs` builds the site in docs/api/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const strict = process.argv.includes('--strict');
const tmp = mkdtempSync(join(tmpdir(), 'docs-check-'));
const json = join(tmp, 'api.json');
const run = spawnSync('npx', ['typedoc', '--out', join(tmp, 'html'), '--json', json, '--logLevel', 'Warn'], {
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
const output = `${run.stdout}\n${run.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''); // colour codes
const missing = [
  ...output.matchAll(/^\[warning\] (.+?) \((\w+)\), defined in [^/]+\/(\S+?), does not have any documentation$/gm),
].map(([, name, kind, file]) => ({ name, kind, file }));
const errors = output.split('\n').filter((l) => l.startsWith('[error]'));
if (errors.length || !existsSync(json)) {
  console.error(errors.length ? errors.join('\n') : output);
  process.exit(1);
}
missing.push(...borrowedComments(JSON.parse(readFileSync(json, 'utf8'))));
rmSync(tmp, { recursive: true, force: true });
const byFile = new Map();
for (const m of missing) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
for (const [file, items] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${file}:`);
  for (const m of items) console.log(`  ${m.name} (${m.kind})`);
}
console.log(
  `${missing.length} public export${missing.length === 1 ? '' : 's'} without documentation in ${byFile.size} files` +
    (strict ? '' : ' (reported only; --strict fails on any)'),
);
process.exit(strict && missing.length ? 1 : 0);

/**
 * Declarations (the kinds typedoc.json requires to be documented, not their members) whose
 * source line has no `/** ... *\/` right above it (line comments may sit in between), although
 * typedoc shows a comment for them: that comment was borrowed from elsewhere.
 */
function borrowedComments(project) {
  const KINDS = { 32: 'Variable', 64: 'Function', 128: 'Class', 256: 'Interface', 2097152: 'TypeAlias' };
  const lines = new Map();
  const sourceLines = (file) => {
    if (!lines.has(file)) {
      const path = [join('src', file), file].find((p) => existsSync(p));
      lines.set(file, path ? readFileSync(path, 'utf8').split('\n') : null);
    }
    return lines.get(file);
  };
  const found = [];
  const walk = (node, prefix) => {
    const name = prefix ? `${prefix}.${node.name}` : node.name;
    const kind = KINDS[node.kind];
    const source = node.sources?.[0];
    const shown = node.comment ?? node.signatures?.[0]?.comment; // none: typedoc's own warning lists it
    if (kind && source && shown) {
      const text = sourceLines(source.fileName);
      let i = source.line - 2;
      while (text && i >= 0 && text[i].trim().startsWith('//')) i--;
      if (text && !(i >= 0 && text[i].trim().endsWith('*/')))
        found.push({ name, kind, file: `src/${source.fileName}`.replace(/^src\/src\//, 'src/') });
    }
    if (node.kind === 128 || node.kind === 256) return; // members: typedoc inherits their comments from base classes, rightly
    for (const child of node.children ?? []) walk(child, node.kind === 1 ? '' : name);
  };
  walk(project, '');
  return found;
}
