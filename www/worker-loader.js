// Starts the training worker. The page passes its build id as ?v=…; forwarding it busts caches of
// the unhashed worker files (trunk does not hash worker names).
const version = self.location.search;
importScripts("./vae-worker.js" + version);
wasm_bindgen({ module_or_path: "./vae-worker_bg.wasm" + version });
