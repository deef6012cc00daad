/** `.wasm` files bundled by esbuild's binary loader (the browser build): their bytes. */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
