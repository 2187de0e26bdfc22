// trunk post_build hook: puts a hash of the worker's files on boot.js's <script> tag (boot.js puts
// it on the worker's URL) and on boot.js's own URL, so that after an update a browser never runs a
// stale worker from its cache: trunk hashes the page's own files but not the worker's names.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("worker-version.mjs runs as trunk's post_build hook (TRUNK_STAGING_DIR is not set)");
const hash = createHash("sha256");
for (const name of ["boot.js", "worker-loader.js", "vae-worker.js", "vae-worker_bg.wasm"]) {
  hash.update(await readFile(join(dir, name)));
}
const version = hash.digest("hex").slice(0, 16);
const file = join(dir, "index.html");
const html = await readFile(file, "utf8");
const tag = '<script src="boot.js"></script>';
if (!html.includes(tag)) throw new Error(`worker-version.mjs: ${tag} not found in index.html`);
await writeFile(file, html.replace(tag, `<script src="boot.js?v=${version}" data-version="${version}"></script>`));
console.log(`worker-version.mjs: worker files ${version}`);
