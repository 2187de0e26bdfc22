#!/usr/bin/env bash
# Serves the page at http://127.0.0.1:8080 (release build, offline), installing tools if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# One target dir for every checkout on this machine (the work tree and CI's fresh clone): burn is
# compiled once per machine, not once per clone.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vae-lab/target}"
bash scripts/tools.sh
exec trunk serve --release "$@"
