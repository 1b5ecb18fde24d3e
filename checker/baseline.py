"""The baseline a project commits, and the comparison that gates CI.

A baseline records, per measure, whether it is aligned and by which links (with scores and
fingerprints). `rulealign check --baseline FILE` compares the current run with it and classifies
every difference; the gate fails on the classes chosen with `--fail-on`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker import __version__
from checker.corpus import Corpus
from checker.decide import MISSED, Decision
from checker.decisions import FINGERPRINT_VERSION, article_text, fingerprint, measure_text
from checker.errors import InputError, problem
from checker.yamlio import read_text, write_atomic

SCHEMA = "rulealign.baseline/1"

NEWLY_ALIGNED = "newly aligned"
NO_LONGER_ALIGNED = "no longer aligned"
LINK_LOST = "link lost"
LINK_GAINED = "link gained"
SCORE_DROPPED = "score dropped"
SUSPECT = "suspect"
MEASURE_REMOVED = "measure removed"
ARTICLE_REMOVED = "article removed"
MEASURE_ADDED = "measure added"
UNCOVERED_GREW = "uncovered binding grew"
TARGET_MISSED = "target missed"

CLASSES = (NO_LONGER_ALIGNED, SUSPECT, UNCOVERED_GREW, TARGET_MISSED, LINK_LOST, SCORE_DROPPED,
           MEASURE_REMOVED, ARTICLE_REMOVED, NEWLY_ALIGNED, LINK_GAINED, MEASURE_ADDED)
DEFAULT_FAIL_ON = (NO_LONGER_ALIGNED, SUSPECT, UNCOVERED_GREW, TARGET_MISSED)
# Differences that are not regressions: reported, never failing unless asked for.
IMPROVEMENTS = (NEWLY_ALIGNED, LINK_GAINED, MEASURE_ADDED)


def class_id(cls: str) -> str:
    return cls.replace(" ", "-")


def parse_classes(values: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """`--fail-on no-longer-aligned,suspect` (or `all`, `none`) -> class names."""
    items = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip().lower().replace("_", "-")
            if not part:
                continue
            if part == "all":
                names.extend(CLASSES)
                continue
            if part == "none":
                continue
            match = [c for c in CLASSES if class_id(c) == part or c == part]
            if not match:
                known = ", ".join(class_id(c) for c in CLASSES)
                raise InputError(f"unknown class {part!r} for --fail-on (known: {known}, all, none)")
            names.append(match[0])
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Change:
    cls: str
    measure: str | None
    article: str | None
    message: str
    before: float | None
    after: float | None
    file: str | None
    line: int | None

    def to_json(self) -> dict[str, Any]:
        return {"class": self.cls, "id": class_id(self.cls), "measure": self.measure,
                "article": self.article, "message": self.message, "before": self.before,
                "after": self.after, "file": self.file, "line": self.line}


@dataclass(frozen=True)
class Comparison:
    baseline: str | None  # path of the baseline compared with, if any
    changes: tuple[Change, ...]

    def failing(self, fail_on: tuple[str, ...]) -> list[Change]:
        return [c for c in self.changes if c.cls in fail_on]

    def to_json(self, fail_on: tuple[str, ...]) -> dict[str, Any]:
        return {"baseline": self.baseline, "fail_on": [class_id(c) for c in fail_on],
                "items": [dict(c.to_json(), failing=c.cls in fail_on) for c in self.changes]}


def uncovered_binding(corpus: Corpus, decision: Decision) -> list[str]:
    return [a.id for a in corpus.articles
            if a.force == "binding" and not a.fully_suspended and not decision.covered_by.get(a.id)]


def make_baseline(corpus: Corpus, decision: Decision, generated: datetime | None = None) -> dict[str, Any]:
    measures = {m.id: m for m in corpus.measures}
    out_measures = {}
    for md in decision.measures:
        m = measures[md.id]
        out_measures[md.id] = {
            "plan": md.plan, "file": m.path, "line": m.line, "aligned": md.aligned,
            "fingerprint": fingerprint(measure_text(m)),
            "links": {link.article: {"clause": link.clause, "score": link.score, "status": link.status}
                      for link in md.links},
        }
    return {
        "schema": SCHEMA,
        "generated": (generated or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(),
        "tool": {"name": "rulealign", "version": __version__},
        "threshold": decision.threshold,
        "fingerprint_version": FINGERPRINT_VERSION,
        "measures": out_measures,
        "articles": {a.id: {"fingerprint": fingerprint(article_text(a)), "force": a.force,
                            "file": a.path, "line": a.line} for a in corpus.articles},
        "uncovered_binding": uncovered_binding(corpus, decision),
    }


def write_baseline(path: Path, baseline: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(baseline, ensure_ascii=False, indent=1, sort_keys=False) + "\n")


def load_baseline(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise InputError(problem(path, None, "baseline not found (create one with `rulealign baseline`)"))
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(problem(path, exc.lineno, f"not valid JSON: {exc.msg}")) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(problem(path, 1, f"not a rulealign baseline (expected schema {SCHEMA})"))
    for key in ("measures", "articles", "uncovered_binding"):
        if key not in data:
            raise InputError(problem(path, 1, f"baseline has no {key!r}"))
    return data


def compare(corpus: Corpus, decision: Decision, baseline: dict[str, Any] | None = None,
            baseline_path: str | None = None, margin: float = 0.1) -> Comparison:
    """Every difference from the baseline, plus what fails without one (suspect links, missed targets)."""
    changes: list[Change] = []
    measures = {m.id: m for m in corpus.measures}
    current = {md.id: md for md in decision.measures}
    articles = {a.id for a in corpus.articles}

    for md in decision.measures:
        m = measures[md.id]
        for cand in md.suspects:
            review = cand.review
            assert review is not None
            what = " and ".join(f"{t} text" for t in review.changed)
            when = f" on {review.when}" if review.when else ""
            by = f" by {review.by}" if review.by else ""
            changes.append(Change(SUSPECT, md.id, cand.article,
                                  f"{md.id} → {cand.article}: accepted link is suspect: {what} changed since "
                                  f"it was reviewed{by}{when}; review it again",
                                  review.score_at_review, cand.score, m.path, m.line))
    for p in decision.plans:
        if p.status == MISSED:
            plan_file = next(pl.path for pl in corpus.plans if pl.id == p.id)
            changes.append(Change(TARGET_MISSED, None, None, f"plan {p.id}: target missed: {p.reason}",
                                  None, None, plan_file, 1))

    if baseline is not None:
        old_measures: dict[str, Any] = baseline["measures"]
        for mid, old in old_measures.items():
            md = current.get(mid)
            if md is None:
                changes.append(Change(MEASURE_REMOVED, mid, None,
                                      f"{mid}: measure removed (was {'aligned' if old['aligned'] else 'not aligned'})",
                                      None, None, old.get("file"), old.get("line")))
                continue
            m = measures[mid]
            new_links = {link.article: link for link in md.links}
            for aid, old_link in old["links"].items():
                new = new_links.get(aid)
                if new is None:
                    if aid not in articles:
                        reason = "the article was removed"
                    else:
                        review = next((c.review for c in md.candidates + md.suspects if c.article == aid), None)
                        now = next((c.score for c in md.candidates if c.article == aid), None)
                        if review and review.status == "rejected":
                            reason = "a reviewer rejected it"
                        elif now is not None:
                            reason = f"score {old_link['score']:.2f} → {now:.2f}, below the threshold"
                        else:
                            reason = "it is no longer among the candidates"
                    changes.append(Change(LINK_LOST, mid, aid, f"{mid} → {aid}: link lost ({reason})",
                                          old_link["score"], None, m.path, m.line))
                elif old_link["score"] - new.score > margin:
                    changes.append(Change(SCORE_DROPPED, mid, aid,
                                          f"{mid} → {aid}: score dropped {old_link['score']:.2f} → {new.score:.2f}",
                                          old_link["score"], new.score, m.path, m.line))
            for aid, new in new_links.items():
                if aid not in old["links"]:
                    changes.append(Change(LINK_GAINED, mid, aid, f"{mid} → {aid}: link gained ({new.score:.2f})",
                                          None, new.score, m.path, m.line))
            if old["aligned"] and not md.aligned:
                lost = [a for a in old["links"] if a not in new_links]
                was = ", ".join(old["links"]) or "nothing"
                now_with = ", ".join(new_links) or "nothing"
                changes.append(Change(NO_LONGER_ALIGNED, mid, lost[0] if lost else None,
                                      f"{mid}: no longer aligned (it docked with {was}; now with {now_with})",
                                      max((v["score"] for v in old["links"].values()), default=None),
                                      max((link.score for link in md.links), default=None), m.path, m.line))
            elif not old["aligned"] and md.aligned:
                changes.append(Change(NEWLY_ALIGNED, mid, md.links[0].article if md.links else None,
                                      f"{mid}: newly aligned (with {', '.join(new_links)})", None,
                                      md.links[0].score if md.links else None, m.path, m.line))
        for mid, md in current.items():
            if mid not in old_measures:
                m = measures[mid]
                changes.append(Change(MEASURE_ADDED, mid, None,
                                      f"{mid}: measure added ({'aligned' if md.aligned else 'not aligned'})",
                                      None, None, m.path, m.line))
        for aid, old_art in baseline["articles"].items():
            if aid not in articles:
                changes.append(Change(ARTICLE_REMOVED, None, aid, f"{aid}: article removed from the rules",
                                      None, None, old_art.get("file"), old_art.get("line")))
        before = set(baseline["uncovered_binding"])
        now = uncovered_binding(corpus, decision)
        if len(now) > len(before):
            by_id = {a.id: a for a in corpus.articles}
            for aid in now:
                if aid not in before:
                    a = by_id[aid]
                    changes.append(Change(UNCOVERED_GREW, None, aid,
                                          f"{aid} ({a.title}): binding obligation no longer covered by any measure "
                                          f"(uncovered binding obligations {len(before)} → {len(now)})",
                                          None, None, a.path, a.line))
    order = {c: i for i, c in enumerate(CLASSES)}
    changes.sort(key=lambda c: (order[c.cls], c.measure or "", c.article or ""))
    return Comparison(baseline_path, tuple(changes))
