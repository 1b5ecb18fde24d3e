"""Stage 5: from scores to decisions: links above the threshold, aligned measures, plan targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from checker.corpus import Corpus, Plan, Target
from checker.decisions import Ledger, article_text, fingerprint, measure_text
from checker.matrix import AlignmentMatrix, top_k

MET = "met"
MISSED = "missed"
NOT_ASSESSABLE = "not assessable"
NO_TARGET = "no target"


@dataclass(frozen=True)
class ReviewState:
    """A reviewer's stamp on a link, as it stands in this run."""

    status: str  # accepted | rejected | unsure
    by: str | None
    when: str | None
    note: str | None
    score_at_review: float | None
    changed: tuple[str, ...]  # texts changed since the review: "measure", "article"

    @property
    def suspect(self) -> bool:
        return self.status == "accepted" and bool(self.changed)


@dataclass(frozen=True)
class Candidate:
    article: str
    clause: str
    score: float
    signals: dict[str, float]
    review: ReviewState | None = None


@dataclass(frozen=True)
class Link:
    article: str
    clause: str
    score: float
    signals: dict[str, float]
    suspended: bool  # the article is suspended by the CPTPP: the link does not make the measure aligned
    review: ReviewState | None = None

    @property
    def status(self) -> str:
        """suggested (by score), accepted (by a reviewer), unsure (reviewed, undecided)."""
        return self.review.status if self.review else "suggested"


@dataclass(frozen=True)
class MeasureDecision:
    id: str
    plan: str
    aligned: bool
    links: tuple[Link, ...]
    candidates: tuple[Candidate, ...]
    suspects: tuple[Candidate, ...] = ()  # accepted links whose texts changed since review

    @property
    def only_suspended(self) -> bool:
        return bool(self.links) and all(link.suspended for link in self.links)


@dataclass(frozen=True)
class PlanDecision:
    id: str
    title: str
    listed: int
    declared: int | None
    declared_at_least: bool
    aligned: int
    share: float
    target: Target | None
    status: str
    reason: str

    @property
    def declared_text(self) -> str | None:
        if self.declared is None:
            return None
        return f"{self.declared}+" if self.declared_at_least else str(self.declared)


@dataclass(frozen=True)
class Decision:
    threshold: float
    measures: tuple[MeasureDecision, ...]
    plans: tuple[PlanDecision, ...]
    covered_by: dict[str, tuple[str, ...]]  # article id -> measures linked to it

    @property
    def failed_plans(self) -> list[PlanDecision]:
        return [p for p in self.plans if p.status == MISSED]


def decide(matrix: AlignmentMatrix, corpus: Corpus, threshold: float, top: int,
           targets: Mapping[str, Mapping[str, float]] | None = None,
           ledger: Ledger | None = None) -> Decision:
    """Links are the candidates at or above the threshold, adjusted by the reviewers' ledger:
    a rejected link is never suggested; an accepted link counts even below the threshold, unless
    its measure or article text changed since review (then it is suspect, and counts only on
    its score)."""
    articles = {a.id: a for a in corpus.articles}
    measures_by_id = {m.id: m for m in corpus.measures}
    art_index = {a: i for i, a in enumerate(matrix.article_ids)}
    suspended = np.array([articles[a].fully_suspended for a in matrix.article_ids], dtype=bool)
    best = top_k(matrix.article_scores, top)
    reviewed: dict[str, list[str]] = {}
    if ledger:
        for (mid, aid) in ledger.reviews:
            reviewed.setdefault(mid, []).append(aid)
    art_fp_cache: dict[tuple[str, int], str] = {}

    def article_fp(aid: str, version: int) -> str:
        key = (aid, version)
        if key not in art_fp_cache:
            art_fp_cache[key] = fingerprint(article_text(articles[aid]), version)
        return art_fp_cache[key]

    measures = []
    covered: dict[str, list[str]] = {a: [] for a in matrix.article_ids}
    for mi, mid in enumerate(matrix.measure_ids):
        m_text = measure_text(measures_by_id[mid])
        order = [int(ai) for ai in best[mi]]
        extra = [art_index[a] for a in reviewed.get(mid, []) if a in art_index and art_index[a] not in order]
        candidates, links, suspects = [], [], []
        for rank, ai in enumerate(order + extra):
            score = float(matrix.article_scores[mi, ai])
            ci = int(matrix.best_clause[mi, ai])
            art, clause = matrix.article_ids[ai], matrix.clause_ids[ci]
            parts = {k: round(v, 4) for k, v in matrix.signal_parts(mi, ci).items()}
            state = None
            review = ledger.get(mid, art) if ledger else None
            if review is not None:
                changed = tuple(review.changed(lambda v, t=m_text: fingerprint(t, v),
                                               lambda v, a=art: article_fp(a, v)))
                state = ReviewState(review.status, review.by, review.when, review.note, review.score, changed)
            cand = Candidate(art, clause, round(score, 4), parts, state)
            if rank < len(order):
                candidates.append(cand)
            if state and state.suspect:
                suspects.append(cand)
            if state and state.status == "rejected":
                continue
            if (state and state.status == "accepted" and not state.suspect) or score >= threshold:
                links.append(Link(art, clause, round(score, 4), parts, bool(suspended[ai]), state))
                covered[art].append(mid)
        links.sort(key=lambda link: -link.score)
        aligned = any(not link.suspended for link in links)
        measures.append(MeasureDecision(mid, measures_by_id[mid].plan, aligned, tuple(links), tuple(candidates),
                                        tuple(suspects)))
    by_plan: dict[str, list[MeasureDecision]] = {}
    for md in measures:
        by_plan.setdefault(md.plan, []).append(md)
    plans = tuple(plan_decision(p, by_plan.get(p.id, []), (targets or {}).get(p.id))
                  for p in corpus.plans)
    return Decision(threshold, tuple(measures), plans, {a: tuple(v) for a, v in covered.items()})


def plan_decision(plan: Plan, measures: list[MeasureDecision],
                  override: Mapping[str, float] | None = None) -> PlanDecision:
    listed = len(measures)
    aligned = sum(m.aligned for m in measures)
    share = aligned / listed if listed else 0.0
    target = plan.target
    if override:
        target = Target(int(override["aligned"]) if "aligned" in override else None,
                        float(override["share"]) if "share" in override else None)
    declared = plan.declared_text
    if target is None or (target.aligned is None and target.share is None):
        status, reason = NO_TARGET, "the plan states no target"
    elif plan.declared is not None and listed < plan.declared:
        status = NOT_ASSESSABLE
        reason = f"list partial: {listed} of {declared} listed"
    else:
        misses = []
        if target.aligned is not None and aligned < target.aligned:
            misses.append(f"{aligned} aligned < {target.aligned}")
        if target.share is not None and share + 1e-9 < target.share:
            misses.append(f"share {share:.0%} < {target.share:.0%}")
        status = MISSED if misses else MET
        reason = "; ".join(misses) if misses else (
            f"{aligned} of {listed} aligned ({share:.0%}) meets the target")
    return PlanDecision(plan.id, plan.title, listed, plan.declared, plan.declared_at_least,
                        aligned, share, target, status, reason)
