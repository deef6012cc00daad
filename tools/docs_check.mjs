#!/usr/bin/env node
// `npm run docs:check`: lists every public export (reachable from src/index.ts) that has no
// JSDoc, using typedoc's `validation.notDocumented` (typedoc.json) without writing the site.
// It prints the list grouped by file and, with --strict (what CI will run once every export is
// documented), fails when the list is not empty. `npm run docs` builds the site in docs/api/.
import { spawnSync } from 'node:child_process';

const strict = process.argv.includes('--strict');
const run = spawnSync('npx', ['typedoc', '--emit', 'none', '--logLevel', 'Warn'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
const output = `${run.stdout}\n${run.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''); // colour codes
const missing = [...output.matchAll(/^\[warning\] (.+?) \((\w+)\), defined in [^/]+\/(\S+?), does not have any documentation$/gm)]
  .map(([, name, kind, file]) => ({ name, kind, file }));
const errors = output.split('\n').filter((l) => l.startsWith('[error]'));
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
const byFile = new Map();
for (const m of missing) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
for (const [file, items] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${file}:`);
  for (const m of items) console.log(`  ${m.name} (${m.kind})`);
}
console.log(`${missing.length} public export${missing.length === 1 ? '' : 's'} without documentation in ${byFile.size} files` +
  (strict ? '' : ' (reported only; --strict fails on any)'));
process.exit(strict && missing.length ? 1 : 0);
