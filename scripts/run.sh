#!/usr/bin/env bash
# Sets up on first use, then runs textmill on seeds/ with config.toml (extra arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/textmill run -c config.toml "$@"
