"""Outputs for CI, all fed by the same comparison: SARIF 2.1.0, JUnit XML, GitHub annotations.

Each is a serializer of its own. They point at the measure's line in its YAML file, so a code
scanning view or a pull-request annotation lands where a reviewer would edit.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from typing import Any

from checker import __version__
from checker.baseline import CLASSES, IMPROVEMENTS, Change, Comparison, class_id

RULE_HELP = {
    "no longer aligned": "A measure that was aligned in the baseline has no link to a provision in force now.",
    "suspect": "An accepted link whose measure or article text changed since it was reviewed.",
    "uncovered binding grew": "More binding obligations are covered by no measure than in the baseline.",
    "target missed": "A plan whose whole list is present misses its stated target.",
    "link lost": "A link of the baseline is gone (score below the threshold, rejected, or article removed).",
    "score dropped": "A link's score fell by more than the configured margin.",
    "measure removed": "A measure of the baseline is no longer in the plans.",
    "article removed": "An article of the baseline is no longer in the rules.",
    "newly aligned": "A measure that was not aligned in the baseline is aligned now.",
    "link gained": "A link that the baseline did not have.",
    "measure added": "A measure that the baseline did not have.",
}


def _level(change: Change, fail_on: tuple[str, ...]) -> str:
    if change.cls in fail_on:
        return "error"
    return "note" if change.cls in IMPROVEMENTS else "warning"


def fingerprint(change: Change) -> str:
    """Stable across runs: the class and the ids, never the scores or the wording."""
    key = "|".join([class_id(change.cls), change.measure or "", change.article or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render_sarif(comparison: Comparison, fail_on: tuple[str, ...]) -> str:
    rules = [{"id": class_id(c), "name": "".join(w.capitalize() for w in c.split()),
              "shortDescription": {"text": c}, "fullDescription": {"text": RULE_HELP[c]},
              "defaultConfiguration": {"level": "error" if c in fail_on else
                                       ("note" if c in IMPROVEMENTS else "warning")}}
             for c in CLASSES]
    index = {c: i for i, c in enumerate(CLASSES)}
    results = []
    for ch in comparison.changes:
        result: dict[str, Any] = {
            "ruleId": class_id(ch.cls), "ruleIndex": index[ch.cls], "level": _level(ch, fail_on),
            "message": {"text": ch.message},
            "partialFingerprints": {"rulealignChange/v1": fingerprint(ch)},
            "properties": {"measure": ch.measure, "article": ch.article, "before": ch.before, "after": ch.after},
        }
        if ch.file:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": ch.file.replace("\\", "/")},
                "region": {"startLine": max(ch.line or 1, 1)}}}]
        if comparison.baseline is not None:
            # Against a baseline, everything reported is a difference from it.
            result["baselineState"] = "new"
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rulealign", "version": __version__,
                                "informationUri": "https://pypi.org/project/rulealign/", "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def render_junit(result: dict[str, Any], comparison: Comparison, fail_on: tuple[str, ...]) -> str:
    """One test case per measure, one suite per plan; a failing change fails its measure's case.
    Changes not tied to a measure (an uncovered obligation, a missed target) get cases of their own."""
    by_measure: dict[str | None, list[Change]] = {}
    for ch in comparison.failing(fail_on):
        by_measure.setdefault(ch.measure, []).append(ch)
    root = ET.Element("testsuites", name="rulealign")
    total = failures = 0
    for plan in result["plans"]:
        measures = [m for m in result["measures"] if m["plan"] == plan["id"]]
        suite = ET.SubElement(root, "testsuite", name=plan["id"], tests=str(len(measures)))
        n_fail = 0
        for m in measures:
            case = ET.SubElement(suite, "testcase", classname=f"rulealign.{plan['id']}", name=m["id"],
                                 file=m["file"], line=str(m["line"]))
            for ch in by_measure.get(m["id"], []):
                failure = ET.SubElement(case, "failure", type=class_id(ch.cls), message=ch.message)
                failure.text = ch.message
            if by_measure.get(m["id"]):
                n_fail += 1
            links = ", ".join(f"{link['article']} ({link['score']:.2f})" for link in m["links"]) or "no link"
            ET.SubElement(case, "system-out").text = f"{'aligned' if m['aligned'] else 'not aligned'}: {links}"
        suite.set("failures", str(n_fail))
        suite.set("errors", "0")
        total += len(measures)
        failures += n_fail
    others = [ch for ch in comparison.failing(fail_on) if ch.measure is None]
    if others:
        suite = ET.SubElement(root, "testsuite", name="corpus", tests=str(len(others)), failures=str(len(others)),
                              errors="0")
        for ch in others:
            case = ET.SubElement(suite, "testcase", classname="rulealign.corpus",
                                 name=f"{class_id(ch.cls)}:{ch.article or ch.file}")
            ET.SubElement(case, "failure", type=class_id(ch.cls), message=ch.message).text = ch.message
        total += len(others)
        failures += len(others)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(comparison: Comparison, fail_on: tuple[str, ...]) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=N,title=...::message`."""
    lines = []
    for ch in comparison.changes:
        level = {"error": "error", "warning": "warning", "note": "notice"}[_level(ch, fail_on)]
        props = []
        if ch.file:
            props.append(f"file={_escape_property(ch.file)}")
            props.append(f"line={max(ch.line or 1, 1)}")
        props.append(f"title={_escape_property('rulealign: ' + ch.cls)}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(ch.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_changes_text(comparison: Comparison, fail_on: tuple[str, ...]) -> str:
    if not comparison.changes:
        return "no changes" + (f" since {comparison.baseline}" if comparison.baseline else "") + "\n"
    out = []
    for ch in comparison.changes:
        tag = "FAIL" if ch.cls in fail_on else ("ok  " if ch.cls in IMPROVEMENTS else "warn")
        where = f"{ch.file}:{ch.line}: " if ch.file else ""
        out.append(f"{tag} [{class_id(ch.cls)}] {where}{ch.message}")
    return "\n".join(out) + "\n"
