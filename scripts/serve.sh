#!/usr/bin/env bash
# Serves the page at http://127.0.0.1:8080 (release build, offline), installing tools if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh
exec trunk serve --release "$@"
