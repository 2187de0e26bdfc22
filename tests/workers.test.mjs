// Data-parallel training in the page: helper workers share each step, the numbers stay those of
// the worker count, and a helper that cannot run leaves training to one worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openLab, status, singleSteps } from "./support.mjs";

let server, context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 50 });
const LINK = "?seed=7&hidden=64&latent=8&batch=64";

/** `steps` single steps with `workers` workers: the status then, and how many workers ran. */
async function run(workers, steps, { url = server.url } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url + LINK + `&workers=${workers}`);
  await until(page, () => !document.querySelector("#train").disabled && document.querySelector("#info").textContent.includes("8 latent dimensions"));
  await singleSteps(page, steps);
  const result = { ...(await status(page)), workers: await page.getAttribute("#status", "data-workers") };
  const message = await page.textContent("#error");
  await page.close();
  return { result, errors, message };
}

test("two workers train as one: the same held-out loss within 1 %, and the same numbers for the same seed", async () => {
  const one = await run(1, 150);
  const two = await run(2, 150);
  const again = await run(2, 150);
  assert.equal(one.result.workers, "1");
  assert.equal(two.result.workers, "2", "the helper answered");
  assert.equal(two.result.step, 150);
  assert.ok(Math.abs(two.result.test / one.result.test - 1) < 0.01,
    `held-out loss: 1 worker ${one.result.test}, 2 workers ${two.result.test}`);
  assert.deepEqual(again.result, two.result, "same seed, same worker count: identical losses");
  for (const r of [one, two, again]) {
    assert.deepEqual(r.errors, []);
    assert.equal(r.message, "");
  }
});

test("training with two workers shows it in the status line, and a link keeps the count", async () => {
  const { page, errors } = await openLab(context, server.url, "?workers=2");
  assert.equal(await page.inputValue("#workers"), "2");
  await page.click("#train");
  await until(page, () => document.querySelector("#status").textContent.includes("2 workers"));
  assert.match(await page.textContent("#status"), /images\/s · [\d.]+ ms\/step · 2 workers/);
  await page.click("#train");
  // Back to one worker, live: the count changes without a new model.
  const step = Number(await page.getAttribute("#status", "data-step"));
  await page.selectOption("#workers", "1");
  await page.click("#train");
  await until(page, (s) => Number(document.querySelector("#status").dataset.step) > s + 20, step);
  assert.equal(await page.getAttribute("#status", "data-workers"), "1");
  assert.ok(!(await page.textContent("#status")).includes("workers"));
  assert.ok(page.url().includes("workers=1"), page.url());
  await page.click("#train");
  assert.deepEqual(errors, []);
  await page.close();
});

test("where a helper cannot start, one worker trains alone with the same numbers", async () => {
  // A host that serves the page but not the helper's script: the helper fails to start.
  const host = await serve({ refuse: /role=helper/ });
  const blocked = await run(2, 40, { url: host.url });
  host.close();
  const helped = await run(2, 40);
  assert.equal(blocked.result.workers, "1", "no helper ran");
  assert.equal(helped.result.workers, "2");
  assert.deepEqual({ ...blocked.result, workers: "" }, { ...helped.result, workers: "" },
    "the helper's share was computed by the training worker, to the same numbers");
  assert.equal(blocked.message, "", "no message: nothing the student must do");
  // The failed helper's script shows as a failed load in the console, nothing else.
  assert.ok(blocked.errors.every((e) => e.includes("404") || e.includes("Failed to load")), blocked.errors.join(" | "));
});
