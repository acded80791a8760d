"""Shared fixtures: one Analyser per test session (loading models once keeps tests fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
SHARED = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def analyser():
    from analyser import Analyser

    return Analyser()


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data (training corpora) is not available here"
)
