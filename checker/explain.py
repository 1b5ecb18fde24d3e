"""`rulealign explain`: the evidence behind one measure's candidates, in plain text."""

from __future__ import annotations

import textwrap

from checker.errors import InputError
from checker.pipeline import Run
from checker.result import evidence, term_idf


def explain_text(run: Run, measure_id: str, article_id: str | None = None) -> str:
    matrix, decision = run.matrix, run.decision
    if measure_id not in matrix.measure_ids:
        raise InputError(f"unknown measure id {measure_id!r} (see `rulealign validate` for the plans loaded)")
    mi = matrix.measure_index(measure_id)
    md = decision.measures[mi]
    measure = next(m for m in run.corpus.measures if m.id == measure_id)
    articles = {a.id: a for a in run.corpus.articles}
    labels = {c.id: c.label for c in run.concepts}
    if article_id is not None:
        if article_id not in articles:
            raise InputError(f"unknown article id {article_id!r} (ids look like cptpp:14.11 or depa:4.3)")
        wanted = [matrix.article_ids.index(article_id)]
    else:
        wanted = [matrix.article_ids.index(c.article) for c in md.candidates]
    idf = term_idf(run)
    lines = [f"{measure.id} ({measure.plan}) — {'aligned' if md.aligned else 'not aligned'} "
             f"at threshold {decision.threshold:.2f}"]
    for text in (measure.text, measure.text_zh):
        if text:
            lines += textwrap.wrap(text, 96, initial_indent="  ", subsequent_indent="  ")
    m_concepts = sorted(run.measures.tags[mi].found)
    lines.append("  concepts: " + (", ".join(labels.get(c, c) for c in m_concepts) or "none found"))
    outside = run.measures.tags[mi].outside
    if outside:
        lines.append("  outside the agreements: " + "; ".join(
            f"{labels.get(c, c)} ({', '.join(words)})" for c, words in sorted(outside.items())))
    lines.append("")
    weights = matrix.weights
    for rank, ai in enumerate(wanted, 1):
        aid = matrix.article_ids[ai]
        ci = int(matrix.best_clause[mi, ai])
        score = float(matrix.article_scores[mi, ai])
        art = articles[aid]
        mark = "LINK" if score >= decision.threshold else "    "
        lines.append(f"{rank:2d}. {mark} {score:.3f}  {aid} {art.title}  (evidence: {matrix.clause_ids[ci]})")
        parts = matrix.signal_parts(mi, ci)
        english = bool(run.measures.has_english[mi])
        usable = {n: v for n, v in parts.items()
                  if (english or n not in ("lexical", "fuzzy")) and weights.get(n, 0) > 0}
        wsum = sum(weights.get(n, 0) for n in usable) or 1.0
        shown_parts = [f"{n} {v:.3f} × {weights.get(n, 0) / wsum:.2f} = {v * weights.get(n, 0) / wsum:.3f}"
                       for n, v in usable.items()]
        if not english:
            shown_parts.append("lexical and fuzzy n/a (no English text)")
        lines.append("      signals: " + ", ".join(shown_parts))
        if run.config.confidence is not None:
            raw = sum(v * weights.get(n, 0) for n, v in usable.items()) / wsum
            lines.append(f"      raw {raw:.3f} → confidence {score:.3f} (calibrated on the gold labels)")
        ev = evidence(run, mi, ci, idf)
        if ev["concepts"]:
            shown = []
            for c in ev["concepts"]:
                words = ev["concept_words"][c]
                shown.append(f"{labels.get(c, c)} (measure: {', '.join(words['measure'])}; "
                             f"clause: {', '.join(words['clause'])})")
            lines.append("      shared concepts: " + "; ".join(shown))
        else:
            lines.append("      shared concepts: none")
        if ev["homes"]:
            m_words = run.measures.tags[mi].found
            lines.append("      this article is the home of: " + "; ".join(
                f"{labels.get(c, c)} (measure: {', '.join(m_words[c])})" for c in ev["homes"]))
        lines.append("      shared terms: " + (", ".join(ev["terms"]) or "none"))
        if art.fully_suspended:
            lines.append("      note: this provision is suspended by the CPTPP")
    return "\n".join(lines)
