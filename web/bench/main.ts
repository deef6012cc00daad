/**
 * The benchmark page (web/bench.html): the kernel benchmarks of `npm run bench` on this
 * browser's adapter, beside TensorFlow.js's WebGPU backend on the same work, each figure linked
 * to the WGSL file that ran, and a table to copy. `?auto=1` starts a quick pass on load; the
 * state is published as `window.shadergradBench` for tests and automation.
 */
import * as sg from '../../src/index.js';
import { useTfjs } from '../../bench/tfjs_peer.js';
import { checkWebGpu, formatLimits } from '../common/webgpu.js';
import { loadShaderIndex, shaderPath } from './shader_links.js';
import { type BenchRow, runSuite } from './suite.js';
import { loadTfjsWebGpu } from './tfjs.js';

/** What tests and automation read: `window.shadergradBench`. */
interface BenchState {
  status: 'running' | 'done' | 'error';
  message?: string;
  adapter: string;
  /** 'timed' when this load timed the matmul versions, 'cache' when it reused this browser's earlier choice. */
  matmulTuning?: string | null;
  rows: Array<{ name: string; value: number; unit: string }>;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
// 'running' from the start: the page is busy finding the adapter and tuning the matmul kernel.
const state: BenchState = { status: 'running', adapter: '', rows: [] };
const all: BenchRow[] = [];

function publish(patch: Partial<BenchState>): void {
  Object.assign(state, patch);
  (window as unknown as { shadergradBench: BenchState }).shadergradBench = state;
}

const fmt = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(2)) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');

function addRow(r: BenchRow): void {
  all.push(r);
  state.rows.push({ name: r.name, value: r.value, unit: r.unit });
  if (Number.isFinite(r.tfjs))
    state.rows.push({ name: `${r.name} (TensorFlow.js WebGPU)`, value: r.tfjs, unit: r.unit });
  const tr = $<HTMLTableElement>('results').tBodies[0].insertRow();
  const cells = [
    r.section,
    r.name,
    fmt(r.value),
    r.unit,
    pct(r.share),
    fmt(r.tfjs),
    Number.isFinite(r.tfjs) ? `${(r.value / r.tfjs).toFixed(2)}x` : '-',
  ];
  for (const c of cells) tr.insertCell().textContent = c;
  const link = tr.insertCell();
  const path = r.kernel && shaderPath(r.kernel.source);
  if (r.kernel && path) {
    const a = document.createElement('a');
    a.href = path;
    a.target = '_blank';
    a.className = 'wgsl';
    a.textContent = path.replace(/^shaders\//, '');
    a.title = r.kernel.label;
    link.append(a);
  } else link.textContent = r.kernel?.label ?? '';
  tr.insertCell().textContent = r.detail ?? '';
  $<HTMLTextAreaElement>('copy').value = asText();
}

/** The table as tab-separated text (pastes into spreadsheets; the adapter first). */
function asText(): string {
  const head = [
    'section',
    'benchmark',
    'shadergrad',
    'unit',
    'share of probe',
    'TensorFlow.js',
    'ratio',
    'kernel',
    'detail',
  ];
  const lines = all.map((r) =>
    [
      r.section,
      r.name,
      fmt(r.value),
      r.unit,
      pct(r.share),
      fmt(r.tfjs),
      Number.isFinite(r.tfjs) ? (r.value / r.tfjs).toFixed(2) : '-',
      (r.kernel && shaderPath(r.kernel.source)) ?? '',
      r.detail ?? '',
    ].join('\t'),
  );
  return [`# ${state.adapter}; ${navigator.userAgent}`, head.join('\t'), ...lines].join('\n');
}

async function run(quick: boolean, featureLevel: string): Promise<void> {
  $<HTMLButtonElement>('run-quick').disabled = $<HTMLButtonElement>('run-full').disabled = true;
  all.length = 0;
  $<HTMLTableElement>('results').tBodies[0].replaceChildren();
  publish({ status: 'running', rows: [], message: undefined });
  try {
    const peer = await loadTfjsWebGpu(featureLevel);
    if (peer.tf) useTfjs(peer.tf);
    $('tfjs').textContent = peer.tf
      ? `TensorFlow.js ${peer.tf.version_core} (webgpu backend)`
      : `TensorFlow.js could not run: ${peer.failure}`;
    await runSuite({
      quick,
      tf: peer.tf,
      onRow: addRow,
      onStatus: (s) => ($('status').textContent = `running: ${s}…`),
    });
    $('status').textContent = `done (${quick ? 'quick pass' : 'full pass'})`;
    publish({ status: 'done' });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    $('status').textContent = `error: ${message}`;
    publish({ status: 'error', message });
  } finally {
    $<HTMLButtonElement>('run-quick').disabled = $<HTMLButtonElement>('run-full').disabled = false;
  }
}

async function main(): Promise<void> {
  publish({});
  const check = await checkWebGpu();
  if (!check.ok) {
    $('error').textContent = check.message;
    $('error').hidden = false;
    return publish({ status: 'error', message: check.message });
  }
  const info = await sg.init({ adapter: { featureLevel: check.featureLevel } as GPURequestAdapterOptions });
  publish({ adapter: info.adapterName, matmulTuning: sg.matmulTuning()?.source ?? null });
  $('adapter').textContent =
    `${info.adapterName} (${check.featureLevel === 'core' ? 'WebGPU' : 'WebGPU compatibility mode'}; backend ${info.backend || '-'}); matmul kernel chosen for it: ${sg.chosenMatmulVersion()} (${sg.matmulTuning()?.source === 'cache' ? 'remembered by this browser' : 'timed now'})`;
  $('limits').textContent = formatLimits(check.limits);
  $('features').textContent = info.features.join(', ') || 'none';
  await loadShaderIndex();
  $('run-quick').onclick = () => void run(true, check.featureLevel);
  $('run-full').onclick = () => void run(false, check.featureLevel);
  $('copy-button').onclick = () => void navigator.clipboard?.writeText(asText());
  if (new URLSearchParams(location.search).get('auto') === '1') await run(true, check.featureLevel);
  else publish({ status: 'done' });
}

main().catch((e) => {
  const message = e instanceof Error ? e.message : String(e);
  $('error').textContent = message;
  $('error').hidden = false;
  publish({ status: 'error', message });
});
