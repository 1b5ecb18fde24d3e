"""Accuracy against gold labels: ranking (hit@k, MRR), links and aligned measures (P/R/F1),
a threshold sweep, and calibration of the weights and threshold by cross-validation.

Gold labels (tests/gold/gold.yaml) name, for each measure, the articles it docks with, decided
from the treaty texts. A gold id matches a predicted id at article level: a paragraph id counts
for its article.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checker.errors import InputError, Problem, problem
from checker.matrix import combine, roll_up
from checker.pipeline import article_of
from checker.yamlio import LineDict, load_yaml

SCHEMA = "rulealign.gold/1"


@dataclass(frozen=True)
class GoldEntry:
    measure: str
    articles: tuple[str, ...]
    line: int
    article_lines: tuple[int, ...] = ()  # where each article id stands, for errors


@dataclass
class Gold:
    path: Path
    entries: dict[str, GoldEntry]
    extra_measures: list[Path] = field(default_factory=list)

    def at_article_level(self, article_ids: set[str]) -> Gold:
        """Paragraph ids mapped to their articles; an id no article has is an error (file:line)."""
        problems: list[Problem] = []
        entries = {}
        for e in self.entries.values():
            arts: list[str] = []
            for ident, line in zip(e.articles, e.article_lines or (e.line,) * len(e.articles)):
                art = article_of(ident, article_ids)
                if art is None:
                    problems.append(problem(self.path, line, f"unknown article id {ident!r}"))
                elif art not in arts:
                    arts.append(art)
            entries[e.measure] = GoldEntry(e.measure, tuple(arts), e.line)
        if problems:
            raise InputError(problems)
        return Gold(self.path, entries, self.extra_measures)


def load_gold(path: Path, article_ids: set[str] | None = None) -> Gold:
    path = Path(path)
    if not path.is_file():
        raise InputError(problem(path, None, "gold labels not found"))
    data = load_yaml(path)
    if not isinstance(data, LineDict) or not isinstance(data.get("measures"), list):
        raise InputError(problem(path, 1, "expected a mapping with a 'measures:' list"))
    problems: list[Problem] = []
    if data.get("schema", SCHEMA) != SCHEMA:
        problems.append(problem(path, data.line_of("schema"), f"unknown schema (expected {SCHEMA})"))
    extra = data.get("extra_measures") or []
    entries: dict[str, GoldEntry] = {}
    for e in data["measures"]:
        if not isinstance(e, LineDict) or not isinstance(e.get("measure"), str):
            problems.append(problem(path, getattr(e, "line", 1), "each entry needs 'measure: ID'"))
            continue
        arts: list[str] = []
        lines: list[int] = []
        for a in e.get("articles") or []:
            ident = a.get("article") if isinstance(a, LineDict) else a
            line = a.line if isinstance(a, LineDict) else e.line
            if not isinstance(ident, str):
                problems.append(problem(path, line, "each article needs 'article: ID'"))
                continue
            arts.append(ident)
            lines.append(line)
        if e["measure"] in entries:
            problems.append(problem(path, e.line, f"second entry for {e['measure']}"))
            continue
        entries[e["measure"]] = GoldEntry(e["measure"], tuple(arts), e.line, tuple(lines))
    if problems:
        raise InputError(problems)
    gold = Gold(path, entries, [path.parent / p for p in extra])
    return gold.at_article_level(article_ids) if article_ids is not None else gold


@dataclass(frozen=True)
class Metrics:
    measures: int  # measures evaluated (with a gold entry)
    docking: int  # of which dock with at least one article
    hit1: float
    hit5: float
    mrr: float
    link_precision: float
    link_recall: float
    link_f1: float
    measure_precision: float
    measure_recall: float
    measure_f1: float
    threshold: float

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Case:
    """What metrics need: each measure's article scores and its gold set, as index arrays."""

    measure_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    gold: tuple[frozenset[int], ...]
    usable: np.ndarray  # articles that can make a measure aligned (not wholly suspended)


def make_case(measure_ids: Sequence[str], article_ids: Sequence[str], gold: Gold,
              suspended: np.ndarray) -> tuple[Case, np.ndarray]:
    """Rows of the measures that have a gold entry, in matrix order."""
    index = {a: i for i, a in enumerate(article_ids)}
    rows = [i for i, m in enumerate(measure_ids) if m in gold.entries]
    sets = tuple(frozenset(index[a] for a in gold.entries[measure_ids[i]].articles if a in index) for i in rows)
    return Case(tuple(measure_ids[i] for i in rows), tuple(article_ids), sets, ~suspended), np.array(rows, dtype=int)


def evaluate_many(scores: np.ndarray, case: Case, thresholds: Sequence[float], top: int = 10,
                  order: np.ndarray | None = None) -> list[Metrics]:
    """Metrics at each threshold from one measures x articles score matrix (rows as in `case`).
    Ranking is computed once (or passed in as `order`, best first, when the caller knows it);
    links and aligned measures for all thresholds at once."""
    m, n_art = scores.shape
    if order is None:
        order = np.argsort(-scores, axis=1, kind="stable")
    gold_mask = np.zeros((m, n_art), dtype=bool)
    for i, g in enumerate(case.gold):
        gold_mask[i, list(g)] = True
    ranked_gold = np.take_along_axis(gold_mask, order, axis=1)
    has_gold = gold_mask.any(axis=1)
    first = np.where(ranked_gold.any(axis=1), ranked_gold.argmax(axis=1), n_art)
    n_dock = max(int(has_gold.sum()), 1)
    hit1 = float(((first == 0) & has_gold).sum()) / n_dock
    hit5 = float(((first < 5) & has_gold).sum()) / n_dock
    mrr = float(np.where(has_gold & (first < n_art), 1.0 / (first + 1), 0.0).sum()) / n_dock

    k = min(top, n_art)
    top_idx = order[:, :k]
    top_scores = np.take_along_axis(scores, top_idx, axis=1)
    top_gold = ranked_gold[:, :k]
    top_usable = case.usable[top_idx]
    t = np.asarray(thresholds, dtype=float)[:, None, None]
    linked = top_scores[None] >= t  # thresholds x measures x k
    tp = (linked & top_gold[None]).sum(axis=(1, 2))
    fp = (linked & ~top_gold[None]).sum(axis=(1, 2))
    fn = gold_mask.sum() - tp
    aligned = (linked & top_usable[None]).any(axis=2)
    m_tp = (aligned & has_gold[None]).sum(axis=1)
    m_fp = (aligned & ~has_gold[None]).sum(axis=1)
    m_fn = (~aligned & has_gold[None]).sum(axis=1)
    out = []
    for j, thr in enumerate(thresholds):
        lp = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0
        lr = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0
        mp = m_tp[j] / (m_tp[j] + m_fp[j]) if m_tp[j] + m_fp[j] else 0.0
        mr = m_tp[j] / (m_tp[j] + m_fn[j]) if m_tp[j] + m_fn[j] else 0.0
        out.append(Metrics(len(case.gold), int(has_gold.sum()), hit1, hit5, mrr, float(lp), float(lr),
                           _f1(float(lp), float(lr)), float(mp), float(mr), _f1(float(mp), float(mr)), float(thr)))
    return out


def evaluate_scores(scores: np.ndarray, case: Case, threshold: float, top: int = 10) -> Metrics:
    return evaluate_many(scores, case, [threshold], top)[0]


def sweep(scores: np.ndarray, case: Case, thresholds: Sequence[float], top: int = 10) -> list[Metrics]:
    return evaluate_many(scores, case, thresholds, top)


def misses(scores: np.ndarray, case: Case, limit: int = 3) -> list[dict[str, Any]]:
    """Measures whose first candidate is not a gold article, and aligned/not-aligned mistakes."""
    out = []
    order = np.argsort(-scores, axis=1, kind="stable")
    for i, g in enumerate(case.gold):
        if not g:
            continue
        ranks = np.flatnonzero(np.isin(order[i], list(g)))
        first = int(ranks[0]) + 1 if len(ranks) else None
        if first != 1:
            out.append({
                "measure": case.measure_ids[i],
                "gold": [case.article_ids[a] for a in sorted(g)],
                "gold_rank": first,
                "top": [{"article": case.article_ids[a], "score": round(float(scores[i, a]), 3)}
                        for a in order[i, :limit]],
            })
    return out


# --------------------------------------------------------------------------- calibration

def weight_grid(names: Sequence[str], step: float = 0.05) -> list[dict[str, float]]:
    n = round(1 / step)
    grid = []
    for parts in itertools.product(range(n + 1), repeat=len(names) - 1):
        if sum(parts) <= n:
            last = n - sum(parts)
            grid.append({name: round(p * step, 4) for name, p in zip(names, (*parts, last))})
    return grid


THRESHOLDS = [round(x, 3) for x in np.arange(0.10, 0.901, 0.01)]


def objective(m: Metrics) -> float:
    # The decisions users see: aligned or not (measure F1), then the links and the first candidate.
    return m.measure_f1 + 0.5 * m.link_f1 + 0.5 * m.hit1 + 0.25 * m.mrr


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float]
    threshold: float
    train: Metrics


def article_scores_for(signals: Mapping[str, np.ndarray], weights: Mapping[str, float],
                       available: Mapping[str, np.ndarray] | None, clause_article: np.ndarray,
                       n_articles: int) -> np.ndarray:
    return roll_up(combine(signals, weights, available), clause_article, n_articles)[0]


# The signal that is one value per measure (the same for every clause): it never changes a
# measure's ranking, only where its scores stand against the threshold. The grid searches its
# weight apart from the ranking signals', so the ranking keeps the full resolution of its simplex.
ROW_CONSTANT = "scope"
CONSTANT_GRID = [round(float(x), 2) for x in np.arange(0.0, 0.901, 0.1)]


def fit(signals: Mapping[str, np.ndarray], available: Mapping[str, np.ndarray] | None, clause_article: np.ndarray,
        case: Case, rows: np.ndarray, top: int = 10, step: float = 0.1) -> Fit:
    """Grid search over the weight simplex of the ranking signals, the weight of the row-constant
    signal, and the threshold, on the given rows only. With ranking weights w, constant weight s
    and a row's available ranking weight B, a clause scores ((1-s)·B·R + s·C) / ((1-s)·B + s),
    where R is the weighted mean under w: an increasing map of R for each row, so the max over an
    article's clauses and the order of articles are computed once per w."""
    rank_names = [n for n in signals if n != ROW_CONSTANT]
    const = signals[ROW_CONSTANT][rows][:, :1] if ROW_CONSTANT in signals else None
    sub = {n: signals[n][rows] for n in rank_names}
    sub_av = {n: a[rows] for n, a in available.items()} if available else None
    best: Fit | None = None
    best_value = -math.inf
    for w in weight_grid(rank_names, step):
        if sum(w.values()) <= 0:
            continue
        r = article_scores_for(sub, w, sub_av, clause_article, len(case.article_ids))
        order = np.argsort(-r, axis=1, kind="stable")
        b = sum(wn * (sub_av[n] if sub_av and n in sub_av else np.ones(len(rows), bool)) for n, wn in w.items())
        b = np.asarray(b, dtype=float)[:, None]
        for sw in CONSTANT_GRID if const is not None else [0.0]:
            scores = r if sw == 0.0 else ((1 - sw) * b * r + sw * const) / ((1 - sw) * b + sw)
            weights = {n: round(float((1 - sw) * v), 4) for n, v in w.items()}
            if const is not None:
                weights[ROW_CONSTANT] = sw
            for m in evaluate_many(scores, case, THRESHOLDS, top, order=order):
                value = objective(m)
                if value > best_value + 1e-12:
                    best_value, best = value, Fit(weights, m.threshold, m)
    assert best is not None
    return best


def subcase(case: Case, idx: Sequence[int]) -> Case:
    return Case(tuple(case.measure_ids[i] for i in idx), case.article_ids, tuple(case.gold[i] for i in idx),
                case.usable)


def folds(measure_ids: Sequence[str], k: int) -> list[list[int]]:
    """Deterministic folds: measures spread by a hash of their id, so folds mix plans."""
    import hashlib

    keyed = sorted(range(len(measure_ids)), key=lambda i: hashlib.sha256(measure_ids[i].encode()).hexdigest())
    return [keyed[f::k] for f in range(k)]


@dataclass(frozen=True)
class CrossValidation:
    k: int
    held_out: Metrics  # micro-averaged over the held-out folds, each scored with its own fit
    fits: tuple[Fit, ...]
    final: Fit  # fitted on all gold labels: what ships
    held_scores: np.ndarray  # each measure's article scores under its fold's fit, minus that fold's threshold


def cross_validate(signals: Mapping[str, np.ndarray], available: Mapping[str, np.ndarray] | None,
                   clause_article: np.ndarray, case: Case, rows: np.ndarray, k: int = 5, top: int = 10,
                   step: float = 0.1) -> CrossValidation:
    parts = folds(case.measure_ids, k)
    held_scores = np.zeros((len(rows), len(case.article_ids)))
    fits = []
    # Each held-out measure is scored with weights fitted without it; its threshold is applied by
    # mapping its score relative to that fold's threshold onto a common scale (score - t_fold).
    for test_idx in parts:
        train_idx = [i for i in range(len(rows)) if i not in set(test_idx)]
        f = fit(signals, available, clause_article, subcase(case, train_idx), rows[train_idx], top, step)
        fits.append(f)
        test_rows = rows[test_idx]
        sub = {n: s[test_rows] for n, s in signals.items()}
        sub_av = {n: a[test_rows] for n, a in available.items()} if available else None
        scores = article_scores_for(sub, f.weights, sub_av, clause_article, len(case.article_ids))
        held_scores[test_idx] = scores - f.threshold
    held = evaluate_scores(held_scores, case, 0.0, top)
    final = fit(signals, available, clause_article, case, rows, top, step)
    return CrossValidation(k, held, tuple(fits), final, held_scores)


# --------------------------------------------------------------------------- confidence


def platt(raw: np.ndarray, labels: np.ndarray, iterations: int = 100, l2: float = 1e-3) -> tuple[float, float]:
    """Fit P(gold | raw score) = 1 / (1 + exp(-(a*raw + b))) by Newton's method (Platt scaling),
    with Platt's smoothed targets so a separable set does not run to infinity."""
    n_pos = float(labels.sum())
    n_neg = float(len(labels) - n_pos)
    target = np.where(labels, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 1.0, 0.0
    x = raw.astype(float)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(a * x + b)))
        w = p * (1 - p)
        g_a = float(((p - target) * x).sum()) + l2 * a
        g_b = float((p - target).sum())
        h_aa = float((w * x * x).sum()) + l2
        h_ab = float((w * x).sum())
        h_bb = float(w.sum()) + 1e-12
        det = h_aa * h_bb - h_ab * h_ab
        if abs(det) < 1e-12:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return float(a), float(b)


def confidence_pairs(scores: np.ndarray, case: Case, top: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(raw score, is gold) for each measure's top candidates: the pairs a reviewer would see."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :top]
    raw = np.take_along_axis(scores, order, axis=1)
    labels = np.zeros_like(raw, dtype=bool)
    for i, g in enumerate(case.gold):
        labels[i] = np.isin(order[i], list(g))
    return raw.ravel(), labels.ravel()


def sigmoid(x: np.ndarray | float, a: float, b: float) -> np.ndarray | float:
    return 1 / (1 + np.exp(-(a * np.asarray(x) + b)))


# --------------------------------------------------------------------------- the command


def _fmt(m: Metrics) -> list[str]:
    return [f"  ranking   hit@1 {m.hit1:.3f}   hit@5 {m.hit5:.3f}   MRR {m.mrr:.3f}   ({m.docking} docking measures)",
            f"  links     precision {m.link_precision:.3f}   recall {m.link_recall:.3f}   F1 {m.link_f1:.3f}",
            f"  aligned   precision {m.measure_precision:.3f}   recall {m.measure_recall:.3f}   "
            f"F1 {m.measure_f1:.3f}   ({m.measures} measures)"]


def gold_files(gold_paths: Path | Sequence[Path]) -> list[Path]:
    return [Path(gold_paths)] if isinstance(gold_paths, (str, Path)) else [Path(p) for p in gold_paths]


def merge_golds(golds: Sequence[Gold]) -> Gold:
    """Several label files as one set (labels grow file by file); a measure labelled twice is an error."""
    entries: dict[str, GoldEntry] = {}
    origin: dict[str, Path] = {}
    problems: list[Problem] = []
    for g in golds:
        for mid, e in g.entries.items():
            if mid in entries:
                problems.append(problem(g.path, e.line, f"{mid} is already labelled in {origin[mid]}"))
                continue
            entries[mid], origin[mid] = e, g.path
    if problems:
        raise InputError(problems)
    extras = list(dict.fromkeys(p for g in golds for p in g.extra_measures))
    return Gold(golds[0].path, entries, extras)


def prepare(config: Any, gold_paths: Path | Sequence[Path], chinese: bool = False
            ) -> tuple[Any, Gold, Case, np.ndarray]:
    """Run the pipeline on the configured corpora plus the gold files' extra measures."""
    from dataclasses import replace as dc_replace

    from checker.corpus import load_plan
    from checker.pipeline import load, run_loaded

    corpus, concepts = load(config)
    golds = [load_gold(p) for p in gold_files(gold_paths)]
    for extra in (x for g in golds for x in g.extra_measures):
        if all(p.path != str(extra) for p in corpus.plans):
            corpus.plans.append(load_plan(extra))
    known = {a.id for a in corpus.articles}
    golds = [g.at_article_level(known) for g in golds]
    if chinese:
        corpus.plans = [dc_replace(p, measures=tuple(dc_replace(m, text=None) for m in p.measures if m.text_zh))
                        for p in corpus.plans]
    run = run_loaded(config, corpus, concepts)
    loaded = set(run.matrix.measure_ids)
    for g in golds:
        unknown = [m for m in g.entries if m not in loaded]
        if unknown and not chinese:
            raise InputError(problem(g.path, g.entries[unknown[0]].line,
                                     f"gold names measure {unknown[0]!r}, which no loaded plan has"))
    gold = merge_golds(golds)
    arts = {a.id: a for a in corpus.articles}
    suspended = np.array([arts[a].fully_suspended for a in run.matrix.article_ids])
    case, rows = make_case(run.matrix.measure_ids, run.matrix.article_ids, gold, suspended)
    return run, gold, case, rows


def evaluate_command(config: Any, gold_paths: Path | Sequence[Path], chinese: bool = False, k: int = 5,
                     step: float = 0.1, sweep: bool = False, write_path: Path | None = None
                     ) -> tuple[str, dict[str, Any]]:
    run, gold, case, rows = prepare(config, gold_paths, chinese)
    gold_path = " + ".join(str(p) for p in gold_files(gold_paths))
    from checker.pipeline import english_only

    signals = run.matrix.signals
    available = english_only(run.measures.has_english)
    cv = cross_validate(signals, available, run.matrix.clause_article, case, rows, k=k, top=config.top, step=step)
    current_scores = run.matrix.article_scores[rows]
    current = evaluate_scores(current_scores, case, config.threshold, config.top)
    final_raw = article_scores_for({n: s[rows] for n, s in signals.items()}, cv.final.weights,
                                   {n: a[rows] for n, a in available.items()}, run.matrix.clause_article,
                                   len(case.article_ids))
    a, b = platt(*confidence_pairs(final_raw, case, config.top))
    conf_threshold = float(sigmoid(cv.final.threshold, a, b))
    lines = [f"gold: {gold_path} — {len(case.gold)} measures, {cv.held_out.docking} dock with at least one article"
             + (" — Chinese texts only" if chinese else ""),
             "",
             f"held-out ({k}-fold cross-validation: each fold scored with weights and threshold fitted on the others)"]
    lines += _fmt(cv.held_out)
    lines += ["", f"current configuration ({config.source}; threshold {config.threshold:.3f}; weights "
              + ", ".join(f"{n} {w:.2f}" for n, w in config.weights.items())
              + ") — in-sample when it was fitted on these labels"]
    lines += _fmt(current)
    if sweep:
        lines += ["", "threshold sweep (current weights)", "  threshold  link P  link R  link F1  aligned P  aligned R"
                  "  aligned F1"]
        grid = sorted(set([round(x, 3) for x in np.arange(0.05, 0.951, 0.05)] + [round(config.threshold, 3)]))
        for m in evaluate_many(current_scores, case, grid, config.top):
            mark = " <" if abs(m.threshold - config.threshold) < 1e-9 else ""
            lines.append(f"  {m.threshold:9.3f}  {m.link_precision:6.3f}  {m.link_recall:6.3f}  {m.link_f1:7.3f}"
                         f"  {m.measure_precision:9.3f}  {m.measure_recall:9.3f}  {m.measure_f1:10.3f}{mark}")
    miss = misses(cv.held_scores, case)
    lines += ["", f"misses (held-out ranking: the first candidate is not a gold article): {len(miss)}"]
    for x in miss:
        top = ", ".join(f"{t['article']}" for t in x["top"])
        rank = x["gold_rank"] if x["gold_rank"] is not None else "—"
        lines.append(f"  {x['measure']:12} gold {', '.join(x['gold'])} at rank {rank}; first: {top}")
    lines += ["", "fitted on all labels: weights " + ", ".join(f"{n} {w:.2f}" for n, w in cv.final.weights.items())
              + f"; raw threshold {cv.final.threshold:.3f}; confidence = 1/(1+exp(-({a:.3f}·raw {b:+.3f})))"
              f" → threshold {conf_threshold:.3f}"]
    doc = {
        "schema": "rulealign.evaluation/1", "gold": str(gold_path), "chinese": chinese, "folds": k,
        "held_out": cv.held_out.as_dict(), "current": current.as_dict(),
        "fit": {"weights": cv.final.weights, "raw_threshold": cv.final.threshold,
                "confidence": {"a": round(a, 4), "b": round(b, 4)}, "threshold": round(conf_threshold, 4)},
        "fold_fits": [{"weights": f.weights, "threshold": f.threshold} for f in cv.fits],
        "misses": miss,
    }
    if write_path is not None:
        from datetime import date

        import yaml

        from checker.config import CALIBRATION_SCHEMA
        from checker.yamlio import write_atomic

        cal = {"schema": CALIBRATION_SCHEMA, "fitted": date.today().isoformat(), "gold": str(gold_path),
               "measures": len(case.gold), "weights": cv.final.weights, "raw_threshold": cv.final.threshold,
               "confidence": {"a": round(a, 4), "b": round(b, 4)}, "threshold": round(conf_threshold, 4),
               "held_out": cv.held_out.as_dict()}
        header = ("# Fitted by `rulealign evaluate --gold ... --write` on the gold labels; do not edit by hand.\n"
                  "# score = 1 / (1 + exp(-(a * raw + b))), raw = weighted mean of the signals; a link is\n"
                  "# suggested when score >= threshold. held_out: cross-validated metrics of this procedure.\n")
        write_atomic(write_path, header + yaml.safe_dump(cal, sort_keys=False, allow_unicode=True))
        lines.append(f"wrote {write_path}")
    return "\n".join(lines) + "\n", doc
