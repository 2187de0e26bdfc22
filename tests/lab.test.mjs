// The page as a student uses it, in headless Chromium against the served release build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { serve, launch, openLab, status, canvasStats, canvasChanged, screenshot, singleSteps, OUTPUT } from "./support.mjs";

let server, context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });

test("the page opens with the pretrained model drawing samples, and no console errors", async () => {
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const samples = await canvasStats(page, "#samples");
  assert.ok(samples.lit > samples.pixels * 0.05, `samples are drawn (${samples.lit} of ${samples.pixels} pixels lit)`);
  const recon = await canvasStats(page, "#reconstructions");
  assert.ok(recon.lit > recon.pixels * 0.05, "reconstructions are drawn");
  assert.equal(await page.$$eval("#latent-sliders input[type=range]", (s) => s.length), 20);
  // The sliders start at the encoder's μ for held-out image 0, not at the origin.
  await until(page, () => [...document.querySelectorAll("#latent-sliders input")].some((s) => Math.abs(Number(s.value)) > 0.3));
  assert.equal(await page.textContent("#error"), "");
  await until(page, () => document.querySelector("#status").dataset.testLoss !== "");
  const { test: heldOut } = await status(page);
  assert.ok(heldOut < 120, `the pretrained model is good: held-out ${heldOut} nats`);
  await screenshot(page, "lab-1280x800.png");
  assert.deepEqual(errors, []);
  await page.close();
});

/** Pixels of the loss chart's reconstruction (blue, #2f6fdf) and KL (orange, #e0792b) curves. */
const curvePixels = (page) => page.$eval("#loss-chart", (c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let blue = 0, orange = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 2] > 180 && d[i] < 90) blue++;
    if (d[i] > 200 && d[i + 1] > 90 && d[i + 1] < 150 && d[i + 2] < 80) orange++;
  }
  return { blue, orange };
});

test("the pretrained model shows how it learned: its 60 epochs of curves, not one point", async () => {
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#status").dataset.testLoss !== "");
  assert.equal((await status(page)).step, 4200);
  assert.equal((await status(page)).epoch, 60, "4,200 steps of 70 are 60 epochs");
  const curves = await curvePixels(page);
  assert.ok(curves.blue > 400 && curves.orange > 400, `the pretrained run's curves are drawn: ${JSON.stringify(curves)}`);
  assert.deepEqual(errors, []);
  await page.close();
  // A host without the curves' file: the model still loads, the chart holds its first point.
  const bare = await serve({ refuse: /losses\.csv/ });
  const { page: page2 } = await openLab(context, bare.url);
  await until(page2, () => document.querySelector("#status").dataset.testLoss !== "");
  const dots = await curvePixels(page2);
  assert.ok(dots.blue > 0 && dots.blue < 200, `without the file only the model's own point: ${JSON.stringify(dots)}`);
  assert.equal(await page2.textContent("#error"), "");
  await page2.close();
  bare.close();
});

test("boot.js starts the worker and the downloads at once, the worker's URL naming its files' hash", async () => {
  const requests = [];
  const onRequest = (r) => requests.push(r.url());
  context.on("request", onRequest);
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#samples").hasAttribute("data-first-ms"));
  const version = await page.$eval("script[data-version]", (s) => s.dataset.version);
  assert.match(version, /^[0-9a-f]{16}$/);
  assert.ok(requests.some((u) => u.endsWith(`worker-loader.js?v=${version}`)), "the worker's URL carries the hash");
  // The first worker and the downloads are the ones boot.js started: none is asked for twice.
  for (const file of ["worker-loader.js", "pretrained-mnist.vae", "mnist10k-images-idx3-ubyte.gz"]) {
    assert.equal(requests.filter((u) => u.includes(file)).length, 1, `${file} is requested once`);
  }
  context.off("request", onRequest);
  assert.deepEqual(errors, []);
  await page.close();
});

test("Train advances the step and lowers the training loss; Pause stops it", async () => {
  const { page, errors } = await openLab(context, server.url);
  await page.click("#reset");
  await until(page, () => document.querySelector("#status").dataset.step === "0");
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) > 10);
  const early = await status(page);
  await until(page, (first) => {
    const s = document.querySelector("#status").dataset;
    return Number(s.step) > first.step + 50 && parseFloat(s.trainLoss) < first.train - 30;
  }, early, 30_000);
  assert.equal(await page.textContent("#train"), "Pause");
  await page.click("#train");
  await until(page, () => document.querySelector("#train").textContent === "Train");
  await page.waitForTimeout(400);
  const paused = (await status(page)).step;
  await page.waitForTimeout(1200);
  assert.equal((await status(page)).step, paused, "no steps while paused");
  const curves = await curvePixels(page);
  assert.ok(curves.blue > 100 && curves.orange > 100, `both curves are drawn: ${JSON.stringify(curves)}`);
  await screenshot(page, "lab-training.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Step trains exactly one minibatch", async () => {
  const { page } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const before = (await status(page)).step;
  await page.click("#step");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) !== b, before);
  assert.equal((await status(page)).step, before + 1);
  await page.close();
});

test("moving a latent slider redraws the decoded image", async () => {
  const { page } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  await until(page, () => document.querySelector("#decoded").width === 28);
  const before = await canvasStats(page, "#decoded");
  await page.$eval("#z-0", (s) => { s.value = "2.5"; s.dispatchEvent(new Event("input")); });
  await page.$eval("#z-3", (s) => { s.value = "-2.5"; s.dispatchEvent(new Event("input")); });
  await canvasChanged(page, "#decoded", before.hash, 5_000);
  const after = await canvasStats(page, "#decoded");
  assert.notEqual(after.hash, before.hash, "the decoded image changed");
  assert.ok(after.lit > 20);
  await page.close();
});

test("switching dataset builds a new model; Reset starts again from the seed", async () => {
  const { page } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const mnistSamples = await canvasStats(page, "#samples");
  await page.selectOption("#dataset", "colour-shapes");
  await until(page, () => document.querySelector("#info").textContent.includes("colour-shapes"));
  assert.match(page.url(), /dataset=colour-shapes/);
  await page.click("#step");
  await until(page, () => document.querySelector("#status").dataset.step === "1");
  await page.click("#reset");
  await until(page, () => document.querySelector("#status").dataset.step === "0");
  const shapes = await canvasStats(page, "#samples");
  assert.notEqual(shapes.hash, mnistSamples.hash);
  assert.equal(await page.textContent("#error"), "");
  await page.close();
});

test("a corrupt weights file is refused with a message, and the model keeps working", async () => {
  await mkdir(OUTPUT, { recursive: true });
  const corrupt = join(OUTPUT, "corrupt.vae");
  await writeFile(corrupt, Buffer.from("VAELAB\r\n\u0001\u0000\u0000\u0000this is not json at all"));
  const random = join(OUTPUT, "random.vae");
  await writeFile(random, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)));
  const { page } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  for (const file of [corrupt, random]) {
    await page.setInputFiles("#load-weights", file);
    await until(page, () => document.querySelector("#error").textContent.includes("could not load those weights"));
    assert.match(await page.textContent("#error"), /current model is kept/);
    const before = (await status(page)).step;
    await page.click("#step");
    await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  }
  await page.close();
});

test("a link reproduces settings; a bad value in it is reported and replaced by the default", async () => {
  const { page } = await openLab(context, server.url, "?dataset=shapes&latent=3&beta=4&seed=7&lr=banana");
  await until(page, () => document.querySelector("#info").textContent.includes("shapes"));
  assert.equal(await page.$$eval("#latent-sliders input", (s) => s.length), 3);
  assert.equal(await page.inputValue("#beta"), "4");
  assert.equal(await page.inputValue("#seed"), "7");
  assert.match(await page.textContent("#error"), /lr/);
  await page.close();
});

test("a convolutional CVAE trains in the worker, and its class selector changes the decoded image", async () => {
  const { page, errors } = await openLab(context, server.url, "?dataset=colour-shapes&arch=conv&cvae=1&latent=4&hidden=64&batch=16");
  await until(page, () => document.querySelector("#info").textContent.includes("Convolutional"));
  await page.click("#tab-latent");
  await page.click("#step");
  await until(page, () => document.querySelector("#status").dataset.step === "1");
  assert.equal(await page.$$eval("#decode-class option", (o) => o.length), 4, "one option per shape class");
  assert.ok(await page.isVisible("#decode-class"));
  await until(page, () => document.querySelector("#decoded").width === 28);
  const before = await canvasStats(page, "#decoded");
  await page.selectOption("#decode-class", "3");
  await canvasChanged(page, "#decoded", before.hash, 10_000);
  assert.equal(await page.textContent("#error"), "");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a worker that crashes is replaced, and the new one starts from the weights saved at the pause", async () => {
  const { page } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const start = (await status(page)).step;
  await page.click("#train");
  await until(page, (s) => Number(document.querySelector("#status").dataset.step) > s + 30, start);
  await page.click("#train");
  await until(page, (s) => Number(document.querySelector("#status").dataset.savedSteps) > s + 30, start);
  const saved = Number(await page.getAttribute("#status", "data-saved-steps"));
  await until(page, (n) => Number(document.querySelector("#status").dataset.step) === n, saved);
  const before = (await status(page)).test;
  await page.evaluate(() => window.dispatchEvent(new Event("vae-rehearse-crash")));
  await until(page, () => document.querySelector("#error").textContent.includes("worker stopped"));
  assert.match(await page.textContent("#error"), /weights it last saved/);
  await until(page, (n) => document.querySelector("#info").textContent.includes(`loaded your weights (${n} training steps`), saved);
  await until(page, () => document.querySelector("#status").dataset.testLoss !== "");
  const after = (await status(page)).test;
  assert.ok(Math.abs(after - before) < 0.01, `the same model: held-out ${before} before the crash, ${after} after`);
  assert.equal(await page.textContent("#train"), "Train", "training does not resume by itself");
  const step = (await status(page)).step;
  await page.click("#step");
  await until(page, (s) => Number(document.querySelector("#status").dataset.step) === s + 1, step);
  await page.close();
});

test("the model survives a reload: the page continues where it left off, the pretrained model one click away", async () => {
  const { page, errors } = await openLab(context, server.url, "", { keepSaved: true });
  await page.evaluate(() => window.vaeSaved.clear());
  await page.reload();
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const start = (await status(page)).step;
  await page.click("#train");
  await until(page, (s) => Number(document.querySelector("#status").dataset.step) > s + 40, start);
  await page.click("#train");
  await until(page, () => document.querySelector("#status").dataset.storedSteps !== undefined);
  const stored = Number(await page.getAttribute("#status", "data-stored-steps"));
  await until(page, (n) => Number(document.querySelector("#status").dataset.step) === n, stored);
  await until(page, () => document.querySelector("#status").dataset.testLoss !== "");
  const before = (await status(page)).test;
  await page.reload();
  await until(page, (n) => document.querySelector("#resume-text").textContent.includes(`step ${n}`), stored);
  assert.ok(await page.isVisible("#resume-fresh"));
  await until(page, (n) => document.querySelector("#info").textContent.includes(`loaded your weights (${n} training steps`), stored);
  assert.equal((await status(page)).step, stored, "the step count goes on");
  await until(page, () => document.querySelector("#status").dataset.testLoss !== "");
  const after = (await status(page)).test;
  assert.ok(Math.abs(after - before) < 0.01, `the same model: held-out ${before} before the reload, ${after} after`);
  // The loss curves came back too: the chart has its blue reconstruction curve.
  const { blue } = await curvePixels(page);
  assert.ok(blue > 100, `the kept curve is drawn (${blue} blue pixels)`);
  await screenshot(page, "resumed.png");
  // The click loads the page anew: the predicate may run in the new document before #info is in.
  await page.click("#resume-fresh");
  await until(page, () => document.querySelector("#info")?.textContent.includes("loaded pretrained weights"));
  assert.ok(!(await page.isVisible("#resume")), "nothing left to resume");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the same link gives the same run: two page loads, identical losses at step 200", async () => {
  const run = async () => {
    const { page } = await openLab(context, server.url, "?seed=7&hidden=64&latent=8&batch=64");
    await until(page, () => document.querySelector("#info").textContent.includes("8 latent dimensions"));
    await singleSteps(page, 200);
    const result = await status(page);
    await page.close();
    return result;
  };
  const [a, b] = [await run(), await run()];
  assert.equal(a.step, 200);
  assert.ok(a.train > 0 && a.test > 0);
  assert.deepEqual(b, a, "identical step, training and held-out losses");
});

test("an absurd link opens with the defaults for its bad values and one message naming each", async () => {
  const { page, errors } = await openLab(context, server.url, "?lr=1e9&latent=0&hidden=-5&batch=10000000&seed=abc&dataset=cifar&beta=2&beta=3&colour=red");
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const message = await page.textContent("#error");
  for (const part of ["lr=", "latent=", "hidden=", "batch=", "seed=", "dataset=", "given twice", "colour="]) {
    assert.ok(message.includes(part), `the message names ${part}: ${message}`);
  }
  assert.equal(await page.inputValue("#beta"), "2", "the one good value is kept");
  assert.equal(await page.getAttribute("#beta", "max"), "8");
  assert.equal(await page.getAttribute("#hidden", "max"), "4096");
  const before = (await status(page)).step;
  await page.click("#step");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  assert.deepEqual(errors, []);
  await page.close();
});
