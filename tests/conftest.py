"""Shared fixtures: paths to the hand-made fixtures and the shipped corpora."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


# The fixture agreement's settings (tests/fixtures/pyproject.toml): the fixture agreement has no
# home articles in the concept lexicon, so it weighs shared concepts instead of anchors.
FIXTURE_WEIGHTS = {"lexical": 0.45, "concept": 0.35, "anchor": 0.0, "fuzzy": 0.20}
FIXTURE_THRESHOLD = 0.5


@pytest.fixture
def mdta() -> Path:
    return FIXTURES / "rules" / "mdta"


@pytest.fixture
def pilot() -> Path:
    return FIXTURES / "measures" / "pilot.yaml"


@pytest.fixture
def zh_only() -> Path:
    return FIXTURES / "measures" / "zh-only.yaml"


@pytest.fixture
def concepts() -> Path:
    return ROOT / "rules" / "concepts.yaml"


@pytest.fixture
def mdta_copy(tmp_path: Path, mdta: Path) -> Path:
    """A writable copy of the fixture agreement, for tests that break it."""
    dest = tmp_path / "mdta"
    shutil.copytree(mdta, dest)
    return dest
