// Shared by the browser tests: a static server over dist/ (the release build, as any static host
// would serve it) and Debian's Chromium driven by playwright-core.
import { createServer } from "node:http";
import { readFile, mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname, normalize, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
// VAE_DIST serves another build (say, a backend experiment) with the same tests and benchmark.
export const DIST = process.env.VAE_DIST ?? join(here, "..", "dist");
export const OUTPUT = join(here, "output");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css",
  ".gz": "application/gzip", ".vae": "application/octet-stream", ".png": "image/png" };

/** Serves dist/ (or `dist`) under /lab/ (a sub-path, as on a real static host) on a free
 * loopback port; requests whose URL matches `refuse` get a 404 (a host that lacks a file). */
export async function serve({ refuse, dist = DIST } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith("/lab/") || refuse?.test(req.url)) { res.writeHead(404); return res.end(); }
    const rel = normalize(path.slice("/lab/".length) || "index.html").replace(/^(\.\.[/\\])+/, "");
    try {
      const body = await readFile(join(dist, rel.endsWith("/") || rel === "." ? "index.html" : rel));
      res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream" });
      res.end(body);
    } catch { res.writeHead(404); res.end(); }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}/lab/`, close: () => server.close() };
}

export async function launch() {
  const userDataDir = await mkdtemp(join(tmpdir(), "vae-lab-chromium-"));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/** VAE_WORKERS=2 runs every test with that many training workers (scripts/test.sh runs the
 * suite with the default and with 2); a link that names its own count keeps it. */
export function withWorkers(query) {
  const workers = process.env.VAE_WORKERS;
  if (!workers || query.includes("workers=")) return query;
  const [search, hash] = query.split("#");
  return `${search}${search ? "&" : "?"}workers=${workers}${hash === undefined ? "" : "#" + hash}`;
}

/** Opens the page and waits until it can train. Collects console errors. Each load starts with
 * no model kept from an earlier test (the page would continue it), unless `keepSaved`. */
export async function openLab(context, baseUrl, query = "", { keepSaved = false } = {}) {
  const page = await context.newPage();
  if (!keepSaved) await page.addInitScript(() => indexedDB.deleteDatabase("vae-lab"));
  // Any Content-Security-Policy violation is a console error, so the tests that check for none fail.
  await page.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(baseUrl + withWorkers(query));
  await page.waitForFunction(() => !document.querySelector("#train").disabled, null, { timeout: 30_000 });
  return { page, errors };
}

export const status = (page) => page.$eval("#status", (s) => ({
  step: Number(s.dataset.step), epoch: Number(s.dataset.epoch),
  train: parseFloat(s.dataset.trainLoss), test: parseFloat(s.dataset.testLoss),
}));

/** `count` single steps (the Step button), each waited for, so that runs stop at the same step (a
 * training slice ends wherever its 40 ms do). Driven inside the page: one round trip from the
 * test per run, not two per step (200 steps took 18 s that way). */
export const singleSteps = (page, count, timeout = 60_000) => page.evaluate(async ([count, timeout]) => {
  const status = document.querySelector("#status"), button = document.querySelector("#step");
  const end = Date.now() + timeout;
  const start = Number(status.dataset.step);
  for (let i = 1; i <= count; i++) {
    button.click();
    while (Number(status.dataset.step) !== start + i) {
      if (Date.now() > end) throw new Error(`step ${start + i} did not come (status at ${status.dataset.step})`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}, [count, timeout]);

/** A fingerprint of a canvas's pixels, and how many of them are not black. */
export const canvasStats = (page, id) => page.$eval(id, (c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let hash = 0, lit = 0;
  for (let i = 0; i < d.length; i += 4) { hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0; if (d[i] + d[i + 1] + d[i + 2] > 30) lit++; }
  return { hash, lit, pixels: d.length / 4 };
});

/** Waits until the canvas's pixels differ from the fingerprint `hash` (from canvasStats). */
export const canvasChanged = (page, id, hash, timeout = 10_000) => page.waitForFunction(([id, h]) => {
  const c = document.querySelector(id);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let hash = 0;
  for (let i = 0; i < d.length; i += 4) hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
  return hash !== h;
}, [id, hash], { timeout, polling: 100 });

export async function screenshot(page, name) {
  await mkdir(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, name), fullPage: false });
}

/** The worker's own ms/step (the status line's data attribute), sampled every 400 ms for
 * `seconds` while the page trains (the benchmarks' one way of reading it). */
export async function stepTimes(page, seconds) {
  const times = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await page.waitForTimeout(400);
    const ms = Number(await page.getAttribute("#status", "data-ms-per-step"));
    if (ms > 0) times.push(ms);
  }
  return times;
}
