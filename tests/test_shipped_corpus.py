"""The shipped corpora: counts as the signed texts have them, unique ids, the suspended set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checker.corpus import Corpus, expand_measure_paths, load_corpus

ROOT = Path(__file__).resolve().parents[1]

# Articles per chapter in the signed TPP text that the CPTPP incorporates.
SIGNED_COUNTS = {
    1: 3, 2: 32, 3: 32, 4: 9, 5: 12, 6: 8, 7: 18, 8: 13, 9: 30, 10: 13, 11: 22, 12: 10, 13: 26,
    14: 18, 15: 24, 16: 9, 17: 15, 18: 83, 19: 15, 20: 23, 21: 6, 22: 5, 23: 9, 24: 3, 25: 11,
    26: 12, 27: 7, 28: 23, 29: 8, 30: 8,
}
PARAGRAPH_LEVEL = {5, 9, 10, 11, 12, 13, 14, 15, 17, 18, 24, 25, 26}
PARAGRAPH_ANNEXES = {"8-B", "10-A", "10-B", "11-A", "11-B"}

# Units the CPTPP suspends (its Article 2 and Annex), as marked in rules/cptpp.
SUSPENDED = {
    "cptpp:5.7.1", "cptpp:9.1", "cptpp:9.19.1", "cptpp:9.19.2", "cptpp:9.19.3", "cptpp:9.22.5",
    "cptpp:9.25.2", "cptpp:annex-9-L", "cptpp:annex-10-B.5", "cptpp:annex-10-B.6", "cptpp:11.2.2",
    "cptpp:annex-11-E", "cptpp:13.21.1", "cptpp:15.8.5", "cptpp:15.24.2", "cptpp:18.8.1",
    "cptpp:18.37.2", "cptpp:18.37.4", "cptpp:18.46", "cptpp:18.48", "cptpp:18.50", "cptpp:18.51",
    "cptpp:18.63", "cptpp:18.68", "cptpp:18.69", "cptpp:18.79", "cptpp:18.82", "cptpp:annex-18-E",
    "cptpp:annex-18-F", "cptpp:20.17",
}
WHOLLY_SUSPENDED_ARTICLES = {
    "cptpp:18.46", "cptpp:18.48", "cptpp:18.50", "cptpp:18.51", "cptpp:18.63", "cptpp:18.68",
    "cptpp:18.69", "cptpp:18.79", "cptpp:18.82", "cptpp:annex-18-E", "cptpp:annex-18-F",
    "cptpp:annex-9-L", "cptpp:annex-11-E",
}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus([ROOT / "rules" / "cptpp", ROOT / "rules" / "depa"],
                       expand_measure_paths([ROOT / "measures"], exclude=[ROOT / "measures" / "decisions.yaml"]))


@pytest.fixture(scope="module")
def cptpp(corpus: Corpus):
    return next(a for a in corpus.agreements if a.id == "cptpp")


def test_cptpp_has_30_chapters_and_the_instrument(cptpp) -> None:
    numbers = [c.number for c in cptpp.chapters]
    assert numbers == [str(n) for n in range(1, 31)] + ["CPTPP"]


def test_cptpp_article_counts_match_the_signed_text(cptpp) -> None:
    counts = Counter(a.chapter for a in cptpp.articles if a.kind == "article")
    assert {int(k.split(":ch")[1]): v for k, v in counts.items() if k != "cptpp:chCPTPP"} == SIGNED_COUNTS
    assert sum(SIGNED_COUNTS.values()) == 507
    instrument = [a.number for a in cptpp.articles if a.chapter == "cptpp:chCPTPP" and a.kind == "article"]
    assert instrument == [f"CPTPP.{i}" for i in range(1, 8)]


def test_priority_chapters_are_restated_paragraph_by_paragraph(cptpp) -> None:
    levels = {int(c.number): c.level for c in cptpp.chapters if c.number.isdigit()}
    assert {n for n, lv in levels.items() if lv == "paragraph"} == PARAGRAPH_LEVEL
    annexes = {a.number: a for a in cptpp.articles if a.kind == "annex"}
    for number in PARAGRAPH_ANNEXES | {"12-A"}:
        assert number in annexes, number
    for number in PARAGRAPH_ANNEXES:
        assert all(c.label for c in annexes[number].clauses), number
    assert "cptpp:annex-11-B.B.1" in {c.id for c in annexes["11-B"].clauses}
    assert "cptpp:annex-8-B.A.3" in {c.id for c in annexes["8-B"].clauses}


def test_ids_are_unique_and_follow_the_treaty_numbers(corpus: Corpus) -> None:
    ids = [a.id for a in corpus.articles] + [c.id for c in corpus.clauses if c.id != c.article_id]
    assert len(ids) == len(set(ids))
    clauses = {c.id for c in corpus.clauses}
    assert {"cptpp:14.11.2", "cptpp:14.13.2", "depa:4.3", "cptpp:11.13.1"} & clauses


def test_suspended_provisions_are_marked(cptpp) -> None:
    marked = {a.id for a in cptpp.articles if a.suspended}
    marked |= {c.id for a in cptpp.articles for c in a.clauses if c.suspended}
    annex_26a = {m for m in marked if m.startswith("cptpp:annex-26-A")}
    assert annex_26a, "Annex 26-A Article 3 is suspended in part"
    assert marked - annex_26a == SUSPENDED
    wholly = {a.id for a in cptpp.articles if a.fully_suspended}
    assert wholly == WHOLLY_SUSPENDED_ARTICLES


def test_binding_obligations_are_recognised(cptpp) -> None:
    force = {c.id: c.force for a in cptpp.articles for c in a.clauses}
    assert force["cptpp:14.11.2"] == "binding"
    assert force["cptpp:14.13.2"] == "binding"
    assert force["cptpp:14.1"] == "definitional"
    assert Counter(force.values())["binding"] > 500


def test_depa_has_16_modules_with_confidence_on_every_article(corpus: Corpus) -> None:
    depa = next(a for a in corpus.agreements if a.id == "depa")
    assert [c.number for c in depa.chapters] == [str(n) for n in range(1, 17)]
    assert depa.division == "module"
    arts = [a for a in depa.articles if a.kind == "article"]
    assert all(a.confidence in ("confirmed", "recalled") for a in arts)
    numbers = {a.number for a in arts}
    assert {"2.2", "2.3", "2.5", "2.7", "3.2", "3.3", "4.2", "4.3", "4.4", "5.1", "6.3", "7.1", "8.2",
            "9.5", "11.1"} <= numbers
    confirmed = {a.number for a in arts if a.confidence == "confirmed"}
    assert {"1.3", "9.5"} <= confirmed


def test_measures_at_least_80_in_5_plans_each_bilingual_with_a_source(corpus: Corpus) -> None:
    plans = {p.id: p for p in corpus.plans}
    assert {"beijing-2023", "beijing-2020", "ftz-33", "shanghai-80", "telecom-2024"} <= set(plans)
    assert len(corpus.measures) >= 80
    for m in corpus.measures:
        assert m.text and m.text_zh and m.source and m.source.startswith("http"), m.id
    bj = plans["beijing-2023"]
    assert bj.declared == 170 and bj.declared_at_least
    assert bj.target is not None and (bj.target.aligned, bj.target.share) == (70, 0.40)
    assert plans["ftz-33"].declared == 33 and plans["shanghai-80"].declared == 80
    for p in corpus.plans:
        assert p.declared is None or len(p.measures) <= p.declared, p.id
