"""The versioned result document (`rulealign.result/1`, docs/result-schema.md).

Every renderer (HTML, CSV, JSON) reads this one dict, so a saved result.json can be rendered
again without the corpora.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import numpy as np

from checker import __version__
from checker.highlight import add_highlights
from checker.pipeline import Run
from checker.text import terms

SCHEMA = "rulealign.result/1"


def term_idf(run: Run) -> dict[str, float]:
    df: Counter[str] = Counter()
    for lem in run.clauses.lemmas:
        df.update(set(terms(lem)))
    n = len(run.clauses.lemmas) or 1
    return {t: math.log((n + 1) / (c + 1)) + 1 for t, c in df.items()}


def evidence(run: Run, measure: int, clause: int, idf: dict[str, float] | None = None,
             limit: int = 8) -> dict[str, Any]:
    """Why a measure and a clause match: shared concepts first, the measure's concepts that live in
    this article, then the rarest shared terms."""
    idf = idf if idf is not None else term_idf(run)
    m_tags = run.measures.tags[measure].found
    c_tags = run.clauses.tags[clause].found
    shared_concepts = [cid for cid in m_tags if cid in c_tags]
    article = run.matrix.article_ids[int(run.matrix.clause_article[clause])]
    homed = [cid for cid in m_tags if article in run.homes.get(cid, ())]
    m_terms = set(terms(run.measures.lemmas[measure]))
    c_terms = set(terms(run.clauses.lemmas[clause]))
    shared = sorted(m_terms & c_terms, key=lambda t: (-idf.get(t, 0.0), t))
    # A bigram already says what its words say.
    shown: list[str] = []
    for t in shared:
        if " " not in t and any(t in s.split() for s in shown):
            continue
        shown.append(t)
        if len(shown) == limit:
            break
    return {
        "concepts": shared_concepts,
        "concept_words": {cid: {"measure": list(m_tags[cid]), "clause": list(c_tags[cid])}
                          for cid in shared_concepts},
        "homes": homed,  # the measure's concepts whose home (`see`) is this article: the anchor signal
        "terms": shown,
    }


def _best_chapters(matrix: Any, mi: int, limit: int = 5) -> list[dict[str, Any]]:
    """A measure's best chapters or modules: the chapter score is its best article's."""
    if matrix.chapter_scores is None:
        return []
    row = matrix.chapter_scores[mi]
    order = np.argsort(-row, kind="stable")[:limit]
    return [{"chapter": matrix.chapter_ids[c], "score": round(float(row[c]), 4),
             "article": matrix.article_ids[int(matrix.best_article[mi, c])]} for c in order]


def _review(state: Any) -> dict[str, Any] | None:
    if state is None:
        return None
    return {"status": state.status, "by": state.by, "when": state.when, "note": state.note,
            "score_at_review": state.score_at_review, "suspect": state.suspect, "changed": list(state.changed)}


def build_result(run: Run, generated: datetime | None = None, comparison: Any = None,
                 fail_on: tuple[str, ...] = (), counterparts: dict[str, Any] | None = None) -> dict[str, Any]:
    corpus, decision, matrix = run.corpus, run.decision, run.matrix
    generated = generated or datetime.now(timezone.utc)
    idf = term_idf(run)
    clause_index = {cid: i for i, cid in enumerate(matrix.clause_ids)}
    concept_labels = {c.id: {"label": c.label, "label_zh": c.label_zh} for c in run.concepts}

    measures_out = []
    measures = {m.id: m for m in corpus.measures}
    for mi, md in enumerate(decision.measures):
        m = measures[md.id]
        links = []
        for link in md.links:
            ev = evidence(run, mi, clause_index[link.clause], idf)
            links.append({"article": link.article, "clause": link.clause, "score": link.score,
                          "signals": link.signals, "suspended": link.suspended, "status": link.status,
                          "review": _review(link.review), **ev})
        measures_out.append({
            "id": m.id, "plan": m.plan, "text": m.text, "text_zh": m.text_zh, "group": m.group,
            "section": m.section, "sector": m.sector, "source": m.source,
            "provenance": m.provenance, "file": m.path, "line": m.line,
            "concepts": sorted(run.measures.tags[mi].found),
            "outside": {cid: list(words) for cid, words in sorted(run.measures.tags[mi].outside.items())},
            "chapters": _best_chapters(matrix, mi),
            "aligned": md.aligned, "only_suspended": md.only_suspended,
            "links": links,
            "candidates": [{"article": c.article, "clause": c.clause, "score": c.score,
                            "signals": c.signals, "review": _review(c.review)} for c in md.candidates],
            "suspects": [{"article": c.article, "clause": c.clause, "score": c.score, "review": _review(c.review)}
                         for c in md.suspects],
        })
    # Words to mark in the HTML report, for every link and candidate (checker/highlight.py).
    add_highlights(run, measures_out, idf)

    articles_out = []
    for a in corpus.articles:
        covered_by = list(decision.covered_by.get(a.id, ()))
        articles_out.append({
            "id": a.id, "agreement": a.agreement, "chapter": a.chapter, "number": a.number,
            "title": a.title, "kind": a.kind, "force": a.force,
            "suspended": "whole" if a.fully_suspended else ("part" if a.partly_suspended else None),
            "confidence": a.confidence,
            "concepts": sorted({cid for c in a.clauses for cid in run.clauses.tags[clause_index[c.id]].found}),
            "covered_by": covered_by,
            "counterparts": [{"article": c.article, "clause": c.clause, "score": c.score}
                             for c in (counterparts or {}).get(a.id, ())],
            "clauses": [{
                "id": c.id, "label": c.label, "text": c.text, "force": c.force,
                "suspended": ({"item": c.suspended.item, "part": c.suspended.part}
                              if c.suspended else None),
                "notes": list(c.notes),
            } for c in a.clauses],
        })

    agreements_out = []
    covered_ids = {a["id"] for a in articles_out if a["covered_by"]}
    by_id = {a.id: a for a in corpus.articles}
    for ag in corpus.agreements:
        chapters = []
        for ch in ag.chapters:
            arts = [by_id[i] for i in ch.article_ids]
            binding = [a for a in arts if a.force == "binding" and not a.fully_suspended]
            chapters.append({
                "id": ch.id, "number": ch.number, "title": ch.title, "division": ch.division,
                "level": ch.level, "articles": len(arts),
                "covered": sum(a.id in covered_ids for a in arts),
                "binding": len(binding),
                "binding_covered": sum(a.id in covered_ids for a in binding),
            })
        agreements_out.append({
            "id": ag.id, "name": ag.name, "short_name": ag.short_name, "signed": ag.signed,
            "division": ag.division, "articles": len(ag.articles),
            "covered": sum(a.id in covered_ids for a in ag.articles), "chapters": chapters,
        })

    plans_out = []
    plan_meta = {p.id: p for p in corpus.plans}
    for pd in decision.plans:
        p = plan_meta[pd.id]
        plans_out.append({
            "id": pd.id, "title": pd.title, "title_zh": p.title_zh, "document": p.document,
            "date": p.date, "listed": pd.listed, "declared": pd.declared_text,
            "aligned": pd.aligned, "share": round(pd.share, 4),
            "target": ({"aligned": pd.target.aligned, "share": pd.target.share}
                       if pd.target else None),
            "status": pd.status, "reason": pd.reason, "file": p.path,
        })

    n_measures = len(measures_out)
    changes = comparison.to_json(fail_on) if comparison is not None else None
    result = {
        "schema": SCHEMA,
        "generated": generated.replace(microsecond=0).isoformat(),
        "tool": {"name": "rulealign", "version": __version__},
        "config": run.config.to_json(),
        "summary": {
            "measures": n_measures,
            "aligned": sum(m["aligned"] for m in measures_out),
            "articles": len(articles_out),
            "covered_articles": len(covered_ids),
            "clauses": len(matrix.clause_ids),
            "threshold": decision.threshold,
            "failed_plans": [p.id for p in decision.failed_plans],
        },
        "concepts": concept_labels,
        "agreements": agreements_out,
        "plans": plans_out,
        "measures": measures_out,
        "articles": articles_out,
        "timings": {k: round(v, 3) for k, v in run.timings.items()},
    }
    if changes is not None:
        result["changes"] = changes
    return result
