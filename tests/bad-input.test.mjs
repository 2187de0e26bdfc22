// The bad-input suite: each fixture is fed through the page as a student would (file inputs,
// links); the page must say what is wrong in #error, and the model must go on answering.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve, launch, openLab, status, OUTPUT } from "./support.mjs";
import { idx, datasetFixtures, pairFixtures, weightsFixtures, write } from "./fixtures/bad-inputs.mjs";

let server, context, page, errors;
before(async () => {
  server = await serve();
  context = await launch();
  ({ page, errors } = await openLab(context, server.url));
  await page.waitForFunction(() => document.querySelector("#info").textContent.includes("pretrained"), null, { timeout: 30_000 });
});
after(async () => { await context?.close(); server?.close(); });

const until = (fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });

/** The same model still trains (one step) on the same dataset. */
async function stillWorks() {
  const before = (await status(page)).step;
  await page.click("#step");
  await until((b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  assert.equal(await page.inputValue("#dataset"), "mnist", "the dataset is unchanged");
  assert.equal(await page.$$eval("#latent-sliders input", (s) => s.length), 20, "the model is unchanged");
}

async function refused(input, files, words) {
  await page.$eval("#error", (e) => { e.textContent = ""; });
  await page.setInputFiles(input, files);
  await until(() => document.querySelector("#error").textContent !== "");
  const message = await page.textContent("#error");
  assert.ok(message.toLowerCase().includes(words.toLowerCase()), `${files}: “${message}” names ${words}`);
  await stillWorks();
}

test("malformed dataset files are refused with a message; the model keeps training", async () => {
  for (const [path, words] of await write(join(OUTPUT, "fixtures"), datasetFixtures())) {
    await refused("#dataset-file", path, words);
  }
});

test("images and labels that do not belong together are refused", async () => {
  for (const [name, images, labels, words] of pairFixtures()) {
    const [[i], [l]] = await write(join(OUTPUT, "fixtures"), [[`${name}-images.idx`, images], [`${name}-labels.idx`, labels]]);
    await refused("#dataset-file", [i, l], words);
  }
});

test("broken weights files are refused; the current model is kept", async () => {
  for (const [path, words] of await write(join(OUTPUT, "fixtures"), await weightsFixtures())) {
    await refused("#load-weights", path, words);
    assert.match(await page.textContent("#error"), /current model is kept/);
  }
  assert.deepEqual(errors, [], "no console errors, no CSP violations");
});

test("a valid dataset file after all that becomes the dataset and trains", async () => {
  const [[path]] = await write(join(OUTPUT, "fixtures"), [["good.idx", idx([30, 28, 28], Array.from({ length: 30 * 784 }, (_, i) => i % 256))]]);
  await page.setInputFiles("#dataset-file", path);
  await until(() => document.querySelector("#info").textContent.includes("on custom"));
  const before = (await status(page)).step;
  await page.click("#step");
  await until((b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
});
