#!/usr/bin/env bash
# Sets up on first use, then runs the linters, the type checker and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
bash scripts/mypy.sh
exec .venv/bin/python -m pytest -q tests examples/textmill-readability/tests "$@"
