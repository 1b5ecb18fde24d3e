"""Each signal and the matrix operations, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from checker import signals
from checker.matrix import build, combine, roll_up, top_k


def test_lexical_is_one_for_identical_and_zero_for_disjoint_texts() -> None:
    m = [("single", "window", "trade")]
    c = [("single", "window", "trade"), ("patent", "term", "delay")]
    s = signals.lexical(m, c)
    assert s.shape == (1, 2)
    assert s[0, 0] == pytest.approx(1.0)
    assert s[0, 1] == 0.0


def test_lexical_weighs_rare_terms_above_common_ones() -> None:
    clauses = [("service", "supplier", "window")] + [("service", "supplier", f"x{i}") for i in range(20)]
    s = signals.lexical([("service", "window")], clauses)
    # "window" is in one clause, "service" in all: the clause with the rare word wins clearly
    assert s[0, 0] > 2 * s[0, 1]


def test_lexical_discounts_long_clauses_and_words_no_clause_has() -> None:
    clauses = [("single", "window"), ("single", "window", *[f"w{i}" for i in range(20)]), ("patent", "term")]
    s = signals.lexical([("single", "window"), ("single", "window", "plant", "tree", "riverside")], clauses)
    assert s[0, 0] > s[0, 1] > 0  # the same words in a long clause say less (BM25 length norm)
    # A measure that also talks of things no clause mentions matches less of what it says.
    assert s[0, 0] == pytest.approx(1.0) and s[1, 0] < 0.7 * s[0, 0]
    assert s.min() >= 0.0 and s.max() <= 1.0


def test_fuzzy_scores_whole_matrix_in_unit_range() -> None:
    m = [("computing", "facility", "location"), ("park", "tree")]
    c = [("location", "computing", "facility", "condition"), ("patent", "term")]
    s = signals.fuzzy(m, c)
    assert s.shape == (2, 2)
    assert s.min() >= 0.0 and s.max() <= 1.0
    assert s[0, 0] > s[0, 1] and s[0, 0] > s[1, 0]


def test_concept_signal_rewards_shared_concepts_only() -> None:
    index = {"single-window": 0, "paperless": 1, "patents": 2}
    s = signals.concept([["single-window", "paperless"], []], [["single-window"], ["patents"], []], index)
    assert s[0, 0] > 0 and s[0, 1] == 0 and s[0, 2] == 0
    assert not s[1].any()  # a measure with no concept scores zero everywhere


def test_roll_up_takes_max_per_article_and_remembers_the_clause() -> None:
    scores = np.array([[0.1, 0.7, 0.2, 0.4, 0.4], [0.9, 0.0, 0.3, 0.1, 0.2]])
    clause_article = np.array([0, 0, 1, 2, 2])
    art, best = roll_up(scores, clause_article, 3)
    assert art.tolist() == [[0.7, 0.2, 0.4], [0.9, 0.3, 0.2]]
    assert best.tolist() == [[1, 2, 3], [0, 2, 4]]  # ties go to the first clause


def test_roll_up_requires_contiguous_articles() -> None:
    with pytest.raises(ValueError):
        roll_up(np.zeros((1, 3)), np.array([0, 1, 0]), 2)


def test_top_k_is_best_first() -> None:
    assert top_k(np.array([[0.1, 0.9, 0.5, 0.9]]), 3).tolist() == [[1, 3, 2]]


def test_combine_drops_unavailable_signals_per_measure() -> None:
    sig = {"lexical": np.array([[1.0], [1.0]]), "concept": np.array([[0.5], [0.5]])}
    weights = {"lexical": 0.5, "concept": 0.5}
    out = combine(sig, weights, {"lexical": np.array([True, False])})
    assert out[:, 0].tolist() == pytest.approx([0.75, 0.5])


def test_build_keeps_every_signal_for_explanations() -> None:
    sig = {"lexical": np.array([[0.2, 0.8]]), "concept": np.array([[1.0, 0.0]])}
    m = build(["m"], ["a:1.1", "a:1.2"], ["a:1"], np.array([0, 0]), sig, {"lexical": 1, "concept": 1})
    assert m.article_scores.tolist() == [[0.6]]
    assert m.signal_parts(0, 0) == {"lexical": 0.2, "concept": 1.0}


def test_build_rolls_articles_up_to_chapters_with_evidence() -> None:
    sig = {"lexical": np.array([[0.2, 0.8, 0.5, 0.1]])}
    m = build(["m"], ["a:1.1.1", "a:1.1.2", "a:2.1", "a:2.2"], ["a:1.1", "a:2.1", "a:2.2"],
              np.array([0, 0, 1, 2]), sig, {"lexical": 1}, chapter_ids=["a:ch1", "a:ch2"],
              article_chapter=np.array([0, 1, 1]))
    assert m.chapter_scores.tolist() == [[0.8, 0.5]]
    assert m.best_article.tolist() == [[0, 1]]


def test_scope_is_the_share_of_trade_rule_concepts_and_never_reorders_clauses() -> None:
    found = [{"single-window": ("single window",)}, {"data-innovation": ("big data",)}, {}, {}]
    outside = [{}, {"support-funding": ("start-up grants",), "building-works": ("industrial park",)},
               {"promotion-events": ("trade fair",)}, {}]
    s = signals.scope(found, outside, 3)
    assert s.shape == (4, 3)
    assert s[:, 0].tolist() == pytest.approx([1.0, 1 / 3, 0.0, 1.0])
    assert (s == s[:, :1]).all()  # a constant per measure: it moves scores against the threshold only
    lexical = signals.lexical([("single", "window")] * 4, [("single", "window"), ("patent",), ("window",)])
    both = combine({"lexical": lexical, "scope": s}, {"lexical": 0.6, "scope": 0.4})
    assert (np.argsort(-both, axis=1, kind="stable") == np.argsort(-lexical, axis=1, kind="stable")).all()
    assert both[0, 0] > both[1, 0] > both[2, 0]
