// The page's one saved model, in IndexedDB: the worker's latest weights, the settings that made
// them, their step count and loss history. The Rust page calls window.vaeSaved; every call
// returns a promise and rejects with a readable message when storage is full or forbidden.
(function () {
  const DB = "vae-lab", STORE = "models", KEY = "latest";
  function open() {
    return new Promise((resolve, reject) => {
      if (!self.indexedDB) return reject(new Error("this browser keeps no storage for pages (private mode?)"));
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error || new Error("storage could not be opened"));
    });
  }
  function run(mode, use) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = use(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request.result); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error || new Error("storage refused the write")); };
    }));
  }
  self.vaeSaved = {
    put: (record) => run("readwrite", (store) => store.put(record, KEY)),
    get: () => run("readonly", (store) => store.get(KEY)).catch(() => undefined),
    clear: () => run("readwrite", (store) => store.delete(KEY)),
  };
})();
