import * as sg from './src/index.js';
import { gpuDevice } from './src/gpu/device.js';
await sg.init({ dawnFlags: [process.argv[2] ?? ''] });
const dev = gpuDevice();
const qs = dev.createQuerySet({ type: 'timestamp', count: 8 });
const resolve = dev.createBuffer({ size: 64, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
const read = dev.createBuffer({ size: 64, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const enc = dev.createCommandEncoder();
for (let i = 0; i < 4; i++) {
  const p = enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2*i, endOfPassWriteIndex: 2*i+1 } });
  p.end();
}
enc.resolveQuerySet(qs, 0, 8, resolve, 0);
enc.copyBufferToBuffer(resolve, 0, read, 0, 64);
dev.queue.submit([enc.finish()]);
await read.mapAsync(GPUMapMode.READ);
console.log(new BigUint64Array(read.getMappedRange().slice(0)));
await sg.shutdown();
