// The classroom around the lab: lesson presets, keyboard shortcuts with their help, and large
// type for a projector, in headless Chromium against the release build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { serve, launch, openLab, status, screenshot } from "./support.mjs";

let server, context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });
const openSection = (page) => page.$eval("[role=tab][aria-selected=true]", (t) => t.dataset.section);

test("each lesson preset sets its settings, starts fresh, opens its section and says what to look for", async () => {
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  const expected = {
    "from-scratch": ["train", { "#beta": "1", "#latent-dim": "20" }],
    autoencoder: ["train", { "#beta": "0" }],
    collapse: ["dimensions", { "#beta": "8", "#lr": "0.003" }],
    "latent-2d": ["latent", { "#latent-dim": "2" }],
    shapes: ["dimensions", { "#dataset": "shapes", "#beta": "4" }],
    style: ["apply", { "#latent-dim": "2", "#hidden": "256" }],
    colour: ["train", { "#dataset": "colour-shapes", "#beta-warmup": "400", "#batch-size": "64" }],
  };
  const options = await page.$$eval("#preset option", (o) => o.map((x) => x.value).filter(Boolean));
  assert.deepEqual(options, Object.keys(expected));
  for (const [name, [section, fields]] of Object.entries(expected)) {
    await page.selectOption("#preset", name);
    await until(page, () => Number(document.querySelector("#status").dataset.step) === 0 && !document.querySelector("#info").textContent.includes("pretrained"));
    assert.equal(await openSection(page), section, name);
    // Answers to the previous preset may still arrive: wait for this one's settings to stand.
    await until(page, (fields) => Object.entries(fields).every(([id, v]) => document.querySelector(id).value === v), fields);
    await until(page, () => Number(document.querySelector("#status").dataset.step) === 0 && !document.querySelector("#info").textContent.includes("pretrained"));
    assert.ok(await page.isVisible("#preset-text"));
    assert.match(await page.getAttribute("#preset-link", "href"), new RegExp(`preset=${name}#${section}$`));
  }
  // The worker's answers to the earlier presets arrive in order and may still be landing: the
  // settings the page ends with are the colour preset's.
  await until(page, () => document.querySelector("#conditional").checked && document.querySelector("#info").textContent.includes("colour-shapes"));
  await screenshot(page, "preset-colour.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a preset link opens the lesson with fresh weights", async () => {
  const { page, errors } = await openLab(context, server.url, "?dataset=mnist&beta=8&lr=0.003&preset=collapse#dimensions");
  await until(page, () => document.querySelector("#info").textContent.includes("20 latent dimensions"));
  assert.equal(await openSection(page), "dimensions");
  assert.match(await page.textContent("#preset-text"), /posterior collapse/);
  assert.equal((await status(page)).step, 0, "not the pretrained model");
  assert.deepEqual(errors, []);
  await page.close();
});

test("keyboard shortcuts train, step, switch sections and show their help; typing in a field is left alone", async () => {
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  await page.focus("body");
  const before = (await status(page)).step;
  await page.keyboard.press("s");
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) === b + 1, before);
  await page.keyboard.press(" ");
  await until(page, () => document.querySelector("#train").textContent.trim() === "Pause");
  await page.keyboard.press(" ");
  await until(page, () => document.querySelector("#train").textContent.trim() === "Train");
  await page.keyboard.press("3");
  assert.equal(await openSection(page), "dimensions");
  await page.keyboard.press("?");
  assert.ok(await page.isVisible("#help"));
  assert.match(await page.textContent("#help"), /Space.*Train \/ Pause/s);
  await page.keyboard.press("Escape");
  assert.ok(!(await page.isVisible("#help")));
  await page.keyboard.press("1");
  // Typing a seed is typing, not shortcuts.
  await page.focus("#seed");
  await page.waitForTimeout(500); // the paused worker's last report has arrived
  const steps = (await status(page)).step;
  await page.keyboard.press("s");
  await page.keyboard.press("1");
  await page.waitForTimeout(300);
  assert.equal((await status(page)).step, steps);
  // Every control is reachable with Tab and shows where the focus is.
  await page.focus("body");
  await page.keyboard.press("Tab");
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, "none");
  assert.deepEqual(errors, []);
  await page.close();
});

test("large type for a projector: no horizontal scrollbar at 1280×720 in any section", async () => {
  const { page, errors } = await openLab(context, server.url, "?big=1");
  await page.setViewportSize({ width: 1280, height: 720 });
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  assert.equal(await page.getAttribute("#big", "aria-pressed"), "true");
  for (const section of ["train", "latent", "dimensions", "compare", "apply"]) {
    await page.click(`#tab-${section}`);
    await page.waitForTimeout(300);
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `${section}: ${scroll} px of content in ${client} px`);
    await screenshot(page, `big-${section}.png`);
  }
  await page.keyboard.press("b");
  assert.equal(await page.getAttribute("#big", "aria-pressed"), "false");
  assert.deepEqual(errors, []);
  await page.close();
});

test("axe-core finds no serious or critical accessibility violation in any section, in both languages", async () => {
  const axe = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  for (const lang of ["en", "zh"]) {
    const { page, errors } = await openLab(context, server.url, `?lang=${lang}`);
    await until(page, () => Number(document.querySelector("#status").dataset.step) === 4200); // the pretrained model, in any language
    await page.evaluate(axe); // through the debugger protocol, so the page's CSP stays as strict as ever
    for (const section of ["train", "latent", "dimensions", "compare", "apply"]) {
      await page.click(`#tab-${section}`);
      await page.waitForTimeout(500);
      const violations = await page.evaluate(async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`));
      assert.deepEqual(violations, [], `${lang} ${section}`);
    }
    await page.keyboard.press("?");
    const dialog = await page.evaluate(async () => (await axe.run("#help")).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id));
    assert.deepEqual(dialog, [], `${lang}: the help overlay`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test("?lang=zh shows the page in Chinese in every section; switching keeps the training going", async () => {
  const { page, errors } = await openLab(context, server.url, "?lang=zh");
  await until(page, () => document.querySelector("#info").textContent.includes("已加载预训练的权重"));
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hans");
  assert.equal(await page.inputValue("#lang"), "zh");
  const cjk = /[\u4e00-\u9fff]/;
  for (const section of ["train", "latent", "dimensions", "compare", "apply"]) {
    await page.click(`#tab-${section}`);
    const texts = await page.$$eval(`#tab-${section}, #section-${section} h2, #section-${section} .hint, #controls label, #controls .hint, #controls legend`,
      (els) => els.map((e) => e.textContent.trim()).filter(Boolean));
    const english = texts.filter((t) => !/[\u4e00-\u9fff]/.test(t));
    assert.deepEqual(english, [], `${section}: every title, hint and label is in Chinese`);
    assert.ok(texts.length > 10 && texts.every((t) => cjk.test(t)));
    await screenshot(page, `zh-${section}.png`);
  }
  assert.match(await page.textContent("#flow-encoder"), /编码器（encoder）/, "the English term beside the Chinese on first use");
  assert.match(page.url(), /lang=zh/, "the link keeps the language");
  // Switching language mid-training: the run goes on, the words change.
  await page.click("#tab-train");
  await page.click("#train");
  await until(page, () => Number(document.querySelector("#status").dataset.step) > 4210);
  assert.equal((await page.textContent("#train")).trim(), "暂停");
  await page.selectOption("#lang", "en");
  assert.equal((await page.textContent("#tab-train")).trim(), "1 · Train");
  const before = (await status(page)).step;
  await until(page, (b) => Number(document.querySelector("#status").dataset.step) > b + 20, before);
  assert.ok(before > 4210, "not reset by the switch");
  assert.doesNotMatch(page.url(), /lang=zh/);
  await page.click("#train");
  await page.selectOption("#lang", "zh");
  assert.equal((await page.textContent("#tab-train")).trim(), "1 · 训练");
  // The worker's messages too, with the message inside a message.
  await page.setInputFiles("#dataset-file", import.meta.dirname + "/fixtures/dataset/short-body.idx");
  await until(page, () => document.querySelector("#error").textContent !== "");
  assert.match(await page.textContent("#error"), /^无法读取这个数据集（图像文件：IDX 文件不完整：文件头声明有 \d+ 字节数据，实际只有 \d+）；当前数据集保持不变$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the guided tour walks forward and back through the page, highlighting what each step speaks of", async () => {
  const { page, errors } = await openLab(context, server.url);
  await until(page, () => document.querySelector("#info").textContent.includes("pretrained"));
  await page.click("#tour");
  const at = () => page.evaluate(() => [document.querySelector("#tour-count").textContent, document.querySelector("[data-tour]")?.id]);
  assert.deepEqual(await at(), ["1 / 10", "flow-x"]);
  assert.match(await page.textContent("#tour-box"), /784 pixels/);
  await page.click("#tour-next");
  assert.deepEqual(await at(), ["2 / 10", "flow-encoder"]);
  assert.match(await page.textContent("#tour-text"), /critic/);
  for (let i = 3; i <= 9; i++) await page.keyboard.press("ArrowRight");
  assert.deepEqual(await at(), ["9 / 10", "latent-sliders"]);
  assert.equal(await openSection(page), "latent", "the tour opens the section it speaks of");
  await page.keyboard.press("ArrowLeft");
  assert.deepEqual(await at(), ["8 / 10", "samples"]);
  assert.equal(await openSection(page), "train");
  const box = await page.locator("#tour-box").boundingBox();
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800, "the box stays in the window");
  await screenshot(page, "tour.png");
  await page.keyboard.press("Escape");
  assert.ok(!(await page.isVisible("#tour-box")));
  assert.equal(await page.evaluate(() => document.querySelectorAll(".tour-highlight").length), 0, "nothing stays highlighted");
  assert.deepEqual(errors, []);
  await page.close();
});
