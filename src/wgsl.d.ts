// Shaders are bundled as text: esbuild's `text` loader in the build, a small plugin in vitest.
declare module '*.wgsl' {
  const source: string;
  export default source;
}
