#!/usr/bin/env bash
# Runs every test: the Rust tests natively, the page's wasm32 release build, then the browser tests
# in headless Chromium against it. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
# One target dir for every checkout on this machine (the work tree and CI's fresh clone): burn is
# compiled once per machine, not once per clone.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vae-lab/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
bash scripts/tools.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# npm ls fails when an installed package is missing or differs from the lockfile (a checkout that
# had playwright-core before axe-core was added gets it too).
if ! (cd tests && npm ls --silent >/dev/null 2>&1); then
  (cd tests && npm ci --no-audit --no-fund --silent)
fi

echo "== Rust tests (native)"
cargo test --workspace

# The page's build compiles vae-core for wasm32 inside the worker: no separate wasm32 build of
# the core (it compiled burn once more, with other features).
echo "== page: release build (vae-core, the worker and the UI for wasm32)"
trunk build --release

# The browser tests run twice: training shared by 2 workers (a helper worker beside the
# training worker), and in 1 worker, as on a device with one core or without nested workers —
# all but workers.test.mjs, which names the worker count in each of its links: a second run
# would repeat it exactly.
echo "== browser tests (headless Chromium), 2 training workers"
(cd tests && VAE_WORKERS=2 node --test --test-concurrency=1 ./*.test.mjs)
echo "== browser tests (headless Chromium), 1 training worker"
(cd tests && VAE_WORKERS=1 node --test --test-concurrency=1 $(ls ./*.test.mjs | grep -v '^./workers.test.mjs$'))
