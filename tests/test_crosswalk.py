"""Crosswalk DEPA -> CPTPP on the shipped corpora: the known counterparts come first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import cli

ROOT = Path(__file__).resolve().parents[1]

# DEPA articles that restate a CPTPP Chapter 14 article (from the treaties themselves).
KNOWN = {
    "depa:2.2": "cptpp:14.9", "depa:2.3": "cptpp:14.5", "depa:3.2": "cptpp:14.3", "depa:3.3": "cptpp:14.4",
    "depa:4.2": "cptpp:14.8", "depa:4.3": "cptpp:14.11", "depa:4.4": "cptpp:14.13", "depa:5.1": "cptpp:14.16",
    "depa:6.2": "cptpp:14.14", "depa:6.3": "cptpp:14.7", "depa:6.4": "cptpp:14.10",
}


@pytest.fixture(scope="module")
def crosswalk_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("cw") / "cw.json"
    res = CliRunner().invoke(cli, ["--config", str(ROOT / "pyproject.toml"), "crosswalk", "--from", "depa",
                                   "--to", "cptpp", "--json", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "depa:4.3         Cross-Border Transfer" in res.output
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("depa", "cptpp"), sorted(KNOWN.items()))
def test_known_counterpart_is_ranked_first(crosswalk_json: dict, depa: str, cptpp: str) -> None:
    row = next(r for r in crosswalk_json["articles"] if r["article"] == depa)
    assert row["counterparts"][0]["article"] == cptpp


def test_crosswalk_json_covers_every_depa_article(crosswalk_json: dict) -> None:
    assert crosswalk_json["schema"] == "rulealign.crosswalk/1"
    assert len(crosswalk_json["articles"]) >= 70
    assert all(len(r["counterparts"]) == 3 for r in crosswalk_json["articles"])


def test_crosswalk_of_an_agreement_with_itself_is_refused() -> None:
    res = CliRunner().invoke(cli, ["--config", str(ROOT / "pyproject.toml"), "crosswalk", "--from", "depa",
                                   "--to", "depa"])
    assert res.exit_code == 2
    assert "two different agreements" in res.output


def test_unknown_agreement_exits_2() -> None:
    res = CliRunner().invoke(cli, ["--config", str(ROOT / "pyproject.toml"), "crosswalk", "--from", "rcep",
                                   "--to", "cptpp"])
    assert res.exit_code == 2 and "unknown agreement 'rcep'" in res.output
