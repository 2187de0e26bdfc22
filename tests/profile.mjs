// Not a test: the training worker's CPU profile by function, from Chromium's own profiler (CDP).
// The release build has no function names; build one that keeps them, then profile it:
//   CARGO_PROFILE_WASM_RELEASE_STRIP=false trunk build --release --dist /tmp/dist-names
//   VAE_DIST=/tmp/dist-names node profile.mjs [--query "?workers=1"] [--seconds 8] [--worker 0]
// It starts training on a fresh page, profiles one worker thread (--worker picks among those
// Chromium lists) and prints each function's share of the samples (self time).
import { serve, launch, openLab } from "./support.mjs";

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const server = await serve();
const context = await launch();
const { page } = await openLab(context, server.url, arg("--query", "?workers=1"));
await page.click("#reset");
await page.click("#train");
await page.waitForTimeout(4000); // compiled and warm

const cdp = await context.browser().newBrowserCDPSession();
const { targetInfos } = await cdp.send("Target.getTargets");
const workers = targetInfos.filter((t) => t.type === "worker");
const target = workers[Number(arg("--worker", 0))];
console.log(`${workers.length} worker thread(s); profiling ${target.url}`);
const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
// The worker's own protocol, through the browser session.
let nextId = 0;
const pending = new Map();
cdp.on("Target.receivedMessageFromTarget", (e) => {
  const m = JSON.parse(e.message);
  if (pending.has(m.id)) { pending.get(m.id)(m.result); pending.delete(m.id); }
});
const send = (method, params = {}) => new Promise((resolve) => {
  const id = ++nextId;
  pending.set(id, resolve);
  cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) });
});
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
await page.waitForTimeout(Number(arg("--seconds", 8)) * 1000);
const { profile } = await send("Profiler.stop");

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (const id of profile.samples) {
  const name = nodes.get(id).callFrame.functionName || "(anonymous)";
  self.set(name, (self.get(name) ?? 0) + 1);
}
for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${(100 * n / profile.samples.length).toFixed(1).padStart(5)} %  ${name.slice(0, 140)}`);
}
await context.close();
server.close();
