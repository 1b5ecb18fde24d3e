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


def crosswalk(source: Agreement, target: Agreement, concepts: Sequence[Concept],
              weights: Mapping[str, float], top: int = 3, tagger: ConceptTagger | None = None) -> list[CrosswalkRow]:
    if source.id == target.id:
        raise InputError(f"crosswalk needs two different agreements, not {source.id} twice")
    tagger = tagger if tagger is not None else (ConceptTagger(concepts) if concepts else None)
    queries = [a for a in source.articles]
    q_side = analyse_side([a.id for a in queries], [f"{a.title}. " + " ".join(c.text for c in a.clauses)
                                                    for a in queries], [None] * len(queries), tagger)
    pairs = [(a, c) for a in target.articles for c in a.clauses]
    t_side = analyse_side([c.id for _, c in pairs], [clause_text(a, c) for a, c in pairs], [None] * len(pairs),
                          tagger)
    art_index = {a.id: i for i, a in enumerate(target.articles)}
    clause_article = np.array([art_index[c.article_id] for _, c in pairs], dtype=int)
    signals = score(q_side, t_side, concepts, [a.id for a in target.articles], clause_article)
    matrix = build(q_side.ids, t_side.ids, [a.id for a in target.articles], clause_article, signals, weights)
    best = top_k(matrix.article_scores, top)
    rows = []
    for qi, art in enumerate(queries):
        cps = tuple(Counterpart(matrix.article_ids[ai], matrix.clause_ids[int(matrix.best_clause[qi, ai])],
                                round(float(matrix.article_scores[qi, ai]), 4)) for ai in best[qi])
        rows.append(CrosswalkRow(art.id, art.title, cps))
    return rows


def counterparts(run: Run, top: int = 3) -> dict[str, tuple[Counterpart, ...]]:
    """Every article's best counterparts in each other agreement, for the report. Reuses the run's
    analysed clauses; only the article texts used as queries are analysed here."""
    agreements = run.corpus.agreements
    if len(agreements) < 2:
        return {}
    tagger = ConceptTagger(run.concepts) if run.concepts else None
    queries = {ag.id: analyse_side([a.id for a in ag.articles],
                                   [f"{a.title}. " + " ".join(c.text for c in a.clauses) for a in ag.articles],
                                   [None] * len(ag.articles), tagger) for ag in agreements}
    clause_pos = {cid: i for i, cid in enumerate(run.clauses.ids)}
    out: dict[str, tuple[Counterpart, ...]] = {}
    for target in agreements:
        idx = [clause_pos[c.id] for a in target.articles for c in a.clauses]
        t_side = Side([run.clauses.ids[i] for i in idx], [run.clauses.lemmas[i] for i in idx],
                      [run.clauses.tags[i] for i in idx], run.clauses.has_english[idx])
        art_index = {a.id: i for i, a in enumerate(target.articles)}
        clause_article = np.array([art_index[c.article_id] for a in target.articles for c in a.clauses], dtype=int)
        for source in agreements:
            if source.id == target.id:
                continue
            q_side = queries[source.id]
            matrix = build(q_side.ids, t_side.ids, [a.id for a in target.articles], clause_article,
                           score(q_side, t_side, run.concepts, [a.id for a in target.articles], clause_article),
                           run.config.weights)
            best = top_k(matrix.article_scores, top)
            for qi, aid in enumerate(q_side.ids):
                out[aid] = out.get(aid, ()) + tuple(
                    Counterpart(matrix.article_ids[ai], matrix.clause_ids[int(matrix.best_clause[qi, ai])],
                                round(float(matrix.article_scores[qi, ai]), 4)) for ai in best[qi])
    return out
