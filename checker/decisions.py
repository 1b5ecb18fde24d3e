"""The decisions ledger: reviewers' accept / reject / unsure stamps on links, kept in git.

Each stamp records fingerprints of the measure text and the article text as they were when the
link was reviewed. When either text changes, an accepted link becomes *suspect* until it is
reviewed again (as Doorstop does for hand-made links). Fingerprints carry the version of the
algorithm that made them, so the algorithm can change without invalidating every stamp: old
stamps are checked with the algorithm they were made with.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from checker.corpus import Article, Measure
from checker.errors import InputError, Problem, problem
from checker.yamlio import LineDict, load_yaml, unknown_fields, write_atomic

SCHEMA = "rulealign.decisions/1"
STATUSES = ("accepted", "rejected", "unsure")
ENTRY_KEYS = {"measure", "article", "status", "by", "when", "note", "score", "measure_fingerprint",
              "article_fingerprint", "fingerprint_version"}


def _normalise_v1(text: str) -> str:
    # Formatting is not content: case, Unicode forms, whitespace and line wrapping are ignored.
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", text).strip()


def _fingerprint_v1(text: str) -> str:
    return "sha256:" + hashlib.sha256(_normalise_v1(text).encode("utf-8")).hexdigest()


FINGERPRINTS: dict[int, Callable[[str], str]] = {1: _fingerprint_v1}
FINGERPRINT_VERSION = max(FINGERPRINTS)


def measure_text(measure: Measure) -> str:
    return "\n".join(t for t in (measure.text, measure.text_zh) if t)


def article_text(article: Article) -> str:
    parts = [article.title] + [f"{c.label or ''} {c.text}" for c in article.clauses]
    return "\n".join(parts)


def fingerprint(text: str, version: int = FINGERPRINT_VERSION) -> str:
    return FINGERPRINTS[version](text)


@dataclass(frozen=True)
class Review:
    measure: str
    article: str
    status: str
    by: str | None
    when: str | None
    note: str | None
    score: float | None
    measure_fingerprint: str | None
    article_fingerprint: str | None
    fingerprint_version: int
    line: int = 0

    def changed(self, measure_fp: Callable[[int], str], article_fp: Callable[[int], str]) -> list[str]:
        """Which texts changed since the review ('measure', 'article'), compared with the stamp's
        own fingerprint algorithm."""
        out = []
        if self.measure_fingerprint and self.measure_fingerprint != measure_fp(self.fingerprint_version):
            out.append("measure")
        if self.article_fingerprint and self.article_fingerprint != article_fp(self.fingerprint_version):
            out.append("article")
        return out


@dataclass
class Ledger:
    path: Path
    reviews: dict[tuple[str, str], Review]
    # Stamps on a measure or article that the baseline had and the corpus no longer has: kept in the
    # file (the baseline comparison reports the removal), but not applied.
    stale: list[Review] = field(default_factory=list)

    def get(self, measure: str, article: str) -> Review | None:
        return self.reviews.get((measure, article))

    def set(self, review: Review) -> None:
        self.reviews[(review.measure, review.article)] = review


def load_ledger(path: Path, measures: Iterable[str] | None = None,
                articles: Iterable[str] | None = None, retired: Iterable[str] = ()) -> Ledger:
    """Read the ledger; a missing file is an empty ledger. Unknown ids are errors (file:line),
    except ids in `retired` (known to the baseline, since removed), whose stamps are set aside."""
    path = Path(path)
    if not path.exists():
        return Ledger(path, {})
    data = load_yaml(path)
    problems: list[Problem] = []
    if data is None:
        return Ledger(path, {})
    if not isinstance(data, LineDict):
        raise InputError(problem(path, 1, "a decisions file is a mapping with 'decisions:'"))
    problems.extend(unknown_fields(path, data, {"schema", "decisions"}, "decisions file"))
    if data.get("schema", SCHEMA) != SCHEMA:
        problems.append(problem(path, data.line_of("schema"),
                                f"unknown schema {data.get('schema')!r} (expected {SCHEMA})"))
    entries = data.get("decisions") or []
    if not isinstance(entries, list):
        raise InputError(problem(path, data.line_of("decisions"), "'decisions' must be a list"))
    known_m = set(measures) if measures is not None else None
    known_a = set(articles) if articles is not None else None
    retired_ids = set(retired)
    reviews: dict[tuple[str, str], Review] = {}
    stale: list[Review] = []
    for e in entries:
        if not isinstance(e, LineDict):
            problems.append(problem(path, getattr(entries, "line", 1), "each decision must be a mapping"))
            continue
        problems.extend(unknown_fields(path, e, ENTRY_KEYS, "decision"))
        mid, aid, status = e.get("measure"), e.get("article"), e.get("status")
        gone = (known_m is not None and mid not in known_m) or (known_a is not None and aid not in known_a)
        if gone and isinstance(mid, str) and isinstance(aid, str) and {mid, aid} & retired_ids \
                and status in STATUSES:
            stale.append(Review(mid, aid, status, _opt(e.get("by")), _opt(e.get("when")), _opt(e.get("note")),
                                None, None, None, FINGERPRINT_VERSION, e.line))
            continue
        if not isinstance(mid, str) or (known_m is not None and mid not in known_m):
            problems.append(problem(path, e.line_of("measure"), f"unknown measure id {mid!r}"))
            continue
        if not isinstance(aid, str) or (known_a is not None and aid not in known_a):
            problems.append(problem(path, e.line_of("article"), f"unknown article id {aid!r}"))
            continue
        if status not in STATUSES:
            problems.append(problem(path, e.line_of("status"),
                                    f"status must be one of {', '.join(STATUSES)}, not {status!r}"))
            continue
        version = e.get("fingerprint_version", FINGERPRINT_VERSION)
        if version not in FINGERPRINTS:
            problems.append(problem(path, e.line_of("fingerprint_version"),
                                    f"unknown fingerprint version {version!r} (known: {sorted(FINGERPRINTS)})"))
            continue
        score = e.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            problems.append(problem(path, e.line_of("score"), f"score must be a number, not {score!r}"))
            continue
        if (mid, aid) in reviews:
            problems.append(problem(path, e.line, f"second decision for {mid} → {aid} "
                                                  f"(first at line {reviews[(mid, aid)].line})"))
            continue
        reviews[(mid, aid)] = Review(mid, aid, status, _opt(e.get("by")), _opt(e.get("when")),
                                     _opt(e.get("note")), float(score) if score is not None else None,
                                     _opt(e.get("measure_fingerprint")), _opt(e.get("article_fingerprint")),
                                     int(version), e.line)
    if problems:
        raise InputError(problems)
    return Ledger(path, reviews, stale)


def _opt(value: object) -> str | None:
    return str(value).strip() if value is not None and str(value).strip() else None


def dump_ledger(ledger: Ledger) -> str:
    entries = []
    for r in sorted(ledger.reviews.values(), key=lambda r: (r.measure, r.article)):
        entry = {"measure": r.measure, "article": r.article, "status": r.status, "by": r.by,
                 "when": r.when, "score": r.score, "measure_fingerprint": r.measure_fingerprint,
                 "article_fingerprint": r.article_fingerprint, "fingerprint_version": r.fingerprint_version,
                 "note": r.note}
        entries.append({k: v for k, v in entry.items() if v is not None})
    header = ("# Review decisions on suggested links (rulealign review). Kept in git; one entry per link.\n"
              "# A stamp's fingerprints are of the texts as reviewed: a change makes an accepted link suspect.\n")
    body = yaml.safe_dump({"schema": SCHEMA, "decisions": entries}, allow_unicode=True, sort_keys=False,
                          width=100)
    return header + body


def save_ledger(ledger: Ledger) -> None:
    write_atomic(ledger.path, dump_ledger(ledger))


def stamp(measure: Measure, article: Article, status: str, by: str | None, when: str, note: str | None,
          score: float | None, line: int = 0) -> Review:
    if status not in STATUSES:
        raise ValueError(status)
    return Review(measure.id, article.id, status, by, when, note,
                  round(score, 4) if score is not None else None,
                  fingerprint(measure_text(measure)), fingerprint(article_text(article)),
                  FINGERPRINT_VERSION, line)

