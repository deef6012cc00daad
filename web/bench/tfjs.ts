/**
 * TensorFlow.js's WebGPU backend in the page, on the adapter shadergrad uses: where only a
 * compatibility-mode adapter exists (headless Chromium over lavapipe), its requestAdapter is
 * asked for that feature level and its device gets the adapter's storage-buffer limit, which
 * TensorFlow.js does not request itself (compatibility mode's default is 4 per stage).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type * as tfc from '@tensorflow/tfjs-core';

/** TensorFlow.js with its 'webgpu' backend ready, or the reason it could not start. */
export async function loadTfjsWebGpu(featureLevel: string): Promise<{ tf: typeof tfc | null; failure: string }> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { tf: null, failure: 'no navigator.gpu' };
  if (featureLevel === 'compatibility') {
    const requestAdapter = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = async (options?: GPURequestAdapterOptions) => {
      const adapter = await requestAdapter({ ...options, featureLevel } as GPURequestAdapterOptions);
      if (adapter) {
        const requestDevice = adapter.requestDevice.bind(adapter);
        adapter.requestDevice = (d?: GPUDeviceDescriptor) =>
          requestDevice({
            ...d,
            requiredLimits: {
              ...d?.requiredLimits,
              maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
            },
          });
      }
      return adapter;
    };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('setBackend("webgpu") returned false');
    await tf.ready();
    return { tf: tf as unknown as typeof tfc, failure: '' };
  } catch (e) {
    return { tf: null, failure: (e as Error).message.split('\n')[0] };
  }
}
