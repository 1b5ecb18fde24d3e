"""Stage 5: from scores to decisions: links above the threshold, aligned measures, plan targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from checker.corpus import Corpus, Plan, Target
from checker.matrix import AlignmentMatrix, top_k

MET = "met"
MISSED = "missed"
NOT_ASSESSABLE = "not assessable"
NO_TARGET = "no target"


@dataclass(frozen=True)
class Candidate:
    article: str
    clause: str
    score: float
    signals: dict[str, float]


@dataclass(frozen=True)
class Link:
    article: str
    clause: str
    score: float
    signals: dict[str, float]
    suspended: bool  # the article is suspended by the CPTPP: the link does not make the measure aligned


@dataclass(frozen=True)
class MeasureDecision:
    id: str
    plan: str
    aligned: bool
    links: tuple[Link, ...]
    candidates: tuple[Candidate, ...]

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
           targets: Mapping[str, Mapping[str, float]] | None = None) -> Decision:
    articles = {a.id: a for a in corpus.articles}
    suspended = np.array([articles[a].fully_suspended for a in matrix.article_ids], dtype=bool)
    plan_of = {m.id: m.plan for m in corpus.measures}
    best = top_k(matrix.article_scores, top)
    measures = []
    covered: dict[str, list[str]] = {a: [] for a in matrix.article_ids}
    for mi, mid in enumerate(matrix.measure_ids):
        candidates, links = [], []
        for ai in best[mi]:
            score = float(matrix.article_scores[mi, ai])
            ci = int(matrix.best_clause[mi, ai])
            art, clause = matrix.article_ids[ai], matrix.clause_ids[ci]
            parts = {k: round(v, 4) for k, v in matrix.signal_parts(mi, ci).items()}
            candidates.append(Candidate(art, clause, round(score, 4), parts))
            if score >= threshold:
                links.append(Link(art, clause, round(score, 4), parts, bool(suspended[ai])))
                covered[art].append(mid)
        aligned = any(not link.suspended for link in links)
        measures.append(MeasureDecision(mid, plan_of[mid], aligned, tuple(links), tuple(candidates)))
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
