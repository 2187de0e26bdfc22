// The latent-space sections as a student uses them, in headless Chromium against the release build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openLab, status, canvasStats, canvasChanged, screenshot } from "./support.mjs";

let server, context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });
const pretrained = (page) => until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
const drawn = (page, id) => until(page, (id) => {
  const c = document.querySelector(id);
  return !c.hasAttribute("data-empty") && c.width > 0;
}, id);

test("the latent map shows the held-out set; hover shows an image, a click decodes that point", async () => {
  const { page, errors } = await openLab(context, server.url);
  await pretrained(page);
  await page.click("#tab-latent");
  assert.ok(await page.isVisible("#latent-map"));
  assert.ok(!(await page.isVisible("#samples")), "one section at a time");
  await until(page, () => document.querySelector("#latent-map").dataset.points === "1000");
  assert.match(await page.textContent("#map-legend"), /9/);
  await until(page, () => document.querySelector("#decoded").width === 28);
  // Hover over the densest part of the map until an image shows.
  const box = await page.locator("#latent-map").boundingBox();
  let shown = false;
  for (let i = 0; i < 60 && !shown; i++) {
    await page.mouse.move(box.x + box.width * (0.3 + 0.4 * ((i * 7) % 10) / 10), box.y + box.height * (0.3 + 0.4 * Math.floor(i / 10) / 6));
    shown = await page.isVisible("#map-hover");
  }
  assert.ok(shown, "an image shows under the pointer");
  const hovered = await canvasStats(page, "#map-hover");
  assert.ok(hovered.lit > 20, "the hovered image is a digit");
  const decoded = await canvasStats(page, "#decoded");
  const sliders = await page.$$eval("#latent-sliders input", (s) => s.map((x) => x.value).join());
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.25);
  await canvasChanged(page, "#decoded", decoded.hash, 10_000);
  await until(page, (before) => [...document.querySelectorAll("#latent-sliders input")].map((x) => x.value).join() !== before, sliders);
  await screenshot(page, "section-latent.png");
  assert.equal(await page.textContent("#error"), "");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a stroke on the drawing pad gives a reconstruction, posterior samples, a score and a star", async () => {
  const { page, errors } = await openLab(context, server.url);
  await pretrained(page);
  await page.click("#tab-latent");
  await page.locator("#draw-card").scrollIntoViewIfNeeded();
  const pad = await page.locator("#draw-pad").boundingBox();
  // A "1": one vertical stroke, drawn off-centre.
  await page.mouse.move(pad.x + 90, pad.y + 40);
  await page.mouse.down();
  await page.mouse.move(pad.x + 100, pad.y + 220, { steps: 15 });
  await page.mouse.up();
  await drawn(page, "#draw-recon");
  await until(page, () => document.querySelector("#posterior-samples").width === 8 * 28 + 7 * 2);
  const samples = await canvasStats(page, "#posterior-samples");
  assert.ok(samples.lit > 100, "posterior samples are drawn");
  await until(page, () => document.querySelector("#draw-score").textContent.includes("ELBO"));
  const score = Number(await page.getAttribute("#draw-recon", "data-neg-elbo"));
  assert.ok(score > 0 && score < 1000, `a finite −ELBO: ${score}`);
  // Clearing and drawing a scribble gives another score.
  await page.click("#draw-clear");
  await page.mouse.move(pad.x + 40, pad.y + 40);
  await page.mouse.down();
  for (let i = 0; i < 12; i++) await page.mouse.move(pad.x + 40 + (i % 2) * 200, pad.y + 40 + i * 16, { steps: 4 });
  await page.mouse.up();
  await until(page, (s) => Number(document.querySelector("#draw-recon").dataset.negElbo) !== s, score);
  await screenshot(page, "section-latent-drawing.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the dimensions section: KL per dimension with active units, traversals sorted by KL, the manifold's reason", async () => {
  const { page, errors } = await openLab(context, server.url);
  await pretrained(page);
  await page.click("#tab-dimensions");
  await until(page, () => document.querySelector("#active-units").dataset.active !== undefined);
  const active = Number(await page.getAttribute("#active-units", "data-active"));
  assert.ok(active >= 5 && active <= 20, `the pretrained 20-D model uses several dimensions: ${active}`);
  await until(page, () => document.querySelector("#traversals").dataset.rows === "20");
  const kls = await page.evaluate(() => document.querySelector("#traversals").dataset.rows);
  assert.equal(kls, "20");
  assert.match(await page.getAttribute("#manifold", "data-empty"), /2 latent dimensions/);
  await screenshot(page, "section-dimensions.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a 2-D model draws its manifold and its map on z₁, z₂", async () => {
  const { page, errors } = await openLab(context, server.url, "?latent=2");
  await until(page, () => document.querySelector("#info").textContent.includes("2 latent dimensions"));
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) > 150, null, 60_000);
  await page.click("#train");
  await page.click("#tab-dimensions");
  await drawn(page, "#manifold");
  const manifold = await canvasStats(page, "#manifold");
  assert.equal(manifold.pixels, 420 * 420);
  assert.ok(manifold.lit > manifold.pixels * 0.05, "the manifold shows strokes");
  await page.click("#tab-latent");
  await until(page, () => document.querySelector("#latent-map").dataset.points === "1000");
  await screenshot(page, "section-latent-2d.png");
  await page.click("#tab-dimensions");
  await screenshot(page, "section-dimensions-2d.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("too much KL (β = 8) leaves fewer active units than β = 1, and the page says the posterior collapsed", async () => {
  const { page, errors } = await openLab(context, server.url, "?beta=8&lr=0.003#dimensions");
  await pretrained(page);
  assert.ok(await page.isVisible("#kl-per-dim"), "the link opened the dimensions section");
  await until(page, () => document.querySelector("#active-units").dataset.active !== undefined);
  const atBeta1 = Number(await page.getAttribute("#active-units", "data-active"));
  await page.click("#reset");
  await until(page, () => document.querySelector("#status").dataset.step === "0");
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) > 700, null, 90_000);
  await page.click("#train");
  await until(page, (n) => Number(document.querySelector("#active-units").dataset.active) < n / 2, atBeta1, 30_000);
  const atBeta8 = Number(await page.getAttribute("#active-units", "data-active"));
  assert.ok(atBeta8 < atBeta1, `β = 8: ${atBeta8} active units, β = 1: ${atBeta1}`);
  assert.match(await page.textContent("#collapse-note"), /collapsed/);
  await screenshot(page, "section-dimensions-beta8.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("interpolation draws both paths; the autoencoder trains beside the VAE", async () => {
  const { page, errors } = await openLab(context, server.url);
  await pretrained(page);
  await page.click("#tab-compare");
  await drawn(page, "#interpolation");
  const before = await canvasStats(page, "#interpolation");
  await page.fill("#interp-b", "7");
  await page.$eval("#interp-b", (i) => i.dispatchEvent(new Event("change")));
  await canvasChanged(page, "#interpolation", before.hash, 10_000);
  await page.check("#ae-compare");
  await drawn(page, "#ae-samples");
  await drawn(page, "#ae-latent-map");
  const start = (await status(page)).step;
  await page.click("#train");
  await until(page, () => document.querySelector("#ae-status").textContent.includes("autoencoder: reconstruction"), null, 30_000);
  await until(page, (s) => Number(document.querySelector("#status").dataset.step) > s + 30, start);
  await page.click("#train");
  const ae = await canvasStats(page, "#ae-samples");
  assert.ok(ae.lit > 0);
  await screenshot(page, "section-compare.png");
  assert.equal(await page.textContent("#error"), "");
  assert.deepEqual(errors, []);
  await page.close();
});
