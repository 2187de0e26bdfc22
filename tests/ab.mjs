// Benchmark (not a test): two builds' training step, interleaved so that both see the same
// machine. This machine's speed drifts by 20 % over minutes; one build measured after the other
// confuses that drift with the change. Each round opens a fresh page of build A, then of build
// B, trains for S seconds and takes the worker's median ms/step; the result is the median over
// rounds, and each round's pair.
//   node ab.mjs DIST_A DIST_B [--rounds N] [--seconds S] [--queries "?workers=1,?workers=2"]
import { serve, launch, openLab, stepTimes } from "./support.mjs";

const [distA, distB] = process.argv.slice(2, 4);
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rounds = Number(arg("--rounds", 5));
const seconds = Number(arg("--seconds", 10));
const queries = arg("--queries", "?workers=1,?workers=2,?workers=1&dataset=colour-shapes&arch=conv&cvae=1&batch=32").split(",");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function stepMs(context, url, query) {
  const { page } = await openLab(context, url, query);
  await page.click("#reset");
  await page.click("#train");
  await page.waitForTimeout(2500); // compiled, warm, helpers started
  const step = () => page.getAttribute("#status", "data-step").then(Number);
  const [steps0, t0] = [await step(), Date.now()];
  const times = await stepTimes(page, seconds);
  // The wall clock's ms per step: the worker's own figure leaves out the reports between steps
  // (the held-out evaluation, the pictures).
  const wall = (Date.now() - t0) / ((await step()) - steps0);
  await page.close();
  return { ms: median(times), wall };
}

const servers = [await serve({ dist: distA }), await serve({ dist: distB })];
const context = await launch();
for (const query of queries) {
  const runs = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const b of [0, 1]) runs[b].push(await stepMs(context, servers[b].url, query));
  }
  for (const key of ["ms", "wall"]) {
    const [a, b] = runs.map((r) => median(r.map((x) => x[key])));
    console.log(`${query} ${key === "ms" ? "worker's ms/step" : "wall clock ms/step"}: A ${a.toFixed(1)}, B ${b.toFixed(1)} (${(100 * (b / a - 1)).toFixed(1)} %); rounds A/B: ` +
      runs[0].map((x, i) => `${x[key].toFixed(1)}/${runs[1][i][key].toFixed(1)}`).join(" "));
  }
}
await context.close();
servers.forEach((s) => s.close());
