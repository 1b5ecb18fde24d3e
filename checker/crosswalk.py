"""Crosswalk: every article of one agreement matched against the clauses of another.

The same signals as measure matching, with whole articles as queries. It answers "what is the
CPTPP counterpart of DEPA 4.3?", and gives the report each article's counterpart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from checker.concepts import Concept, ConceptTagger
from checker.corpus import Agreement
from checker.errors import InputError
from checker.matrix import build, top_k
from checker.pipeline import Run, Side, analyse_side, clause_text, score


@dataclass(frozen=True)
class Counterpart:
    article: str
    clause: str
    score: float


@dataclass(frozen=True)
class CrosswalkRow:
    article: str
    title: str
    counterparts: tuple[Counterpart, ...]


def _query_side(agreement: Agreement, tagger: ConceptTagger | None) -> Side:
    """Whole articles as queries: title and every paragraph."""
    return analyse_side([a.id for a in agreement.articles],
                        [f"{a.title}. " + " ".join(c.text for c in a.clauses) for a in agreement.articles],
                        [None] * len(agreement.articles), tagger)


def _rank(q_side: Side, t_side: Side, target: Agreement, concepts: Sequence[Concept],
          weights: Mapping[str, float], top: int) -> dict[str, tuple[Counterpart, ...]]:
    """Each query's best articles of `target` (whose clauses `t_side` holds, in corpus order)."""
    art_index = {a.id: i for i, a in enumerate(target.articles)}
    clause_article = np.array([art_index[c.article_id] for a in target.articles for c in a.clauses], dtype=int)
    article_ids = [a.id for a in target.articles]
    matrix = build(q_side.ids, t_side.ids, article_ids, clause_article,
                   score(q_side, t_side, concepts, article_ids, clause_article), weights)
    best = top_k(matrix.article_scores, top)
    return {qid: tuple(Counterpart(matrix.article_ids[ai], matrix.clause_ids[int(matrix.best_clause[qi, ai])],
                                   round(float(matrix.article_scores[qi, ai]), 4)) for ai in best[qi])
            for qi, qid in enumerate(q_side.ids)}


def crosswalk(source: Agreement, target: Agreement, concepts: Sequence[Concept],
              weights: Mapping[str, float], top: int = 3, tagger: ConceptTagger | None = None) -> list[CrosswalkRow]:
    if source.id == target.id:
        raise InputError(f"crosswalk needs two different agreements, not {source.id} twice")
    tagger = tagger if tagger is not None else (ConceptTagger(concepts) if concepts else None)
    pairs = [(a, c) for a in target.articles for c in a.clauses]
    t_side = analyse_side([c.id for _, c in pairs], [clause_text(a, c) for a, c in pairs], [None] * len(pairs),
                          tagger)
    ranked = _rank(_query_side(source, tagger), t_side, target, concepts, weights, top)
    return [CrosswalkRow(a.id, a.title, ranked[a.id]) for a in source.articles]


def counterparts(run: Run, top: int = 3) -> dict[str, tuple[Counterpart, ...]]:
    """Every article's best counterparts in each other agreement, for the report. Reuses the run's
    analysed clauses; only the article texts used as queries are analysed here."""
    agreements = run.corpus.agreements
    if len(agreements) < 2:
        return {}
    queries = {ag.id: _query_side(ag, run.tagger) for ag in agreements}
    clause_pos = {cid: i for i, cid in enumerate(run.clauses.ids)}
    out: dict[str, tuple[Counterpart, ...]] = {}
    for target in agreements:
        idx = [clause_pos[c.id] for a in target.articles for c in a.clauses]
        t_side = Side([run.clauses.ids[i] for i in idx], [run.clauses.lemmas[i] for i in idx],
                      [run.clauses.tags[i] for i in idx], run.clauses.has_english[idx])
        for source in agreements:
            if source.id != target.id:
                for aid, cps in _rank(queries[source.id], t_side, target, run.concepts, run.config.weights,
                                      top).items():
                    out[aid] = out.get(aid, ()) + cps
    return out
