"""Installing a plugin package for one test, offline and without touching the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def install_into(target: Path, *packages: Path) -> dict[str, str]:
    """pip-install ``packages`` (no dependencies, no network) into ``target``; returns an
    environment whose ``PYTHONPATH`` makes them importable and their entry points visible."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            *map(str, packages),
        ],
        check=True,
        capture_output=True,
    )
    return {**os.environ, "PYTHONPATH": str(target)}
