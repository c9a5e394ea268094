"""Shared test helpers: the seeds folder and small plugin objects used by engine tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED_EVAL = REPO.parent / "shared" / "eval"


@pytest.fixture
def seeds() -> Path:
    return SEEDS
