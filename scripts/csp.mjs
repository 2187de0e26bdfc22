// Part of the post-build hook (post-build.mjs): gives the built page a strict
// Content-Security-Policy. Nothing but the page's own origin; wasm may compile
// ('wasm-unsafe-eval'); the one inline script trunk writes (its module loader) runs by its hash.
// A static host needs no headers for this.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";

export async function addCsp(dir) {
  const file = join(dir, "index.html");
  let html = await readFile(file, "utf8");
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map(([, body]) => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  html = html.replace(/<head>/, `<head>\n  <meta http-equiv="Content-Security-Policy" content="${policy}">`);
  await writeFile(file, html);
  console.log(`csp.mjs: ${hashes.length} inline script(s) allowed by hash`);
}
