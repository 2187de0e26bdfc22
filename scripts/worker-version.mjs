// Part of the post-build hook (post-build.mjs): puts a hash of the worker's files on boot.js's
// <script> tag (boot.js puts it on the worker's URL) and on boot.js's own URL, so that after an
// update a browser never runs a stale worker from its cache: trunk hashes the page's own files but
// not the worker's names.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";

export async function stampWorkerVersion(dir) {
  const hash = createHash("sha256");
  for (const name of ["boot.js", "worker-loader.js", "vae-worker.js", "vae-worker_bg.wasm"]) {
    hash.update(await readFile(join(dir, name)));
  }
  const version = hash.digest("hex").slice(0, 16);
  const file = join(dir, "index.html");
  const html = await readFile(file, "utf8");
  const tag = '<script src="boot.js"></script>';
  if (!html.includes(tag)) throw new Error(`worker-version.mjs: ${tag} not found in index.html`);
  const stamped = `<script src="boot.js?v=${version}" data-version="${version}"></script>`;
  await writeFile(file, html.replace(tag, stamped));
  console.log(`worker-version.mjs: worker files ${version}`);
}
