#!/usr/bin/env bash
# mypy needs the import layout (textmill/, textmill/plugins/, textmill/tui/) that setuptools'
# package-dir mapping creates at install time; copy the sources into that layout, check the copy,
# and report paths as they are in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=build/mypy/textmill
rm -rf build/mypy && mkdir -p "$tree"
cp -r core/. "$tree/"
cp -r plugins "$tree/plugins"
cp -r tui "$tree/tui"
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
set +e
.venv/bin/mypy "$tree" > build/mypy/report.txt 2>&1
status=$?
set -e
sed -e "s#^$tree/plugins/#plugins/#" -e "s#^$tree/tui/#tui/#" -e "s#^$tree/#core/#" build/mypy/report.txt
exit $status
