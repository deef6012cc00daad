import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const code = `@group(0) @binding(0) var<storage, read_write> o: array<vec4f>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3u) {
  var a = vec4f(f32(g.x)); var b = a; 
  for (var i = 0u; i < 20000u; i++) { a = fma(a, vec4f(0.9999), vec4f(0.0001)); b = fma(b, vec4f(0.9999), vec4f(0.0002)); }
  o[g.x] = a + b; }`;
const p = device.createComputePipeline({layout:'auto', compute:{module: device.createShaderModule({code}), entryPoint:'main'}});
const buf = device.createBuffer({size: 4*4*65536, usage: GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_SRC});
const rb = device.createBuffer({size: 16, usage: GPUBufferUsage.MAP_READ|GPUBufferUsage.COPY_DST});
const bg = device.createBindGroup({layout: p.getBindGroupLayout(0), entries:[{binding:0, resource:{buffer:buf}}]});
async function run(mode) {
  const t0 = performance.now();
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass(); pass.setPipeline(p); pass.setBindGroup(0,bg); pass.dispatchWorkgroups(256); pass.end();
  enc.copyBufferToBuffer(buf, 0, rb, 0, 16);
  device.queue.submit([enc.finish()]);
  let n = 0;
  const orig = globalThis.setImmediate;
  if (mode === 'timeout') globalThis.setImmediate = (fn, ...a) => { n++; return setTimeout(fn, 1, ...a); };
  else globalThis.setImmediate = (fn, ...a) => { n++; return orig(fn, ...a); };
  await rb.mapAsync(GPUMapMode.READ);
  globalThis.setImmediate = orig;
  const v = new Float32Array(rb.getMappedRange().slice(0)); rb.unmap();
  console.log(mode, (performance.now()-t0).toFixed(1), 'ms ticks', n, v[0]);
}
for (let i=0;i<3;i++){ await run('immediate'); await run('timeout'); }
device.destroy();
