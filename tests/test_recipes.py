"""The CI recipes work as written: the pre-commit hook and the GitHub Actions workflow in docs/ci.md."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def rulealign_argv(command: str) -> list[str]:
    """A `rulealign ...` command line as the hook or workflow gives it, run with this interpreter."""
    argv = shlex.split(command)
    assert argv[0] == "rulealign"
    return [sys.executable, "-m", "checker", *argv[1:]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's corpora, config, ledger and baseline."""
    for name in ("rules", "measures"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "reports").mkdir()
    shutil.copy(ROOT / "reports" / "baseline.json", tmp_path / "reports" / "baseline.json")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_pre_commit_hook_runs_the_gate(project: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "rulealign-check" and hook["pass_filenames"] is False
    assert re.match(hook["files"], "measures/beijing-2023.yaml")
    assert not re.match(hook["files"], "checker/cli.py")
    ok = subprocess.run(rulealign_argv(hook["entry"]), cwd=project, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout == ""  # --quiet: silent when nothing fails
    # rejecting an accepted link of the committed ledger makes an aligned measure fall: the hook fails
    ledger = project / "measures" / "decisions.yaml"
    text = ledger.read_text(encoding="utf-8")
    entry = text.index("measure: sh80-19")
    ledger.write_text(text[:entry] + text[entry:].replace("status: accepted", "status: rejected", 1),
                      encoding="utf-8")
    bad = subprocess.run(rulealign_argv(hook["entry"]), cwd=project, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "sh80-19" in bad.stderr and "no longer aligned" in bad.stderr


def workflow() -> dict:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"## GitHub Actions\n\n```yaml\n(.*?)```", text, re.S)
    assert block, "docs/ci.md has a GitHub Actions workflow"
    return yaml.safe_load(block.group(1))


def test_github_workflow_steps_run_and_produce_annotations_and_sarif(project: Path) -> None:
    wf = workflow()
    steps = wf["jobs"]["alignment"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("rulealign")]
    assert len(commands) == 2
    gate = subprocess.run(rulealign_argv(commands[0]), cwd=project, capture_output=True, text=True)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    sarif_cmd = commands[1].split(" > ")[0]
    sarif = subprocess.run(rulealign_argv(sarif_cmd), cwd=project, capture_output=True, text=True)
    doc = json.loads(sarif.stdout)
    assert doc["version"] == "2.1.0" and doc["runs"][0]["tool"]["driver"]["name"] == "rulealign"
    assert (project / "reports" / "index.html").is_file()
    uploads = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "rulealign.sarif"
