/**
 * Whether this browser can run shadergrad, and how: WebGPU present, an adapter at the core
 * feature level or else in compatibility mode (what headless Chromium over a software Vulkan
 * driver offers), and the limits that bound the largest tensors and tiles. When something is
 * missing, a message that says what to enable.
 */

/** An adapter found, its feature level and the limits the kernels depend on; or why not. */
export type WebGpuCheck =
  | {
      ok: true;
      /** The feature level to request (what sg.init is given). */
      featureLevel: 'core' | 'compatibility';
      adapter: string;
      limits: Record<string, number>;
    }
  | { ok: false; message: string };

/** The limits shown on both pages: they bound buffer sizes (tensors) and workgroup tiles. */
export const SHOWN_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

const ENABLE =
  'WebGPU is not available in this browser. Use Chrome or Edge 113+ (on Linux: enable chrome://flags/#enable-unsafe-webgpu and ' +
  'chrome://flags/#enable-vulkan, or start with --enable-unsafe-webgpu --enable-features=Vulkan), Firefox 141+ on Windows, or Safari 26; ' +
  'the page must be served over https or from localhost (a secure context).';

/** A software fallback adapter (SwiftShader), which a compatibility-mode hardware or driver adapter beats. */
const isFallback = (a: GPUAdapter) =>
  (a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
  /swiftshader/i.test(`${a.info.description} ${a.info.vendor} ${a.info.architecture}`);

/**
 * Asks for an adapter at the core feature level; where there is none, or only a software fallback
 * (headless Chromium offers SwiftShader at core and lavapipe only in compatibility mode), asks in
 * compatibility mode and takes that adapter unless it is a fallback too. `?featureLevel=core` or
 * `compatibility` in the page's URL forces one.
 */
export async function checkWebGpu(
  gpu: GPU | undefined = (navigator as Navigator & { gpu?: GPU }).gpu,
  forced = new URLSearchParams(location.search).get('featureLevel'),
): Promise<WebGpuCheck> {
  if (!gpu) return { ok: false, message: isSecureContext ? ENABLE : `This page is not a secure context. ${ENABLE}` };
  const ask = (featureLevel: string) =>
    gpu.requestAdapter({ featureLevel } as GPURequestAdapterOptions).catch(() => null);
  const levels = forced === 'core' || forced === 'compatibility' ? [forced] : ['core', 'compatibility'];
  let chosen: { adapter: GPUAdapter; featureLevel: string } | null = null;
  for (const featureLevel of levels) {
    const adapter = await ask(featureLevel);
    if (adapter && (!chosen || (isFallback(chosen.adapter) && !isFallback(adapter))))
      chosen = { adapter, featureLevel };
    if (chosen && !isFallback(chosen.adapter)) break;
  }
  if (!chosen)
    return {
      ok: false,
      message:
        'WebGPU is present but no adapter was found (not even in compatibility mode). The GPU may be blocklisted: try ' +
        'chrome://flags/#enable-unsafe-webgpu and #ignore-gpu-blocklist, update the graphics driver, or check chrome://gpu.',
    };
  const { adapter, featureLevel } = chosen;
  const limits: Record<string, number> = {};
  for (const k of SHOWN_LIMITS) limits[k] = (adapter.limits as unknown as Record<string, number>)[k];
  const info = adapter.info;
  const name = info?.description || info?.device || info?.vendor || 'unknown adapter';
  return { ok: true, featureLevel: featureLevel as 'core' | 'compatibility', adapter: name, limits };
}

/** One line listing the limits, in MiB where they are byte counts. */
export function formatLimits(limits: Record<string, number>): string {
  return Object.entries(limits)
    .map(([k, v]) => `${k} ${/Size$/.test(k) && v >= 2 ** 20 ? `${(v / 2 ** 20).toFixed(0)} MiB` : v}`)
    .join(', ');
}
