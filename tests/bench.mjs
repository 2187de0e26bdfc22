// Benchmark (not a test): the release page in headless Chromium. Prints one table of ms per train
// step with 1 and 2 training workers for the reference MLP (batch 128) and the conditional conv
// VAE on colour shapes (batch 32); one slider decode's round trip, load → first samples, the page
// weight, the worker's memory over time, and the step time with each section open against no
// view at all (a hidden page).   node bench.mjs [--minutes N] [--section-seconds S]
// The training phase is also the soak: a slider moves every second and the open section changes
// every minute; it reports memory growth, errors, and how steady the step time stays.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { serve, launch, openLab, stepTimes, DIST } from "./support.mjs";

const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const minutes = arg("--minutes", 1);
const sectionSeconds = arg("--section-seconds", 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function pageWeight() {
  let code = 0, data = 0, raw = 0;
  async function walk(dir) {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if ((await stat(path)).isDirectory()) { await walk(path); continue; }
      const bytes = await readFile(path);
      const gz = name.endsWith(".gz") ? bytes.length : gzipSync(bytes, { level: 9 }).length;
      if (path.includes("/assets/")) data += gz; else { code += gz; raw += bytes.length; }
    }
  }
  await walk(DIST);
  return { code, raw, data };
}

const server = await serve();
const context = await launch();
// Load → first samples varies by ~0.1 s from one load to the next: five fresh loads, the median.
const firstLoads = [];
for (let i = 0; i < 5; i++) {
  const { page } = await openLab(context, server.url);
  await page.waitForFunction(() => document.querySelector("#samples").hasAttribute("data-first-ms"), null, { timeout: 30_000 });
  firstLoads.push(Number(await page.getAttribute("#samples", "data-first-ms")));
  await page.close();
}
const { page, errors } = await openLab(context, server.url);
await page.waitForFunction(() => document.querySelector("#info").textContent.includes("pretrained"), null, { timeout: 30_000 });

// Slider decodes, one at a time, while idle.
const decodes = [];
for (let i = 0; i < 60; i++) {
  await page.$eval("#z-0", (s, v) => {
    document.querySelector("#decoded").removeAttribute("data-decode-ms");
    s.value = String(v);
    s.dispatchEvent(new Event("input"));
  }, -3 + (i % 12) * 0.5);
  await page.waitForFunction(() => document.querySelector("#decoded").hasAttribute("data-decode-ms"), null, { polling: "raf" });
  decodes.push(Number(await page.getAttribute("#decoded", "data-decode-ms")));
}

// Training: sample the worker's own step time and its memory, while a student moves a slider
// every second and opens another section every minute.
await page.click("#reset");
await page.click("#train");
const steps = [], memory = [];
const started = Date.now();
const SECTIONS = ["train", "latent", "dimensions", "compare"];
let tick = 0;
while (Date.now() - started < minutes * 60_000) {
  await page.waitForTimeout(500);
  tick++;
  const at = (Date.now() - started) / 60_000;
  if (tick % 2 === 0) {
    await page.$eval("#latent-sliders", (box, v) => {
      const sliders = box.querySelectorAll("input");
      const s = sliders[Math.floor(Math.random() * sliders.length)];
      s.value = String(v);
      s.dispatchEvent(new Event("input", { bubbles: true }));
    }, (Math.random() * 6 - 3).toFixed(2));
  }
  if (tick % 120 === 0) await page.click(`#tab-${SECTIONS[(tick / 120) % SECTIONS.length]}`);
  const ms = Number(await page.getAttribute("#status", "data-ms-per-step"));
  if (ms > 0) steps.push({ at, ms });
  memory.push({ at, bytes: Number(await page.getAttribute("#status", "data-memory-bytes")) });
}
const step = await page.getAttribute("#status", "data-step");
const soakErrors = [...errors, await page.textContent("#error")].filter((e) => e.trim() !== "");
await page.click("#tab-train");

// The cost of the views: ms/step with each section open, and with none (the page hidden).
async function stepTimeFor(seconds) {
  await page.waitForTimeout(1500); // the previous section's views settle
  return median(await stepTimes(page, seconds));
}
const setHidden = (hidden) => page.evaluate((hidden) => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  document.dispatchEvent(new Event("visibilitychange"));
}, hidden);
const sectionTimes = [];
await setHidden(true);
const none = await stepTimeFor(sectionSeconds);
await setHidden(false);
for (const section of ["train", "latent", "dimensions", "compare"]) {
  await page.click(`#tab-${section}`);
  sectionTimes.push([section, await stepTimeFor(sectionSeconds)]);
}
// Steadiness: each whole minute's median step time against the whole run's.
const overall = median(steps.map((s) => s.ms));
const perMinute = [];
for (let m = 0; m < Math.floor(minutes); m++) {
  const inMinute = steps.filter((s) => s.at >= m && s.at < m + 1).map((s) => s.ms);
  if (inMinute.length) perMinute.push(median(inMinute));
}
const spread = Math.max(...perMinute.map((ms) => Math.abs(ms / overall - 1)));
const memAt = (m) => memory.reduce((best, x) => (Math.abs(x.at - m) < Math.abs(best.at - m) ? x : best)).bytes;
const soakWorkers = await page.getAttribute("#status", "data-workers");
await page.close();

// ms/step by worker count and model, each on a fresh page and fresh weights: the median of the
// worker's own figure, and the wall clock's (steps counted over the same seconds, so the
// held-out evaluations and the views are in it).
async function trainingSpeed(query, seconds) {
  const { page } = await openLab(context, server.url, query);
  await page.click("#reset");
  await page.click("#train");
  await page.waitForTimeout(3000); // compiled, warm, helpers started
  const steps0 = Number(await page.getAttribute("#status", "data-step")), t0 = Date.now();
  const times = await stepTimes(page, seconds);
  const wall = (Date.now() - t0) / (Number(await page.getAttribute("#status", "data-step")) - steps0);
  const workers = await page.getAttribute("#status", "data-workers");
  await page.close();
  return { ms: median(times), wall, workers };
}
const MODELS = [
  ["reference MLP 784-400-20, batch 128", ""],
  ["conditional conv VAE, colour shapes, batch 32", "&dataset=colour-shapes&arch=conv&cvae=1&batch=32"],
];
const table = [];
for (const [name, query] of MODELS) {
  const row = [name];
  for (const workers of [1, 2]) row.push(await trainingSpeed(`?workers=${workers}${query}`, sectionSeconds));
  table.push(row);
}
const weight = await pageWeight();
const mb = (b) => (b / 1048576).toFixed(2) + " MB";
const cell = (r) => `${r.ms.toFixed(1)} (${r.wall.toFixed(1)})`.padEnd(16);
console.log(`ms per train step in the worker, median of its own figure (wall clock, with views and evaluations), ${sectionSeconds} s each:`);
console.log(`  ${"".padEnd(48)}${"1 worker".padEnd(16)}2 workers`);
for (const [name, one, two] of table) {
  console.log(`  ${name.padEnd(48)}${cell(one)}${cell(two)}${two.workers === "2" ? "" : `(only ${two.workers} worker ran)`}`);
}
console.log(`worker train step during the soak (workers=auto: ${soakWorkers} here), reference MLP, batch 128: ${overall.toFixed(1)} ms (median of ${steps.length} slices, ${step} steps)`);
console.log(`training throughput during the soak: ${(128000 / overall).toFixed(0)} images/s`);
console.log(`slider decode round trip (page → worker → canvas): ${median(decodes).toFixed(2)} ms (median of ${decodes.length})`);
console.log(`load → first samples drawn: ${median(firstLoads).toFixed(0)} ms (median of ${firstLoads.length} loads; ${Math.min(...firstLoads).toFixed(0)}–${Math.max(...firstLoads).toFixed(0)})`);
console.log(`page code (HTML, CSS, JS, UI + worker wasm), gzip: ${mb(weight.code)} (raw ${mb(weight.raw)}); data + pretrained weights: ${mb(weight.data)}`);
console.log(`views' cost (ms/step, median over ${sectionSeconds} s each): no view (hidden page) ${none.toFixed(1)} · ` +
  sectionTimes.map(([s, ms]) => `${s} ${ms.toFixed(1)} (${(100 * (ms / none - 1)).toFixed(1)} %)`).join(" · "));
const growth = 100 * (memAt(minutes) / memAt(Math.min(1, minutes)) - 1);
console.log(`worker memory: ${mb(memAt(Math.min(1, minutes)))} after ${Math.min(1, minutes)} min, ${mb(memAt(minutes))} after ${minutes} min (${growth.toFixed(1)} %)`);
console.log(`soak (a slider moved every second, the section changed every minute): ` +
  `per-minute median step ${perMinute.map((ms) => ms.toFixed(1)).join(" ")} ms, largest departure from the run's median ${(100 * spread).toFixed(1)} %; ` +
  `errors: ${soakErrors.length ? soakErrors.join(" | ") : "none"}`);
await context.close();
server.close();
