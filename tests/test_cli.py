"""The command line: outputs, JSON shape, exit codes, explain, validate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def args(mdta: Path, pilot: Path, concepts: Path, tmp_path: Path) -> list[str]:
    return ["--rules", str(mdta), "--measures", str(pilot), "--concepts", str(concepts),
            "--out", str(tmp_path / "out")]


FIXTURE_CONFIG = ROOT / "tests" / "fixtures" / "pyproject.toml"


def invoke(*argv: str):
    return CliRunner().invoke(cli, ["--config", str(FIXTURE_CONFIG), *argv], catch_exceptions=False)


def test_check_writes_html_json_csv_and_prints_summary(args: list[str], tmp_path: Path) -> None:
    res = invoke("check", *args)
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} >= {"index.html", "result.json", "matrix.csv"}
    assert "pilot" in res.output and "met" in res.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Test Pilot Plan" in html and "mdta:1.2" in html
    header, *rows = (out / "matrix.csv").read_text(encoding="utf-8").splitlines()
    assert header.startswith("measure,plan,rank,article,clause,score,")
    assert rows[0].startswith("p-data,pilot,1,mdta:1.2,")


def test_json_result_has_the_documented_shape(args: list[str], tmp_path: Path) -> None:
    extra = tmp_path / "extra.json"
    assert invoke("check", *args, "--json", str(extra)).exit_code == 0
    r = json.loads(extra.read_text(encoding="utf-8"))
    assert r["schema"] == "rulealign.result/1"
    assert set(r) >= {"generated", "tool", "config", "summary", "plans", "measures", "articles", "agreements"}
    (plan,) = r["plans"]
    assert {k: plan[k] for k in ("id", "listed", "declared", "aligned", "status")} == {
        "id": "pilot", "listed": 4, "declared": "4", "aligned": 3, "status": "met"}
    assert plan["target"] == {"aligned": 3, "share": 0.75}
    m = next(m for m in r["measures"] if m["id"] == "p-data")
    assert m["aligned"] is True
    link = m["links"][0]
    assert link["article"] == "mdta:1.2" and link["clause"].startswith("mdta:1.2.")
    assert set(link["signals"]) == {"lexical", "concept", "anchor", "fuzzy", "scope"}
    assert "cross-border-data-transfer" in link["concepts"]
    assert len(m["candidates"]) == 8  # top 10, but the fixture has only 8 articles
    art = next(a for a in r["articles"] if a["id"] == "mdta:1.2")
    assert art["covered_by"] == ["p-data"] and art["force"] == "binding"
    assert next(a for a in r["articles"] if a["id"] == "mdta:annex-2-A")["suspended"] == "whole"


def test_missed_target_exits_1_and_says_why(args: list[str]) -> None:
    res = invoke("check", *args, "--threshold", "0.95")
    assert res.exit_code == 1
    assert "FAIL: plan pilot: target missed: 0 aligned < 3; share 0% < 75%" in res.output


@pytest.mark.parametrize("extra", [["--rules", "no/such/dir"], ["--measures", "no-such.yaml"],
                                   ["--threshold", "2"], ["--top", "0"]])
def test_bad_input_exits_2(args: list[str], extra: list[str]) -> None:
    res = invoke("check", *args, *extra)
    assert res.exit_code == 2


def test_bad_corpus_exits_2_with_file_and_line_and_keeps_old_report(args: list[str], tmp_path: Path) -> None:
    assert invoke("check", *args).exit_code == 0
    before = (tmp_path / "out" / "result.json").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("measures:\n  - id: x\n    text: [oops\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "checker", "check", *args, "--measures", str(bad)],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2
    assert res.stderr.startswith(f"error: {bad}:") and "malformed YAML" in res.stderr
    assert "Traceback" not in res.stderr
    assert (tmp_path / "out" / "result.json").read_text(encoding="utf-8") == before


def test_explain_shows_candidates_signals_terms_and_concepts(args: list[str]) -> None:
    res = invoke("explain", "p-window", *args[:-2], "--top", "2")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "p-window (pilot) — aligned at threshold 0.50"
    first = next(i for i, ln in enumerate(lines) if ln.startswith(" 1."))
    assert "LINK" in lines[first] and "mdta:1.4 Paperless Trading" in lines[first]
    assert lines[first + 1].strip().startswith("signals: lexical")
    assert "Single window (measure: single window" in lines[first + 2]
    assert "single window" in lines[first + 3]


def test_explain_one_article_and_unknown_ids(args: list[str]) -> None:
    res = invoke("explain", "p-park", "mdta:1.2", *args[:-2])
    assert res.exit_code == 0 and "mdta:1.2" in res.output and "LINK" not in res.output
    assert invoke("explain", "nope", *args[:-2]).exit_code == 2
    assert invoke("explain", "p-park", "mdta:9.9", *args[:-2]).exit_code == 2


def test_validate_prints_counts(mdta: Path, pilot: Path) -> None:
    res = invoke("validate", str(mdta), str(pilot))
    assert res.exit_code == 0, res.output
    assert "MDTA (mdta): 2 chapters, 7 articles, 1 annexes, 12 clauses, 2 suspended clauses" in res.output
    assert "plan pilot: 4 measures listed of 4 declared; 4 with English and Chinese text" in res.output


def test_validate_bad_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("measures:\n  - id: a\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:2: measure a: needs 'text' or 'text_zh'" in res.output


def test_explain_names_out_of_scope_markers_and_concept_homes_on_the_shipped_corpora() -> None:
    config = ROOT / "pyproject.toml"
    res = CliRunner().invoke(cli, ["--config", str(config), "explain", "bj2020-02", "--top", "1"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "not aligned" in res.output.splitlines()[0]
    outside = next(ln for ln in res.output.splitlines() if ln.strip().startswith("outside the agreements:"))
    assert "Subsidies, grants, rewards and support funds (" in outside and "补贴" in outside
    res = CliRunner().invoke(cli, ["--config", str(config), "explain", "bj2023-07", "cptpp:11.9"],
                             catch_exceptions=False)
    assert "LINK" in res.output
    assert "this article is the home of: Nationality of the staff of financial institutions" in res.output
