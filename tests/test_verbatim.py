"""The repository holds only its authors' text: no run of 12+ words from the official texts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT.parent / "shared" / "tools" / "verbatim-check"


@pytest.mark.skipif(not TOOL.exists(), reason="../shared/tools/verbatim-check is not present")
def test_no_sentence_of_the_official_texts_is_in_the_repository() -> None:
    res = subprocess.run([str(TOOL)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.stdout == "", res.stdout[-3000:]
    assert res.returncode == 0
