// trunk's post_build hook. trunk starts its hooks of one stage at the same time, so the steps that
// rewrite index.html run here, one after the other (two hooks raced and lost an edit).
import { stampWorkerVersion } from "./worker-version.mjs";
import { addCsp } from "./csp.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error("post-build.mjs runs as trunk's post_build hook (TRUNK_STAGING_DIR is not set)");
await stampWorkerVersion(dir);
await addCsp(dir);
