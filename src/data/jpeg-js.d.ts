// Types of jpeg-js's two halves, imported by path (src/data/image.ts) so that bundlers with no
// "main" field resolution (esbuild's neutral platform) find them; the functions are those of 'jpeg-js'.
declare module 'jpeg-js/lib/decoder.js' {
  const decode: typeof import('jpeg-js').decode;
  export default decode;
}
declare module 'jpeg-js/lib/encoder.js' {
  const encode: typeof import('jpeg-js').encode;
  export default encode;
}
