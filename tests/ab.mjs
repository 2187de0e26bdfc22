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
  const times = await stepTimes(page, seconds);
  await page.close();
  return median(times);
}

const servers = [await serve({ dist: distA }), await serve({ dist: distB })];
const context = await launch();
for (const query of queries) {
  const runs = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const b of [0, 1]) runs[b].push(await stepMs(context, servers[b].url, query));
  }
  const [a, b] = runs.map(median);
  console.log(`${query}: A ${a.toFixed(1)} ms, B ${b.toFixed(1)} ms (${(100 * (b / a - 1)).toFixed(1)} %); rounds A/B: ` +
    runs[0].map((x, i) => `${x.toFixed(1)}/${runs[1][i].toFixed(1)}`).join(" "));
}
await context.close();
servers.forEach((s) => s.close());
