// Starts the training worker and the shipped downloads while the HTML is still being read, before
// the page's own wasm has loaded, so that the first pictures come sooner. The Rust page takes
// them over (vaeBoot.take) and starts any later worker the same way (vaeBoot.startWorker); what
// the first worker says before the page listens is kept and said again (vaeBoot.replay).
(function () {
  // A hash of the worker's files, stamped by scripts/worker-version.mjs: on the worker's URL, it
  // keeps a browser from running a stale worker after an update (trunk does not hash its names).
  const version = document.currentScript.dataset.version;
  const startWorker = () => new Worker("./worker-loader.js" + (version ? "?v=" + version : ""));
  // The same files as app.rs's MNIST_IMAGES, MNIST_LABELS and PRETRAINED.
  const FILES = [
    "assets/data/mnist10k-images-idx3-ubyte.gz",
    "assets/data/mnist10k-labels-idx1-ubyte.gz",
    "assets/pretrained-mnist.vae",
  ];
  const worker = startWorker();
  const downloads = FILES.map((url) => fetch(url));
  const TYPES = ["message", "messageerror", "error"];
  const early = [];
  const keep = (e) => early.push(e);
  for (const type of TYPES) worker.addEventListener(type, keep);
  self.vaeBoot = {
    startWorker,
    // The first worker and its downloads [images, labels, weights], for the page's start.
    take: () => ({ worker, downloads }),
    // Once the page listens to the first worker: what it said meanwhile, as fresh events.
    replay() {
      for (const type of TYPES) worker.removeEventListener(type, keep);
      for (const e of early.splice(0)) {
        worker.dispatchEvent(
          e.type === "message" ? new MessageEvent("message", { data: e.data })
          : e instanceof ErrorEvent ? new ErrorEvent("error", { message: e.message })
          : new Event(e.type));
      }
    },
  };
})();
