// The bad-input suite: each fixture under tests/fixtures/ (see make.mjs there) is fed through the
// page as a student would (file inputs, links); the page must say what is wrong in #error, and the
// model must go on answering (a decode and a step) with nothing else changed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launch, openLab, status, canvasStats, canvasChanged, OUTPUT } from "./support.mjs";
import { idx, hundredMegabytes, WEIGHTS_LINK, DIVERGING_LINK } from "./fixtures/make.mjs";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"));
const fixtures = (folder) => Object.entries(expected).filter(([f]) => f.startsWith(`${folder}/`)).map(([f, words]) => [join(FIXTURES, f), words]);

let server, context, page, errors;
before(async () => {
  server = await serve();
  context = await launch();
  // A small model, the one the weights fixtures were made for (and quick to step).
  ({ page, errors } = await openLab(context, server.url, WEIGHTS_LINK));
});
after(async () => { await context?.close(); server?.close(); });

const until = (p, fn, arg, timeout = 30_000) => p.waitForFunction(fn, arg, { timeout, polling: 100 });

/** The same model still decodes a latent vector and trains a step, on the same dataset. */
async function stillWorks(p = page, latent = 2) {
  assert.equal(await p.inputValue("#dataset"), "mnist", "the dataset is unchanged");
  assert.equal(await p.$$eval("#latent-sliders input", (s) => s.length), latent, "the model is unchanged");
  await p.click("#tab-latent");
  const { hash } = await canvasStats(p, "#decoded");
  await p.$eval("#latent-sliders input", (s) => {
    s.value = s.value === "2.5" ? "-2.5" : "2.5";
    s.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await canvasChanged(p, "#decoded", hash);
  await p.click("#tab-train");
  const before = (await status(p)).step;
  await p.click("#step");
  await until(p, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
}

async function refused(input, files, words) {
  await page.$eval("#error", (e) => { e.textContent = ""; });
  await page.setInputFiles(input, files);
  await until(page, () => document.querySelector("#error").textContent !== "").catch((e) => { throw new Error(`${files}: no message (${e.message})`); });
  const message = await page.textContent("#error");
  assert.ok(message.toLowerCase().includes(words.toLowerCase()), `${files}: “${message}” names ${words}`);
  await stillWorks();
}

test("there are at least 30 bad inputs", () => {
  const links = readFileSync(join(FIXTURES, "links.tsv"), "utf8").trim().split("\n");
  // + the diverging link and the 100 MB weights file, made at test time
  assert.ok(Object.keys(expected).length + links.length + 2 >= 30);
});

test("malformed dataset files are refused with a message; the model keeps working", async () => {
  for (const [path, words] of fixtures("dataset")) await refused("#dataset-file", path, words);
});

test("images and labels that do not belong together are refused", async () => {
  for (const [path, words] of fixtures("pairs")) await refused("#dataset-file", [path, path.replace("-images", "-labels")], words);
});

test("broken weights files are refused; the current model is kept", async () => {
  for (const [path, words] of [...fixtures("weights"), hundredMegabytes(join(OUTPUT, "fixtures"))]) {
    await refused("#load-weights", path, words);
    assert.match(await page.textContent("#error"), /current model is kept/);
  }
  assert.deepEqual(errors, [], "no console errors, no CSP violations");
});

test("each absurd link opens with the defaults for its bad value and a message naming it", async () => {
  for (const line of readFileSync(join(FIXTURES, "links.tsv"), "utf8").trim().split("\n")) {
    const [link, words] = line.split("\t");
    const { page: p, errors: e } = await openLab(context, server.url, link);
    await until(p, () => document.querySelector("#info").textContent.includes("pretrained"));
    const message = await p.textContent("#error");
    assert.ok(message.includes(words), `${link}: “${message}” names ${words}`);
    await stillWorks(p, 20);
    assert.deepEqual(e, [], link);
    await p.close();
  }
});

test("a run that diverges (lr 10, β 0) stops with a message and keeps its last good weights", async () => {
  const { page: p, errors: e } = await openLab(context, server.url, DIVERGING_LINK);
  // From fresh weights, which lr 10 blows up within a few steps; the pretrained model may
  // instead lose all its ReLU units and go on at a finite loss (the weights of 2026-11-28 do).
  await p.click("#reset");
  await until(p, () => document.querySelector("#status").dataset.step === "0");
  await p.click("#train");
  await until(p, () => /non-finite/.test(document.querySelector("#error").textContent), null, 60_000);
  await until(p, () => document.querySelector("#train").textContent.trim() === "Train");
  const s = await status(p);
  assert.ok(Number.isFinite(s.train), `the status shows the last good loss, not NaN: ${s.train}`);
  // Back to a sane learning rate, the kept weights decode and train on.
  await p.selectOption("#lr", "0.001");
  await stillWorks(p, 20);
  assert.deepEqual(e, []);
  await p.close();
});

test("pictures that cannot be used are refused one by one; IDX and pictures together too", async () => {
  for (const [path, words] of fixtures("images-bad")) await refused("#dataset-file", path, words);
  await refused("#dataset-file", [join(FIXTURES, "images", "bar", "bar-0.png"), join(FIXTURES, "dataset", "one-image.idx")], "not both");
  await refused("#dataset-folder", join(FIXTURES, "images-empty-folder"), "no PNG or JPEG");
});

test("a valid dataset file after all that becomes the dataset and trains", async () => {
  const path = join(OUTPUT, "fixtures", "good.idx");
  (await import("node:fs")).writeFileSync(path, idx([30, 28, 28], Array.from({ length: 30 * 784 }, (_, i) => i % 256)));
  await page.setInputFiles("#dataset-file", path);
  await until(page, () => document.querySelector("#info").textContent.includes("on custom"));
  const before = (await status(page)).step;
  await page.click("#step");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
});
