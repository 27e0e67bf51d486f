// Module types the Workers bundler gives (wrangler.toml's rules; `tglite bundle` does the same).
declare module '*.tflite' {
  const bytes: ArrayBuffer;
  export default bytes;
}
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
