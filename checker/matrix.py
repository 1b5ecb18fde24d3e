"""Stage 4: combine the signals into one score, roll clauses up to articles, keep the evidence.

The alignment matrix holds measures x clauses (every signal and the combined score) and
measures x articles (the best clause score of each article, and which clause gave it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AlignmentMatrix:
    measure_ids: tuple[str, ...]
    clause_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    clause_article: np.ndarray  # clause index -> article index
    weights: Mapping[str, float]
    signals: Mapping[str, np.ndarray]  # name -> measures x clauses, each in [0, 1]
    clause_scores: np.ndarray  # measures x clauses, in [0, 1]
    article_scores: np.ndarray  # measures x articles
    best_clause: np.ndarray  # measures x articles -> clause index of the evidence
    chapter_ids: tuple[str, ...] = ()
    chapter_scores: np.ndarray | None = None  # measures x chapters: the best article's score
    best_article: np.ndarray | None = None  # measures x chapters -> article index of the evidence

    def measure_index(self, measure_id: str) -> int:
        return self.measure_ids.index(measure_id)

    def signal_parts(self, m: int, c: int) -> dict[str, float]:
        """Each signal's value for one pair (for explanations; not used in scoring)."""
        return {name: float(s[m, c]) for name, s in self.signals.items()}


def combine(signals: Mapping[str, np.ndarray], weights: Mapping[str, float],
            available: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Weighted mean of the signals. A signal a measure cannot have (no English text for the
    lexical and fuzzy signals) drops out of that measure's mean instead of counting as zero."""
    names = [n for n in signals if weights.get(n, 0) > 0]
    if not names:
        raise ValueError("no signal has a positive weight")
    shape = signals[names[0]].shape
    total = np.zeros(shape)
    wsum = np.zeros((shape[0], 1))
    for n in names:
        w = float(weights[n])
        mask = np.ones(shape[0], bool) if available is None or n not in available else available[n]
        total += w * signals[n] * mask[:, None]
        wsum += w * mask[:, None]
    wsum[wsum == 0] = 1.0
    return np.clip(total / wsum, 0.0, 1.0)


def roll_up(clause_scores: np.ndarray, clause_article: np.ndarray, n_articles: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Max over each article's clauses, and the first clause reaching that max.

    Clauses of an article must be contiguous (the corpus loader keeps them so)."""
    if clause_scores.shape[1] == 0:
        empty = np.zeros((clause_scores.shape[0], n_articles))
        return empty, empty.astype(int)
    if np.any(np.diff(clause_article) < 0):
        raise ValueError("clauses must be grouped by article")
    starts = np.flatnonzero(np.r_[True, np.diff(clause_article) != 0])
    present = clause_article[starts]
    best = np.maximum.reduceat(clause_scores, starts, axis=1)
    at_max = clause_scores >= best[:, np.searchsorted(present, clause_article)]
    idx = np.where(at_max, np.arange(clause_scores.shape[1])[None, :], clause_scores.shape[1])
    first = np.minimum.reduceat(idx, starts, axis=1)
    article_scores = np.zeros((clause_scores.shape[0], n_articles))
    best_clause = np.zeros((clause_scores.shape[0], n_articles), dtype=int)
    article_scores[:, present] = best
    best_clause[:, present] = first
    return article_scores, best_clause


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best scores per row, best first (ties: lower index first)."""
    k = min(k, scores.shape[1])
    if k == 0:
        return np.zeros((scores.shape[0], 0), dtype=int)
    order = np.argsort(-scores, axis=1, kind="stable")
    return order[:, :k]


def to_confidence(raw: np.ndarray, confidence: tuple[float, float] | None) -> np.ndarray:
    """Platt scaling fitted on the gold labels (checker/evaluate.py): the raw weighted mean becomes
    the estimated probability that a reviewer would confirm the link. Monotonic: ranks are kept."""
    if confidence is None:
        return raw
    a, b = confidence
    return 1.0 / (1.0 + np.exp(-(a * raw + b)))


def build(measure_ids: Sequence[str], clause_ids: Sequence[str], article_ids: Sequence[str],
          clause_article: np.ndarray, signals: Mapping[str, np.ndarray],
          weights: Mapping[str, float], available: Mapping[str, np.ndarray] | None = None,
          confidence: tuple[float, float] | None = None, chapter_ids: Sequence[str] = (),
          article_chapter: np.ndarray | None = None) -> AlignmentMatrix:
    """Paragraphs roll up to articles and articles to chapters (max), each keeping its evidence."""
    scores = to_confidence(combine(signals, weights, available), confidence)
    article_scores, best_clause = roll_up(scores, clause_article, len(article_ids))
    chapter_scores = best_article = None
    if article_chapter is not None and len(chapter_ids):
        chapter_scores, best_article = roll_up(article_scores, article_chapter, len(chapter_ids))
    return AlignmentMatrix(tuple(measure_ids), tuple(clause_ids), tuple(article_ids),
                           clause_article, dict(weights), dict(signals), scores, article_scores,
                           best_clause, tuple(chapter_ids), chapter_scores, best_article)
