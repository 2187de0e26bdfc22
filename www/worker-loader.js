// Starts a worker: the training worker, or (role=helper) a helper of data-parallel training,
// started by the training worker. The page passes its build id as ?v=…; forwarding it busts
// caches of the unhashed worker files (trunk does not hash worker names). The role is left out
// of the files' URLs, so helpers load the very files the training worker did, from the cache.
const params = new URLSearchParams(self.location.search);
params.delete("role");
const version = params.size ? "?" + params : "";
importScripts("./vae-worker.js" + version);
wasm_bindgen({ module_or_path: "./vae-worker_bg.wasm" + version });
