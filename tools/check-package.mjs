#!/usr/bin/env node
// `npm run check:package`: the package as its users meet it, checked without network.
// 1. `npm pack` (after `npm run build` if dist/ is missing) and unpack the tarball into a
//    throw-away consumer project's node_modules, its dependencies linked from ours (what
//    `npm install ./shadergrad-x.y.z.tgz` would install).
// 2. The consumer type-checks strictly against the published .d.ts files (`skipLibCheck: false`,
//    no @types/node) with moduleResolution bundler and nodenext.
// 3. esbuild bundles `import * as sg from 'shadergrad'` for the browser (platform browser) with
//    zero errors and no Node built-in or `webgpu` left in the output.
// 4. publint (strict) and @arethetypeswrong/cli (profile esm-only: the package is ESM only).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let failed = 0;
function step(name, fn) {
  try {
    const note = fn();
    console.log(`PASS ${name}${note ? `: ${note}` : ''}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${[e.stdout, e.stderr, e.message].filter(Boolean).join('\n').trim()}`);
  }
}

if (!existsSync(join(root, 'dist', 'index.js'))) run('npm', ['run', 'build']);
const work = mkdtempSync(join(tmpdir(), 'sg-package-'));
const consumer = join(work, 'consumer');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let tarball = '';

step('npm pack', () => {
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]));
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  for (const need of [
    'LICENSE',
    'THIRD_PARTY_NOTICES.md',
    'dist/index.js',
    'dist/browser.js',
    'dist/types/index.d.ts',
    'package.json',
  ]) {
    if (!files.includes(need)) throw new Error(`the tarball lacks ${need}`);
  }
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  run('tar', ['xzf', tarball, '-C', work]);
  renameSync(join(work, 'package'), join(consumer, 'node_modules', 'shadergrad'));
  for (const dep of Object.keys(pkg.dependencies)) {
    const at = join(consumer, 'node_modules', dep);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), at, 'dir');
  }
  return `${info.filename}, ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB`;
});

writeFileSync(
  join(consumer, 'main.ts'),
  `import * as sg from 'shadergrad';
await sg.init();
const x: sg.Tensor = sg.randn([2, 3], { requiresGrad: true });
const loss = x.mul(2).relu().sum();
loss.backward();
const grad: Float32Array | Int32Array = await x.grad!.data();
const weights = sg.models.ResNet18_Weights.DEFAULT;
const model = await sg.models.get('resnet18', { weights });
const info: sg.DeviceInfo = sg.deviceInfo();
const buffers: GPUBuffer[] = [];
console.log(grad, String(weights), model.toString(), info.adapterName, buffers.length, weights.transforms().toString());
`,
);

for (const resolution of ['bundler', 'nodenext']) {
  step(`strict consumer type check (moduleResolution ${resolution}, skipLibCheck false, no @types/node)`, () => {
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: resolution === 'bundler' ? 'ESNext' : 'NodeNext',
          moduleResolution: resolution,
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    run(bin('tsc'), ['-p', consumer]);
  });
}

step('esbuild bundles it for the browser', () => {
  const out = join(work, 'bundle.js');
  run(
    bin('esbuild'),
    [
      join(consumer, 'main.ts'),
      '--bundle',
      '--platform=browser',
      '--format=esm',
      `--outfile=${out}`,
      '--log-level=error',
    ],
    consumer,
  );
  const code = readFileSync(out, 'utf8');
  const left = [...code.matchAll(/(?:from|import\()\s*["'](node:[a-z/_]+|webgpu)["']/g)].map((m) => m[1]);
  if (left.length) throw new Error(`the browser bundle still imports ${[...new Set(left)].join(', ')}`);
  return `${(code.length / 1024).toFixed(0)} KiB`;
});

step('publint --strict', () =>
  run(bin('publint'), ['run', '--strict', join(consumer, 'node_modules', 'shadergrad')])
    .trim()
    .split('\n')
    .pop(),
);
step('@arethetypeswrong/cli (esm-only)', () => {
  run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
  return 'no problems';
});

rmSync(work, { recursive: true, force: true });
console.log(failed ? `${failed} package check(s) failed` : 'package checks passed');
process.exit(failed ? 1 : 0);
