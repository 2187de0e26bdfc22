// What a VAE is for, in the "Uses" section, as a student uses it: completion, anomaly detection,
// style transfer and exported data, in headless Chromium against the release build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serve, launch, openLab, status, canvasStats, screenshot } from "./support.mjs";

let server, context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });
const pretrained = (page) => until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
const drawn = (page, id, timeout) => until(page, (id) => !document.querySelector(id).hasAttribute("data-empty"), id, timeout);

/** Clicks `selector` and returns the downloaded file's name and bytes. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), page.click(selector)]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

test("completion fills a hidden half with several chains and reports its error against the mean image", async () => {
  const { page, errors } = await openLab(context, server.url, "#apply");
  await pretrained(page);
  await page.fill("#completion-index", "3");
  await page.selectOption("#mask-preset", "top-half");
  await page.click("#complete");
  await until(page, () => document.querySelector("#completion-error").hasAttribute("data-error"));
  const [error, meanFill] = await page.$eval("#completion-error", (e) => [Number(e.dataset.error), Number(e.dataset.meanFillError)]);
  assert.ok(error > 0 && meanFill > 0, `${error} ${meanFill}`);
  assert.match(await page.textContent("#completion-error"), /N = 20 rounds.*8 chains/);
  const picture = await canvasStats(page, "#completion");
  assert.ok(picture.lit > 1000, `the strip of completions is drawn (${picture.lit} lit pixels)`);
  // The student's own mask: paint a band across the middle, then complete.
  await page.selectOption("#mask-preset", "paint");
  const box = await page.locator("#mask-paint").boundingBox();
  await page.mouse.move(box.x + 10, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2, { steps: 20 });
  await page.mouse.up();
  await page.$eval("#completion-error", (e) => e.removeAttribute("data-error"));
  await page.click("#complete");
  await until(page, () => document.querySelector("#completion-error").hasAttribute("data-error"));
  // Nothing painted: a message, and the button works again.
  await page.click("#mask-clear");
  await page.click("#complete");
  await until(page, () => /nothing is hidden/.test(document.querySelector("#error").textContent));
  assert.ok(!(await page.isDisabled("#complete")));
  await screenshot(page, "section-apply.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("anomaly scores: a histogram with a draggable threshold, and a left-out class found by its AUC", async () => {
  const { page, errors } = await openLab(context, server.url, "#apply");
  await pretrained(page);
  await drawn(page, "#anomaly-histogram");
  assert.match(await page.textContent("#anomaly-verdict"), /1\.\d % of the held-out images score above/);
  assert.equal(await page.getAttribute("#anomaly-auc", "data-auc"), null, "no class left out, no AUC");
  // A picture of one's own is scored against the threshold, in words.
  await page.setInputFiles("#score-file", import.meta.dirname + "/fixtures/images/ring/ring-2.png");
  await until(page, () => /Your drawing \(★\) scores [\d.]+ nats, (above|below) the threshold/.test(document.querySelector("#anomaly-verdict").textContent));
  // Dragging the threshold to its left end flags (nearly) everything.
  await page.$eval("#anomaly-threshold", (s) => { s.value = s.min; s.dispatchEvent(new Event("input")); });
  assert.match(await page.textContent("#anomaly-verdict"), /^(99|100)\.\d %/);
  // The experiment: a small model that never sees a 0, trained briefly.
  await page.goto(server.url + "?latent=4&hidden=64&batch=64&lr=0.003&leaveout=0#apply");
  await until(page, () => !document.querySelector("#train").disabled);
  assert.equal(await page.inputValue("#leave-out"), "0");
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) >= 600, null, 90_000);
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#anomaly-auc").dataset.auc) > 0, null, 10_000);
  // The scores shown are of the paused model.
  await page.waitForTimeout(3500);
  const auc = Number(await page.getAttribute("#anomaly-auc", "data-auc"));
  assert.ok(auc > 0.8, `the left-out class scores above the rest: AUC ${auc}`);
  assert.match(await page.textContent("#anomaly-auc"), /Class 0 was left out/);
  await screenshot(page, "anomaly-leave-out.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("style transfer asks for a conditional model, then draws one style in every class", async () => {
  const { page, errors } = await openLab(context, server.url, "?latent=2&hidden=128&batch=64&lr=0.003#apply");
  await until(page, () => document.querySelector("#style-transfer").dataset.empty?.includes("conditional VAE"));
  assert.ok(await page.isVisible("#make-conditional"));
  await page.click("#make-conditional");
  await until(page, () => document.querySelector("#info").textContent.includes("conditioned on the class"));
  assert.ok(!(await page.isVisible("#make-conditional")));
  assert.equal(await page.isChecked("#conditional"), true, "the settings say so too");
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) >= 300, null, 60_000);
  await page.click("#train");
  await drawn(page, "#style-transfer");
  const { width, height } = await page.$eval("#style-transfer", (c) => ({ width: c.clientWidth, height: c.clientHeight }));
  assert.ok(Math.abs(width / height - (11 * 28 + 20) / (6 * 28 + 10)) < 0.05, "6 rows of the image and its 10 classes");
  await screenshot(page, "style-transfer.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("exported samples download as IDX files that the page reads back, a PNG sheet and a loss CSV", async () => {
  const { page, errors } = await openLab(context, server.url, "#apply");
  await pretrained(page);
  await page.fill("#export-count", "50");
  const idx = await download(page, "#export-idx");
  assert.match(idx.name, /^vae-samples-mnist-z20-T1-n50-step\d+-images\.idx$/);
  assert.deepEqual([...idx.bytes.subarray(0, 4)], [0, 0, 8, 3]);
  assert.deepEqual([idx.bytes.readUInt32BE(4), idx.bytes.readUInt32BE(8), idx.bytes.readUInt32BE(12)], [50, 28, 28]);
  assert.equal(idx.bytes.length, 16 + 50 * 784);
  const png = await download(page, "#export-png");
  assert.match(png.name, /^vae-samples-mnist-z20-T1-n50-step\d+-sheet\.png$/);
  assert.deepEqual([...png.bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG");
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [8 * 28, 7 * 28], "50 samples on an 8-wide sheet");
  await page.click("#tab-train");
  await page.click("#step");
  await until(page, () => Number(document.querySelector("#status").dataset.step) > 0);
  await page.click("#tab-apply");
  const csv = await download(page, "#export-csv");
  assert.match(csv.name, /^vae-loss-history-mnist-z20-beta1-seed1-step\d+\.csv$/);
  const lines = csv.bytes.toString().trim().split("\n");
  assert.equal(lines[0], "step,split,reconstruction_nats,kl_nats,negative_elbo_nats");
  assert.ok(lines.length >= 2 && lines.slice(1).every((l) => /^\d+,(train|held-out),[\d.]+,[\d.]+,[\d.]+$/.test(l)), lines.join("\n"));
  // The exported IDX file is a dataset this page trains on.
  const path = await (await import("node:path")).join((await import("node:os")).tmpdir(), idx.name);
  await (await import("node:fs/promises")).writeFile(path, idx.bytes);
  await page.setInputFiles("#dataset-file", path);
  await until(page, () => document.querySelector("#info").textContent.includes("on custom"));
  const before = (await status(page)).step;
  await page.click("#step");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a folder of pictures becomes the dataset, one class per subfolder, and trains", async () => {
  const { page, errors } = await openLab(context, server.url, "?latent=2&hidden=32&batch=4");
  await until(page, () => !document.querySelector("#train").disabled);
  const folder = (await import("node:path")).join(import.meta.dirname, "fixtures", "images");
  await page.setInputFiles("#dataset-folder", folder);
  await until(page, () => document.querySelector("#info").textContent.includes("on custom"));
  assert.match(await page.textContent("#info"), /on custom \(9 training \/ 1 held-out images\)/);
  const before = (await status(page)).step;
  await page.click("#step");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  // The same pictures chosen as files, in colour: the file names' prefixes label them.
  await page.check("#images-colour");
  const files = ["bar-0.png", "bar-1.png", "bar-2.png"].map((f) => (import.meta.dirname + "/fixtures/images/bar/" + f));
  await page.setInputFiles("#dataset-file", [...files, import.meta.dirname + "/fixtures/images/ring/ring-4.png"]);
  await until(page, () => document.querySelector("#info").textContent.includes("(3 training / 1 held-out"));
  await page.click("#tab-train");
  const samples = await canvasStats(page, "#samples");
  assert.ok(samples.pixels > 0);
  assert.deepEqual(errors, []);
  await page.close();
});
