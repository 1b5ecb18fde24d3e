"""The whole pipeline on the hand-made fixtures: known links, known non-links, plan targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURE_THRESHOLD, FIXTURE_WEIGHTS

from checker.config import Config
from checker.decide import MET, MISSED, NO_TARGET, NOT_ASSESSABLE
from checker.pipeline import run


def fixture_config(**kwargs) -> Config:
    return Config(weights=FIXTURE_WEIGHTS, threshold=FIXTURE_THRESHOLD, **kwargs)


@pytest.fixture
def fixture_run(mdta: Path, pilot: Path, zh_only: Path, concepts: Path):
    cfg = fixture_config(rules=(mdta,), measures=(str(pilot), str(zh_only),
                                          str(pilot.parent / "patent.yaml")), concepts=concepts)
    return run(cfg)


def links_of(r, measure_id: str) -> list[str]:
    md = next(m for m in r.decision.measures if m.id == measure_id)
    return [link.article for link in md.links]


@pytest.mark.parametrize(("measure", "article"), [
    ("p-data", "mdta:1.2"),
    ("p-window", "mdta:1.4"),
    ("p-finance", "mdta:2.1"),
])
def test_measure_links_to_the_article_it_docks_with(fixture_run, measure: str, article: str) -> None:
    assert links_of(fixture_run, measure)[0] == article


def test_unrelated_measure_links_to_nothing(fixture_run) -> None:
    md = next(m for m in fixture_run.decision.measures if m.id == "p-park")
    assert md.links == () and not md.aligned
    assert md.candidates[0].score < 0.1


def test_chinese_only_measure_links_through_concepts(fixture_run) -> None:
    assert links_of(fixture_run, "z-data") == ["mdta:1.2"]
    assert links_of(fixture_run, "z-park") == []


def test_link_to_a_suspended_provision_does_not_make_a_measure_aligned(fixture_run) -> None:
    md = next(m for m in fixture_run.decision.measures if m.id == "pt-term")
    assert [link.article for link in md.links] == ["mdta:annex-2-A"]
    assert md.links[0].suspended and md.only_suspended and not md.aligned


def test_plan_statuses(fixture_run) -> None:
    plans = {p.id: p for p in fixture_run.decision.plans}
    assert (plans["pilot"].listed, plans["pilot"].aligned, plans["pilot"].status) == (4, 3, MET)
    assert plans["zh-only"].status == NO_TARGET


def test_target_missed_and_partial_list(mdta: Path, pilot: Path, concepts: Path) -> None:
    cfg = fixture_config(rules=(mdta,), measures=(str(pilot),), concepts=concepts,
                 targets={"pilot": {"aligned": 4, "share": 1.0}})
    plan = run(cfg).decision.plans[0]
    assert plan.status == MISSED and plan.reason == "3 aligned < 4; share 75% < 100%"


def test_partial_list_is_not_assessable(tmp_path: Path, mdta: Path, pilot: Path, concepts: Path) -> None:
    text = pilot.read_text(encoding="utf-8").replace("declared: 4", 'declared: "170+"')
    partial = tmp_path / "pilot.yaml"
    partial.write_text(text, encoding="utf-8")
    plan = run(fixture_config(rules=(mdta,), measures=(str(partial),), concepts=concepts)).decision.plans[0]
    assert plan.status == NOT_ASSESSABLE and plan.reason == "list partial: 4 of 170+ listed"


def test_every_link_is_a_candidate_and_candidates_are_best_first(fixture_run) -> None:
    for md in fixture_run.decision.measures:
        scores = [c.score for c in md.candidates]
        assert scores == sorted(scores, reverse=True)
        assert {link.article for link in md.links} <= {c.article for c in md.candidates}
        assert all(link.score >= fixture_run.decision.threshold for link in md.links)
