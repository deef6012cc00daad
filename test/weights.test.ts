// Weights by name (src/models/weights/): the table generated from torchvision 0.14's enums, the
// transforms presets against torchvision's own output (test/fixtures/weights, written by
// tools/fixtures/make_weights_fixtures.py), PyTorch's cache directory rules, and downloads from a
// local HTTP server on 127.0.0.1 (good, corrupt, truncated, missing, refused): never the internet.
import { describe, it, expect, beforeAll, beforeEach, afterAll, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as sg from '../src/index.js';
import { predictCommand } from '../tools/cli/predict.js';
import { cachedBytes, CACHE_NAME } from '../src/models/weights/hub_browser.js';
import { setDeterministic, deterministicInput } from './ref/deterministic.js';
import { expectClose } from './helpers.js';

const { models } = sg;
const FIX = join(__dirname, 'fixtures', 'weights');
const RESNET20 = join(__dirname, '..', 'examples', 'weights', 'resnet20-12fca82f.th');
const RESNET56 = join(__dirname, '..', 'examples', 'weights', 'resnet56-4bfd9763.th');
const DOG =
  [join(__dirname, '..', '..', 'shared'), '/work/shared']
    .map((d) => join(d, 'assets', 'datasets', 'samples', 'dog.jpg'))
    .find(existsSync) ?? '';

describe('the weights table', () => {
  it("has torchvision 0.14's 80 classification models and every zoo model", () => {
    for (const name of models.names) expect(models.getModelWeights(name).model, name).toBe(name);
    expect(Object.keys(models.TORCHVISION_WEIGHTS)).toHaveLength(80);
    expect([...models.ViT_H_14_Weights].map(String)).toEqual([
      'ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1',
      'ViT_H_14_Weights.IMAGENET1K_SWAG_LINEAR_V1',
    ]);
  });

  it('gives url, DEFAULT, meta and names as torchvision does', () => {
    const w = models.ResNet18_Weights.IMAGENET1K_V1;
    expect(w.url).toBe('https://download.pytorch.org/models/resnet18-f37072fd.pth');
    expect(models.ResNet18_Weights.DEFAULT).toBe(w);
    expect(String(w)).toBe('ResNet18_Weights.IMAGENET1K_V1');
    expect(w.meta.numParams).toBe(11689512);
    expect(w.meta.metrics['ImageNet-1K']['acc@1']).toBe(69.758);
    expect(w.meta.categories).toHaveLength(1000);
    expect(w.meta.categories![0]).toBe('tench');
    expect(models.ResNet50_Weights.DEFAULT.name).toBe('IMAGENET1K_V2');
    expect(models.VGG16_Weights.IMAGENET1K_FEATURES.meta.categories).toBeNull();
    expect(models.EfficientNet_B0_Weights.DEFAULT.preset).toMatchObject({
      cropSize: 224,
      resizeSize: 256,
      interpolation: 'bicubic',
    });
  });

  it('resolves DEFAULT, member and full names, and rejects the wrong ones clearly', () => {
    expect(models.getWeight('ResNet50_Weights.IMAGENET1K_V1')).toBe(models.ResNet50_Weights.IMAGENET1K_V1);
    expect(models.getWeight('DEFAULT', 'resnet50')).toBe(models.ResNet50_Weights.IMAGENET1K_V2);
    expect(models.resolveWeights('vgg16', 'IMAGENET1K_V1')).toBe(models.VGG16_Weights.IMAGENET1K_V1);
    expect(models.resolveWeights('vgg16', 'run/model.safetensors')).toBeNull();
    expect(() => models.getWeight('IMAGENET1K_V3', 'resnet18')).toThrow(
      /ResNet18_Weights: no weights named 'IMAGENET1K_V3'; available: DEFAULT, IMAGENET1K_V1/,
    );
    expect(() => models.resolveWeights('resnet34', models.ResNet18_Weights.DEFAULT)).toThrow(
      /expected ResNet34_Weights but received ResNet18_Weights/,
    );
    expect(() => models.getWeight('DEFAULT')).toThrow(/needs a model name/);
  });

  it("pins the CIFAR ResNet files' sha256 where the repository holds them", () => {
    const w = models.CifarResNet20_Weights.DEFAULT;
    expect(createHash('sha256').update(readFileSync(RESNET20)).digest('hex')).toBe(w.meta.sha256);
    expect(w.fileName).toBe('resnet20-12fca82f.th');
    expect(w.meta.categories).toHaveLength(10);
  });
});

describe('transforms() presets', () => {
  const fixture = JSON.parse(readFileSync(join(FIX, 'presets.json'), 'utf8'));
  const { width, height } = fixture;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const v =
          Math.floor((x * x + 3 * y * y) / 97) + 40 * c + Math.floor((x * y) / 50) + ((13 * x + 7 * y + 61 * c) % 23);
        data[(y * width + x) * 3 + c] = v % 256;
      }
  const image: sg.data.Image = { width, height, channels: 3, data };

  type PresetCase = { weights: string; source: string; file: string; shape: number[] };
  const cases = (fixture.cases as PresetCase[]).map((c) => [`${c.weights} on ${c.source}`, c] as [string, PresetCase]);
  it.each(cases)("%s: torchvision's tensor exactly (PIL's resampling, bit for bit)", (_, c) => {
    const w = models.getWeight(c.weights);
    const source = c.source === 'synthetic' ? image : sg.data.readImage(join(__dirname, '..', c.source));
    const out = w.transforms().apply(source) as sg.data.HostTensor;
    expect(out.shape).toEqual(c.shape);
    const want = readFileSync(join(FIX, c.file));
    const plane = c.shape[1] * c.shape[2];
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) {
      const ch = Math.floor(i / plane);
      const level = (out.data[i] * w.preset.std[ch] + w.preset.mean[ch]) * 255;
      worst = Math.max(worst, Math.abs(level - want[i]));
    }
    expect(worst).toBeLessThan(1e-3); // float32 normalisation rounding only
  });
});

describe('the cache directory, as torch.hub', () => {
  it('is $TORCH_HOME/hub/checkpoints, else $XDG_CACHE_HOME/torch/..., else ~/.cache/torch/...', () => {
    expect(models.checkpointsDir({ TORCH_HOME: '/t' })).toBe('/t/hub/checkpoints');
    expect(models.checkpointsDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/torch/hub/checkpoints');
    expect(models.checkpointsDir({})).toBe(join(homedir(), '.cache/torch/hub/checkpoints'));
    expect(models.hashPrefix('alexnet-owt-7be5be79.pth')).toBe('7be5be79');
  });
});

/** A server on 127.0.0.1 serving `routes[path]` (bytes, or a handler). */
function serve(
  routes: Record<string, Uint8Array | ((res: import('node:http').ServerResponse) => void)>,
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route === undefined) return void res.writeHead(404, 'Not Found').end('no');
    if (typeof route === 'function') return route(res);
    res.writeHead(200, { 'content-length': String(route.byteLength) }).end(route);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<string> {
  const { server, base } = await serve({});
  await new Promise((r) => server.close(r));
  return base;
}

describe('downloads into the cache', () => {
  const payload = new Uint8Array(300_000).map((_, i) => (i * 31 + (i >> 7)) & 255);
  const digest = createHash('sha256').update(payload).digest('hex');
  const name = `tiny-${digest.slice(0, 8)}.bin`;
  const corrupt = payload.slice();
  corrupt[1000] ^= 1;
  let server: Server, base: string, dir: string;

  beforeAll(async () => {
    ({ server, base } = await serve({
      [`/${name}`]: payload,
      [`/bad/${name}`]: corrupt,
      [`/cut/${name}`]: (res) => {
        res.writeHead(200, { 'content-length': String(payload.byteLength) });
        // end() half-closes after the queued bytes (a FIN), so the client always sees exactly
        // 100,000 bytes and then the end; destroy() could reset the socket before they arrive.
        res.write(payload.subarray(0, 100_000), () => res.socket?.end());
      },
    }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'sg-weights-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("downloads, verifies the name's hash prefix, renames into place and reports progress", async () => {
    const seen: sg.models.DownloadProgress[] = [];
    const path = await models.cachedFile(`${base}/${name}`, name, { cacheDir: dir, progress: (p) => seen.push(p) });
    expect(path).toBe(join(dir, name));
    expect(new Uint8Array(readFileSync(path))).toEqual(payload);
    expect(readdirSync(dir)).toEqual([name]);
    expect(seen.at(-1)).toMatchObject({ received: payload.byteLength, total: payload.byteLength });
    expect(models.formatProgress({ ...seen.at(-1)!, elapsed: 2, rate: 150_000, eta: 0 })).toBe(
      '100%|████████████████████| 293.0 KiB/293.0 KiB [0:02<0:00, 146.5 KiB/s]',
    );
  });

  const failures: Array<[string, () => Promise<string>, RegExp]> = [
    [
      'a corrupt file (hash mismatch)',
      async () => `${base}/bad/${name}`,
      new RegExp(`sha256 mismatch: the file name says the hash starts with ${digest.slice(0, 8)}`),
    ],
    ['a cut connection', async () => `${base}/cut/${name}`, /connection broke after 100000 bytes of 300000|truncated/],
    ['a 404', async () => `${base}/missing/${name}`, /HTTP 404 Not Found/],
    ['no server', async () => `${await closedPort()}/${name}`, /no connection \(ECONNREFUSED\)/],
  ];
  it.each(failures)('%s: a clear error naming URL and cache path, nothing cached', async (_, url, why) => {
    const u = await url();
    const err = await models.cachedFile(u, name, { cacheDir: dir, progress: false }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`cannot download ${u} to ${join(dir, name)}: `);
    expect((err as Error).message).toMatch(why);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('checkHash: false accepts a file whose hash differs from its name (as torch.hub check_hash=False)', async () => {
    const path = await models.cachedFile(`${base}/bad/${name}`, name, {
      cacheDir: dir,
      progress: false,
      checkHash: false,
    });
    expect(new Uint8Array(readFileSync(path))).toEqual(corrupt);
  });
});

describe('models.get with named weights', () => {
  const saved = { ...process.env };
  let home: string;
  beforeAll(async () => void (await sg.init()));
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'sg-torch-home-'));
    process.env.TORCH_HOME = home;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(home, { recursive: true, force: true });
  });

  /** The model's state as plain arrays, then the model disposed. */
  async function stateOf(model: sg.nn.Module): Promise<number[][]> {
    const out = [];
    for (const t of model.stateDict().values()) out.push(Array.from(await t.data()));
    models.disposeModel(model);
    return out;
  }

  it('reads a file PyTorch left in $TORCH_HOME/hub/checkpoints, with no network', async () => {
    mkdirSync(join(home, 'hub', 'checkpoints'), { recursive: true });
    copyFileSync(RESNET20, join(home, 'hub', 'checkpoints', 'resnet20-12fca82f.th'));
    process.env.SHADERGRAD_WEIGHTS_URL = await closedPort(); // any download would fail
    const before = sg.memory().liveTensors;
    const named = await models.cifar_resnet20({ weights: 'DEFAULT' }); // the builder, as torchvision's
    const direct = await models.get('cifar_resnet20', { weights: RESNET20, stripPrefix: 'module.' });
    expect(await stateOf(named)).toEqual(await stateOf(direct));
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('downloads from SHADERGRAD_WEIGHTS_URL into the cache once, checking the pinned sha256', async () => {
    const file = new Uint8Array(readFileSync(RESNET20));
    let hits = 0;
    const { server, base } = await serve({
      '/mirror/resnet20-12fca82f.th': (res) => {
        hits++;
        res.writeHead(200, { 'content-length': String(file.byteLength) }).end(file);
      },
    });
    try {
      process.env.SHADERGRAD_WEIGHTS_URL = `${base}/mirror/`;
      const w = models.CifarResNet20_Weights.CIFAR10_V1;
      expect(models.downloadUrl(w)).toBe(`${base}/mirror/resnet20-12fca82f.th`);
      const a = await models.get('cifar_resnet20', { weights: w, progress: false });
      const b = await models.get('cifarResnet20', { weights: 'CifarResNet20_Weights.CIFAR10_V1', progress: false });
      expect(hits).toBe(1);
      expect(readdirSync(join(home, 'hub', 'checkpoints'))).toEqual(['resnet20-12fca82f.th']);
      expect(await stateOf(a)).toEqual(await stateOf(b));
    } finally {
      server.close();
    }
  });

  it('refuses a file whose sha256 differs from the pinned one, caching nothing', async () => {
    const file = new Uint8Array(readFileSync(RESNET20));
    file[file.length - 1] ^= 1;
    const { server, base } = await serve({ '/resnet20-12fca82f.th': file });
    try {
      process.env.SHADERGRAD_WEIGHTS_URL = base;
      await expect(models.get('cifar_resnet20', { weights: 'DEFAULT', progress: false })).rejects.toThrow(
        /cannot download .*resnet20-12fca82f\.th to .*hub\/checkpoints\/resnet20-12fca82f\.th: sha256 mismatch: expected 12fca82f0beb/,
      );
      expect(readdirSync(join(home, 'hub', 'checkpoints'))).toEqual([]);
    } finally {
      server.close();
    }
  });

  it.skipIf(!existsSync(DOG))(
    'the CLI: predict --weights DEFAULT uses the cached file, its categories and its preset',
    async () => {
      mkdirSync(join(home, 'hub', 'checkpoints'), { recursive: true });
      copyFileSync(RESNET56, join(home, 'hub', 'checkpoints', 'resnet56-4bfd9763.th'));
      process.env.SHADERGRAD_WEIGHTS_URL = await closedPort();
      const lines: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => void lines.push(a.join(' '));
      try {
        await predictCommand(['--model', 'cifar_resnet56', '--weights', 'DEFAULT', '--top', '2', DOG]);
      } finally {
        console.log = log;
      }
      expect(lines[0]).toBe('dog.jpg:');
      expect(lines[1]).toMatch(/^ +1\. +\d+\.\d\d% {2}dog$/);
    },
  );

  it('builders without weights build synchronously, as before', () => {
    const model = models.resnet18({ numClasses: 3 });
    expect(model).toBeInstanceOf(models.ResNet);
    expect(models.resnet18.name).toBe('resnet18');
    models.disposeModel(model);
  });

  it("resnet18({weights: 'DEFAULT'}) reads resnet18-f37072fd.pth from the cache and gives PyTorch's logits", async () => {
    // The cached file holds the deterministic weights of test/ref/deterministic.ts (as safetensors:
    // formats are detected by content), whose logits PyTorch computed for test/fixtures/models.
    const forward = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'models', 'forward.json'), 'utf8'));
    const c = forward.models.find((m: { name: string }) => m.name === 'resnet18');
    const source = models.resnet18();
    setDeterministic(source);
    mkdirSync(join(home, 'hub', 'checkpoints'), { recursive: true });
    await sg.io.save(join(home, 'hub', 'checkpoints', 'resnet18-f37072fd.pth'), source.stateDict());
    models.disposeModel(source);
    process.env.SHADERGRAD_WEIGHTS_URL = await closedPort();
    const model = (await models.resnet18({ weights: 'DEFAULT' })).eval();
    const x = deterministicInput(c.input);
    const y = sg.noGrad(() => model.forward(x));
    const scale = Math.max(...c.output.map(Math.abs));
    expectClose(await y.data(), c.output, 'resnet18 logits', { rtol: 1e-4, atol: 2e-5 * scale });
    x.dispose();
    y.dispose();
    models.disposeModel(model);
  });

  it("checks numClasses against the weights' categories before any download", async () => {
    await expect(models.get('resnet18', { weights: 'DEFAULT', numClasses: 10 })).rejects.toThrow(
      /numClasses = 10 does not match the 1000 categories of ResNet18_Weights.IMAGENET1K_V1/,
    );
  });
});

describe('the browser path (fetch + Cache Storage), run in Node with a Map-backed CacheStorage', () => {
  const payload = new Uint8Array(50_000).map((_, i) => (i * 7) & 255);
  const name = `b-${createHash('sha256').update(payload).digest('hex').slice(0, 8)}.bin`;
  const stored = new Map<string, Response>();
  const fake = {
    open: async () => ({
      match: async (url: string) => stored.get(url)?.clone(),
      put: async (url: string, r: Response) => void stored.set(url, r),
    }),
  };
  let server: Server, base: string;
  let hits = 0;
  beforeAll(async () => {
    ({ server, base } = await serve({
      [`/${name}`]: (res) => {
        hits++;
        res.writeHead(200, { 'content-length': String(payload.byteLength) }).end(payload);
      },
      [`/bad/${name}`]: payload.map((v) => v ^ 1),
    }));
    (globalThis as { caches?: unknown }).caches = fake;
  });
  afterAll(() => {
    delete (globalThis as { caches?: unknown }).caches;
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('downloads, checks the hash, stores the bytes under the URL and serves them from there next time', async () => {
    const bytes = await cachedBytes(`${base}/${name}`, name, { progress: false });
    expect(bytes).toEqual(payload);
    expect([...stored.keys()]).toEqual([`${base}/${name}`]);
    expect(await cachedBytes(`${base}/${name}`, name)).toEqual(payload);
    expect(hits).toBe(1);
  });

  it('a wrong hash or a 404 is an error naming the URL and the cache, and nothing is stored', async () => {
    const bad = cachedBytes(`${base}/bad/${name}`, name, { progress: false });
    await expect(bad).rejects.toThrow(
      `cannot download ${base}/bad/${name} to Cache Storage '${CACHE_NAME}': sha256 mismatch`,
    );
    await expect(cachedBytes(`${base}/missing/${name}`, name, { progress: false })).rejects.toThrow(/HTTP 404/);
    expect(stored.has(`${base}/bad/${name}`)).toBe(false);
  });
});
