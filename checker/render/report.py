"""The HTML report: a few pages rendered from one result document (docs/report.md).

`build_view` turns a result dict (`rulealign.result/1`, any age: fields added later may be
absent) into plain dicts and lists that the templates only have to lay out, so the templates
never guess at a missing field. `render_pages` renders the site (one file per page) or one
self-contained file; both come from the same templates, with links made either to another
page (`measures.html#m-bj2023-18`) or to an anchor in the same file (`#m-bj2023-18`).

Corpus text always goes through Jinja2's autoescaping. Highlights are drawn by cutting the text
into segments in Python and escaping each one in the template; nothing from the corpus is ever
marked safe. Inline CSS and JavaScript are allowed by the Content-Security-Policy through their
SHA-256 hashes, computed here, so the report works from file:// with no network and runs no
other script.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from checker.errors import InputError, problem

SCHEMA = "rulealign.result/1"

FORCES = ("binding", "best-endeavour", "cooperation", "procedural", "definitional")
# Signals known to this renderer, in display order, with what each measures; a result may carry
# others (they are shown by name). Lexical and fuzzy need English text (docs/result-schema.md).
SIGNALS = {"lexical": "shared terms (BM25 over lemmas)", "concept": "shared trade-rule concepts",
           "anchor": "the measure's concepts have their home in this article", "fuzzy": "token-set similarity"}
ENGLISH_ONLY = ("lexical", "fuzzy")
N_SIGNAL_COLOURS = 6
# Review statuses of a link, in the order the filter lists them.
STATUSES = ("suggested", "accepted", "unsure", "rejected", "suspect")
# Change classes (checker/baseline.py), in the order the changes page shows them.
CHANGE_CLASSES = ("no longer aligned", "suspect", "uncovered binding grew", "target missed", "link lost",
                  "score dropped", "measure removed", "article removed", "newly aligned", "link gained",
                  "measure added")
IMPROVEMENTS = {"newly aligned", "link gained", "measure added"}

# Candidates below the threshold whose evidence a measure's card shows: at most this many, and
# only those within this margin of the threshold.
NEAR_MISSES = 2
NEAR_MARGIN = 0.1

PAGES = (("index", "Overview"), ("gaps", "Gap report"), ("measures", "Measures"), ("articles", "Articles"),
         ("changes", "Changes"))


# --------------------------------------------------------------------------- reading a saved result

def parse_result(text: str, where: str) -> dict[str, Any]:
    """A result document from JSON text; anything else is an InputError naming `where`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(problem(where, exc.lineno, f"not valid JSON: {exc.msg}")) from None
    check_result(data, where)
    return data


def check_result(data: Any, where: str) -> None:
    """Enough of the schema for the report to be drawn; optional fields may be absent."""
    if not isinstance(data, dict):
        raise InputError(problem(where, 1, f"not a rulealign result (expected a JSON object with schema {SCHEMA})"))
    schema = data.get("schema")
    if schema != SCHEMA:
        raise InputError(problem(where, 1, f"not a rulealign result: schema is {schema!r}, expected {SCHEMA!r}"))
    problems = []
    for key in ("plans", "measures", "articles", "agreements"):
        if not isinstance(data.get(key), list):
            problems.append(problem(where, None, f"'{key}' must be a list"))
    if problems:
        raise InputError(problems)
    required = {"plans": ("id",), "measures": ("id", "plan"), "articles": ("id", "agreement"),
                "agreements": ("id",)}
    for key, fields in required.items():
        for i, item in enumerate(data[key]):
            if not isinstance(item, dict):
                problems.append(problem(where, None, f"{key}[{i}] must be an object"))
                continue
            for f in fields:
                if not isinstance(item.get(f), str) or not item[f]:
                    problems.append(problem(where, None, f"{key}[{i}]: missing or bad {f!r}"))
    for i, m in enumerate(data["measures"]):
        if isinstance(m, dict):
            for key in ("links", "candidates"):
                items = m.get(key, [])
                if not isinstance(items, list) or not all(
                        isinstance(x, dict) and isinstance(x.get("article"), str) for x in items):
                    problems.append(problem(where, None, f"measures[{i}] ({m.get('id')}): bad {key!r}"))
    for i, a in enumerate(data["articles"]):
        if isinstance(a, dict) and not isinstance(a.get("clauses", []), list):
            problems.append(problem(where, None, f"articles[{i}] ({a.get('id')}): 'clauses' must be a list"))
    if problems:
        raise InputError(problems[:20] + ([problem(where, None, f"... and {len(problems) - 20} more")]
                                          if len(problems) > 20 else []))


# --------------------------------------------------------------------------- small helpers

def _num(value: Any, default: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return default
    return float(value)


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def safe_url(url: Any) -> str | None:
    """Only http(s) addresses become links: a `javascript:` source must never be clickable."""
    if isinstance(url, str) and re.match(r"https?://[^\s<>\"']+$", url.strip(), re.I):
        return url.strip()
    return None


def segments(text: str | None, spans: Any) -> list[tuple[str, bool]]:
    """Cut `text` into (segment, highlighted) pieces; bad or overlapping spans are tolerated."""
    if not text:
        return []
    clean: list[tuple[int, int]] = []
    for span in _list(spans):
        if not (isinstance(span, (list, tuple)) and len(span) >= 2):
            continue
        s, e = _num(span[0]), _num(span[1])
        if s is None or e is None:
            continue
        s, e = max(0, int(s)), min(len(text), int(e))
        if e > s:
            clean.append((s, e))
    merged: list[list[int]] = []
    for s, e in sorted(clean):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out: list[tuple[str, bool]] = []
    pos = 0
    for s, e in merged:
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < len(text):
        out.append((text[pos:], False))
    return out


_SOFT_BREAK = re.compile(r"[ \t]*\n(?![ \t]*(?:\([a-z0-9]{1,5}\)|[a-z0-9]{1,3}[.)]\s))", re.I)


def flow(text: str | None) -> str | None:
    """Join the hard line wraps of YAML block text, keeping a break before (a), (ii), 1. items.

    Every replaced character is replaced by one character, so highlight offsets stay valid; the
    page shows the remaining breaks with `white-space: pre-line`."""
    if not text:
        return text
    return _SOFT_BREAK.sub(lambda m: " " * len(m.group(0)), text)


def fmt_score(x: Any) -> str:
    v = _num(x)
    return f"{v:.2f}" if v is not None else "—"


def token(s: Any) -> str:
    """A value usable as one token of a space-separated data attribute."""
    return re.sub(r"[^\w:.-]+", "-", str(s)).strip("-").lower() or "none"


def _declared_number(declared: Any) -> tuple[int | None, bool]:
    if isinstance(declared, int) and not isinstance(declared, bool):
        return declared, False
    m = re.fullmatch(r"\s*(\d+)\s*(\+?)\s*", str(declared or ""))
    return (int(m.group(1)), bool(m.group(2))) if m else (None, False)


# --------------------------------------------------------------------------- the view

def build_view(result: dict[str, Any]) -> dict[str, Any]:
    summary = result.get("summary") or {}
    config = result.get("config") or {}
    tool = result.get("tool") if isinstance(result.get("tool"), dict) else {}
    threshold = _num(summary.get("threshold"), _num(config.get("threshold"), 0.35))
    weights = {str(k): _num(v, 0.0) or 0.0 for k, v in (config.get("weights") or {}).items()}
    signals = _signal_names(result, weights)
    concept_labels = {cid: (c.get("label") if isinstance(c, dict) else None) or cid
                      for cid, c in (result.get("concepts") or {}).items()}

    agreements = _agreements(result)
    ag_by_id = {ag["id"]: ag for ag in agreements}
    chapters = {ch["id"]: ch for ag in agreements for ch in ag["chapters"]}
    articles = [_article(a, chapters) for a in result["articles"]]
    art_by_id = {a["id"]: a for a in articles}
    clause_by_id = {c["id"]: (a, c) for a in articles for c in a["clauses"]}
    plans = [_plan(p) for p in result["plans"]]
    plan_by_id = {p["id"]: p for p in plans}
    changes = _changes(result.get("changes"))
    changes_by_measure: dict[str, list[dict[str, Any]]] = defaultdict(list)
    changes_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ch in changes["entries"] if changes else ():
        if ch["measure"]:
            changes_by_measure[ch["measure"]].append(ch)
        if ch["article"]:
            changes_by_article[ch["article"]].append(ch)

    measures = [_measure(m, threshold, weights, art_by_id, clause_by_id, plan_by_id, concept_labels,
                         changes_by_measure.get(m["id"], [])) for m in result["measures"]]
    for p in plans:
        p["measures"] = [m for m in measures if m["plan"] == p["id"]]
    orphans = [m for m in measures if m["plan"] not in plan_by_id]
    if orphans:  # a hand-edited result: measures of a plan it does not describe
        plans.append(_plan({"id": "(no plan)", "title": "Measures of no listed plan"}) | {"measures": orphans})

    # Which measures dock with each article, and which came closest without docking.
    for m in measures:
        for link in m["links"]:
            art = art_by_id.get(link["article"])
            if art is not None:
                art["links_in"].append({"measure": m, "link": link})
        for cand in m["candidates"]:
            art = art_by_id.get(cand["article"])
            if art is not None and not cand["is_link"]:
                art["near"].append({"measure": m, "cand": cand})
    for a in articles:
        if not a["covered_by"]:  # older results: fall back on the links
            a["covered_by"] = list(dict.fromkeys(x["measure"]["id"] for x in a["links_in"]))
        a["covered"] = bool(a["covered_by"])
        a["links_in"].sort(key=lambda x: -x["link"]["score"])
        a["near"].sort(key=lambda x: -x["cand"]["score"])
        a["near"] = a["near"][:3]
        a["coverage"] = "suspended" if a["suspended"] == "whole" else ("covered" if a["covered"] else "uncovered")
        a["changes"] = changes_by_article.get(a["id"], [])
        for cp in a["counterparts"]:
            cp["title"] = art_by_id[cp["article"]]["title"] if cp["article"] in art_by_id else None
    for ag in agreements:
        _fill_chapter_counts(ag, [a for a in articles if a["agreement"] == ag["id"]])

    force_rank = {f: i for i, f in enumerate(FORCES)}
    live = [a for a in articles if a["suspended"] != "whole"]
    uncovered_binding = [a for a in live if not a["covered"] and a["force"] == "binding"]
    uncovered_best = [a for a in live if not a["covered"] and a["force"] == "best-endeavour"]
    uncovered_other = sorted((a for a in live if not a["covered"] and a["force"] not in ("binding", "best-endeavour")),
                             key=lambda a: force_rank.get(a["force"], 9))
    suspended = [a for a in articles if a["suspended"]]
    only_suspended = [m for m in measures if m["only_suspended"]]

    sectors = sorted({m["sector"] for m in measures if m["sector"]})
    statuses = [s for s in STATUSES if any(s in m["statuses"] for m in measures)]
    reviewed = any(s != "suggested" for s in statuses)

    n_measures = len(measures)
    n_aligned = sum(m["aligned"] for m in measures)
    return {
        "generated": _str(result.get("generated")),
        "tool": {"name": _str(tool.get("name")) or "rulealign", "version": _str(tool.get("version"))},
        "config": {"threshold": threshold, "weights": weights, "top": config.get("top"),
                   "rules": _list(config.get("rules")), "measures": _list(config.get("measures")),
                   "source": _str(config.get("source"))},
        "summary": {
            "measures": n_measures, "aligned": n_aligned,
            "aligned_share": n_aligned / n_measures if n_measures else None,
            "articles": len(articles), "covered": sum(a["covered"] for a in articles),
            "uncovered_binding": len(uncovered_binding), "uncovered_best": len(uncovered_best),
            "only_suspended": len(only_suspended), "suspended": len(suspended),
            "links": sum(len(m["links"]) for m in measures),
        },
        "threshold": threshold,
        "signals": signals, "signal_cls": {sg["name"]: sg["cls"] for sg in signals},
        "concepts": concept_labels,
        "agreements": agreements, "ag_by_id": ag_by_id, "chapters": chapters,
        "articles": articles, "art_by_id": art_by_id,
        "plans": plans, "plan_by_id": plan_by_id,
        "measures": measures,
        "uncovered_binding": uncovered_binding, "uncovered_best": uncovered_best,
        "uncovered_other": uncovered_other, "suspended": suspended, "only_suspended": only_suspended,
        "heatmap": _heatmap(measures, plans, agreements, art_by_id, threshold),
        "changes": changes,
        # The changes page needs a baseline, or a change found without one (suspect links).
        "has_changes": changes is not None and bool(changes["baseline"] or changes["entries"]),
        "measure_ids": {m["id"] for m in measures},
        "filters": {"sectors": sectors, "statuses": statuses, "reviewed": reviewed,
                    "forces": [f for f in FORCES if any(a["force"] == f for a in articles)]},
    }


def _signal_names(result: dict[str, Any], weights: dict[str, float]) -> list[dict[str, str]]:
    """Every signal the result weighs or scores with, known ones first, each with a colour class."""
    seen: dict[str, None] = dict.fromkeys(weights)
    for m in result["measures"]:
        for item in (*_list(m.get("links")), *_list(m.get("candidates"))):
            if isinstance(item, dict) and isinstance(item.get("signals"), dict):
                seen.update(dict.fromkeys(str(k) for k in item["signals"]))
    known = [k for k in SIGNALS if k in seen]
    names = known + sorted(k for k in seen if k not in SIGNALS)
    return [{"name": k, "about": SIGNALS.get(k, ""), "cls": f"s{i % N_SIGNAL_COLOURS}",
             "english_only": k in ENGLISH_ONLY} for i, k in enumerate(names)]


def _agreements(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ag in result["agreements"]:
        chapters = []
        for ch in _list(ag.get("chapters")):
            if not isinstance(ch, dict) or not ch.get("id"):
                continue
            chapters.append({
                "id": ch["id"], "agreement": ag["id"], "number": _str(ch.get("number")) or ch["id"],
                "title": _str(ch.get("title")) or "", "division": _str(ch.get("division")) or
                _str(ag.get("division")) or "chapter", "level": _str(ch.get("level")),
                "articles": ch.get("articles"), "covered": ch.get("covered"),
                "binding": ch.get("binding"), "binding_covered": ch.get("binding_covered"),
            })
        out.append({"id": ag["id"], "name": _str(ag.get("name")) or ag["id"],
                    "short_name": _str(ag.get("short_name")) or ag["id"].upper(),
                    "signed": _str(ag.get("signed")), "division": _str(ag.get("division")) or "chapter",
                    "chapters": chapters})
    return out


def _fill_chapter_counts(ag: dict[str, Any], articles: list[dict[str, Any]]) -> None:
    """Counts per chapter from the articles themselves (the result's own counts when present)."""
    by_chapter: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in articles:
        by_chapter[a["chapter"]].append(a)
    known = {ch["id"] for ch in ag["chapters"]}
    for cid in by_chapter:
        if cid not in known:  # articles of a chapter the result does not list
            ag["chapters"].append({"id": cid, "agreement": ag["id"], "number": cid.split(":")[-1], "title": "",
                                   "division": ag["division"], "level": None, "articles": None, "covered": None,
                                   "binding": None, "binding_covered": None})
    for ch in ag["chapters"]:
        arts = by_chapter.get(ch["id"], [])
        binding = [a for a in arts if a["force"] == "binding" and a["suspended"] != "whole"]
        computed = {"articles": len(arts), "covered": sum(a["covered"] for a in arts),
                    "binding": len(binding), "binding_covered": sum(a["covered"] for a in binding)}
        for k, v in computed.items():
            if not isinstance(ch.get(k), int) or isinstance(ch.get(k), bool):
                ch[k] = v
        ch["article_list"] = arts
        ch["uncovered_binding"] = ch["binding"] - ch["binding_covered"]
        ch["share"] = ch["covered"] / ch["articles"] if ch["articles"] else None
        ch["binding_share"] = ch["binding_covered"] / ch["binding"] if ch["binding"] else None
        ch["label"] = f"{ch['division'].capitalize()} {ch['number']}"
    ag["articles"] = len(articles)
    ag["covered"] = sum(a["covered"] for a in articles)
    ag["share"] = ag["covered"] / ag["articles"] if ag["articles"] else None
    live = [a for a in articles if a["suspended"] != "whole"]
    ag["binding"] = sum(a["force"] == "binding" for a in live)
    ag["binding_covered"] = sum(a["force"] == "binding" and a["covered"] for a in live)
    ag["binding_share"] = ag["binding_covered"] / ag["binding"] if ag["binding"] else None
    ag["uncovered_binding"] = ag["binding"] - ag["binding_covered"]
    ag["uncovered_best"] = sum(a["force"] == "best-endeavour" and not a["covered"] for a in live)
    ag["suspended_whole"] = sum(a["suspended"] == "whole" for a in articles)
    ag["suspended_part"] = sum(a["suspended"] == "part" for a in articles)


def _article(a: dict[str, Any], chapters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    clauses = []
    for c in _list(a.get("clauses")):
        if not isinstance(c, dict):
            continue
        susp = c.get("suspended")
        clauses.append({
            "id": _str(c.get("id")) or a["id"], "label": _str(c.get("label")), "text": flow(_str(c.get("text"))) or "",
            "force": _str(c.get("force")),
            "suspended": ({"item": susp.get("item"), "part": _str(susp.get("part"))}
                          if isinstance(susp, dict) else ({"item": None, "part": None} if susp else None)),
            "notes": [str(n) for n in _list(c.get("notes"))],
        })
    suspended = a.get("suspended")
    if suspended not in (None, "part", "whole"):
        suspended = "part" if suspended else None
    chapter = _str(a.get("chapter")) or ""
    counterparts = []
    for cp in _list(a.get("counterparts")):
        if isinstance(cp, dict) and isinstance(cp.get("article"), str):
            counterparts.append({"article": cp["article"], "score": _num(cp.get("score"))})
        elif isinstance(cp, str):
            counterparts.append({"article": cp, "score": None})
    force = _str(a.get("force")) or "unknown"
    return {
        "id": a["id"], "agreement": a["agreement"], "chapter": chapter,
        "chapter_label": chapters[chapter]["number"] if chapter in chapters else chapter,
        "number": _str(a.get("number")) or a["id"].split(":")[-1], "title": _str(a.get("title")) or "",
        "kind": _str(a.get("kind")) or "article", "force": force, "suspended": suspended,
        "confidence": _str(a.get("confidence")), "concepts": [str(c) for c in _list(a.get("concepts"))],
        "covered_by": [str(x) for x in _list(a.get("covered_by"))], "clauses": clauses,
        "counterparts": counterparts, "links_in": [], "near": [],
        "force_rank": FORCES.index(force) if force in FORCES else len(FORCES),
    }


def _plan(p: dict[str, Any]) -> dict[str, Any]:
    target = p.get("target") if isinstance(p.get("target"), dict) else None
    t_aligned = int(target["aligned"]) if target and _num(target.get("aligned")) is not None else None
    t_share = _num(target.get("share")) if target else None
    listed = int(_num(p.get("listed"), 0) or 0)
    aligned = int(_num(p.get("aligned"), 0) or 0)
    share = _num(p.get("share"), aligned / listed if listed else None)
    declared = _str(p.get("declared"))
    status = _str(p.get("status")) or ("no target" if not target else "not assessable")
    notes = []
    if t_aligned is not None:
        need = t_aligned - aligned
        notes.append(f"{need} more aligned measures needed to reach {t_aligned}" if need > 0
                     else f"{aligned} aligned: the count of {t_aligned} is reached")
    if t_share is not None and share is not None:
        diff = round((share - t_share) * 100)
        notes.append(f"share {share:.0%} is {abs(diff)} points {'below' if diff < 0 else 'above'} the "
                     f"{t_share:.0%} target" if diff else f"share {share:.0%} equals the {t_share:.0%} target")
    n_declared, at_least = _declared_number(p.get("declared"))
    if target and n_declared is not None and listed < n_declared:
        notes.append(f"{n_declared - listed}{'+' if at_least else ''} declared measures are not listed, "
                     "so the target cannot be judged yet")
    return {
        "id": p["id"], "title": _str(p.get("title")) or p["id"], "title_zh": _str(p.get("title_zh")),
        "document": _str(p.get("document")), "date": _str(p.get("date")), "listed": listed,
        "declared": declared, "aligned": aligned, "share": share,
        "target": {"aligned": t_aligned, "share": t_share} if target else None,
        "status": status, "reason": _str(p.get("reason")) or "", "file": _str(p.get("file")),
        "notes": notes, "measures": [],
    }


def _review(r: Any) -> dict[str, Any] | None:
    if not isinstance(r, dict):
        return None
    status = _str(r.get("status"))
    return {"status": status if status in STATUSES else "unsure" if status else "suggested",
            "raw_status": status, "by": _str(r.get("by")), "when": _str(r.get("when")),
            "note": _str(r.get("note")), "suspect": bool(r.get("suspect")),
            "score_at_review": _num(r.get("score_at_review")), "changed": [str(x) for x in _list(r.get("changed"))]}


def _parts(signals: dict[str, float], weights: dict[str, float], english: bool) -> dict[str, float] | None:
    """Each signal's share of the combined score (the weighted mean of the signals it can have)."""
    usable = {k: v for k, v in signals.items() if weights.get(k, 0) > 0 and (english or k not in ENGLISH_ONLY)}
    total = sum(weights[k] for k in usable)
    if not usable or total <= 0:
        return None
    return {k: weights[k] * v / total for k, v in usable.items()}


def _pair(item: dict[str, Any], weights: dict[str, float], english: bool, art_by_id: dict[str, Any],
          clause_by_id: dict[str, Any], concept_labels: dict[str, str], is_link: bool) -> dict[str, Any]:
    signals = {k: v for k, v in ((k, _num(v)) for k, v in (item.get("signals") or {}).items()) if v is not None}
    article = art_by_id.get(item["article"])
    clause_id = _str(item.get("clause")) or item["article"]
    clause = clause_by_id.get(clause_id, (None, None))[1]
    cw = item.get("concept_words") if isinstance(item.get("concept_words"), dict) else {}
    concepts = [str(c) for c in _list(item.get("concepts"))]
    review = _review(item.get("review"))
    status = _str(item.get("status")) or (review["status"] if review else "suggested")
    hl = item.get("highlight") if isinstance(item.get("highlight"), dict) else None
    return {
        "article": item["article"], "clause": clause_id, "score": _num(item.get("score"), 0.0),
        "signals": signals, "parts": _parts(signals, weights, english),
        "suspended": bool(item.get("suspended")) or bool(article and article["suspended"] == "whole"),
        "concepts": [{"id": c, "label": concept_labels.get(c, c),
                      "measure": [str(w) for w in _list((cw.get(c) or {}).get("measure"))],
                      "clause": [str(w) for w in _list((cw.get(c) or {}).get("clause"))]} for c in concepts],
        "homes": [{"id": str(c), "label": concept_labels.get(str(c), str(c))} for c in _list(item.get("homes"))],
        "terms": [str(t) for t in _list(item.get("terms"))],
        "highlight": hl, "review": review, "status": status, "is_link": is_link,
        "title": article["title"] if article else "", "known": article is not None,
        "clause_obj": clause, "clause_label": clause["label"] if clause else None,
        "clause_force": clause["force"] if clause else None,
    }


def _measure(m: dict[str, Any], threshold: float, weights: dict[str, float], art_by_id: dict[str, Any],
             clause_by_id: dict[str, Any], plan_by_id: dict[str, Any], concept_labels: dict[str, str],
             changes: list[dict[str, Any]]) -> dict[str, Any]:
    text, text_zh = flow(_str(m.get("text"))), flow(_str(m.get("text_zh")))
    english = bool(text)
    links = [_pair(x, weights, english, art_by_id, clause_by_id, concept_labels, True) for x in _list(m.get("links"))]
    by_article = {link["article"]: link for link in links}
    candidates = []
    for rank, x in enumerate(_list(m.get("candidates")), 1):
        c = _pair(x, weights, english, art_by_id, clause_by_id, concept_labels, x["article"] in by_article)
        c["rank"] = rank
        link = by_article.get(c["article"])
        if link is not None:  # the link carries the review and, in older results, the evidence
            c["status"], c["review"] = link["status"], link["review"] or c["review"]
            for key in ("concepts", "terms", "highlight"):
                c[key] = c[key] or link[key]
            link["rank"] = rank
        elif c["review"] and c["review"]["status"] == "rejected":
            c["status"] = "rejected"
        else:
            c["status"] = "below threshold" if c["score"] < threshold else "suggested"
        candidates.append(c)
    for link in links:
        link.setdefault("rank", None)
        link["highlight"] = link["highlight"] or next(
            (c["highlight"] for c in candidates if c["article"] == link["article"]), None)
    suspects = [_pair(x, weights, english, art_by_id, clause_by_id, concept_labels, x["article"] in by_article)
                for x in _list(m.get("suspects")) if isinstance(x, dict) and isinstance(x.get("article"), str)]
    suspect_articles = {s["article"] for s in suspects}
    for pair in (*links, *candidates):
        if pair["review"] and pair["review"]["suspect"]:
            suspect_articles.add(pair["article"])
        pair["suspect"] = pair["article"] in suspect_articles

    # Evidence shown with marked words: every link, then up to NEAR_MISSES candidates that fell
    # short of the threshold by less than NEAR_MARGIN (at least the best one when nothing links).
    near = [c for c in candidates if not c["is_link"] and c["status"] != "rejected"]
    evidence = list(links) + [c for c in near if c["score"] >= threshold - NEAR_MARGIN][:NEAR_MISSES]
    if not links and near and near[0] not in evidence:
        evidence.append(near[0])

    statuses = {link["status"] if link["status"] in STATUSES else "suggested" for link in links}
    statuses |= {"rejected" for c in candidates if c["status"] == "rejected"}
    if suspect_articles:
        statuses.add("suspect")
    aligned = bool(m.get("aligned")) if "aligned" in m else any(not link["suspended"] for link in links)
    only_suspended = bool(m.get("only_suspended")) if "only_suspended" in m else (
        bool(links) and all(link["suspended"] for link in links))
    agreements = sorted({link["article"].split(":")[0] for link in links})
    plan = plan_by_id.get(str(m.get("plan")))
    search = " ".join(x for x in (m["id"], text, text_zh, _str(m.get("group")), _str(m.get("section")),
                                  _str(m.get("sector")), *(link["article"] for link in links),
                                  *(link["title"] for link in links)) if x)
    review_counts = Counter(link["status"] for link in links)
    return {
        "id": m["id"], "plan": str(m.get("plan")), "plan_title": plan["title"] if plan else str(m.get("plan")),
        "text": text, "text_zh": text_zh, "group": _str(m.get("group")), "section": _str(m.get("section")),
        "sector": _str(m.get("sector")), "source": _str(m.get("source")), "source_url": safe_url(m.get("source")),
        "provenance": _str(m.get("provenance")), "file": _str(m.get("file")), "line": m.get("line"),
        "concepts": [{"id": str(c), "label": concept_labels.get(str(c), str(c))} for c in _list(m.get("concepts"))],
        "outside": [{"id": str(c), "label": concept_labels.get(str(c), str(c)), "words": [str(w) for w in _list(ws)]}
                    for c, ws in (m.get("outside") if isinstance(m.get("outside"), dict) else {}).items()],
        "aligned": aligned, "only_suspended": only_suspended, "links": links, "candidates": candidates,
        "suspects": suspects, "evidence": evidence, "changes": changes,
        "best": links[0] if links else (candidates[0] if candidates else None),
        "agreements": agreements, "statuses": sorted(statuses, key=STATUSES.index),
        "review_counts": [(s, review_counts[s]) for s in STATUSES if review_counts.get(s)],
        "search": search.lower(),
        "data": {
            "plan": token(m.get("plan")), "sector": token(m.get("sector") or "none"),
            "agreement": " ".join(agreements) or "none",
            "aligned": "yes" if aligned else ("no only-suspended" if only_suspended else "no"),
            "status": " ".join(sorted(statuses, key=STATUSES.index)) or "none",
        },
    }


def _heatmap(measures: list[dict[str, Any]], plans: list[dict[str, Any]], agreements: list[dict[str, Any]],
             art_by_id: dict[str, Any], threshold: float) -> dict[str, Any]:
    """Measures x chapters/modules: the best candidate or link of each measure in each chapter."""
    columns = [ch for ag in agreements for ch in ag["chapters"]]
    rows = []
    for p in plans:
        body = []
        for m in p["measures"]:
            best: dict[str, dict[str, Any]] = {}
            for pair in (*m["links"], *m["candidates"]):
                art = art_by_id.get(pair["article"])
                if art is None or (pair["status"] == "rejected" and not pair["is_link"]):
                    continue
                cur = best.get(art["chapter"])
                key = (pair["is_link"], pair["score"])
                if cur is None or key > (cur["is_link"], cur["score"]):
                    best[art["chapter"]] = pair
            cells = []
            for ch in columns:
                pair = best.get(ch["id"])
                if pair is None:
                    cells.append(None)
                    continue
                s = pair["score"]
                if pair["is_link"]:
                    level = "susp" if pair["suspended"] else (
                        "l3" if s >= threshold + 0.2 else "l2" if s >= threshold + 0.1 else "l1")
                    what = "link" + (" to a suspended provision" if pair["suspended"] else "")
                else:
                    level = "c2" if s >= threshold - 0.1 else "c1"
                    what = "candidate below the threshold"
                n_links = sum(1 for link in m["links"]
                              if art_by_id.get(link["article"], {}).get("chapter") == ch["id"])
                more = f"; {n_links} links in this {ch['division']}" if n_links > 1 else ""
                cells.append({"level": level, "pair": pair,
                              "label": f"{m['id']} × {ch['label']}: {pair['article']} {fmt_score(s)}, {what}{more}"})
            body.append({"measure": m, "cells": cells})
        if body:
            rows.append({"plan": p, "rows": body})
    groups = [{"agreement": ag, "span": len(ag["chapters"])} for ag in agreements if ag["chapters"]]
    return {"columns": columns, "groups": groups, "plans": rows}


def _changes(changes: Any) -> dict[str, Any] | None:
    if not isinstance(changes, dict):
        return None
    items = []
    for it in _list(changes.get("items")):
        if not isinstance(it, dict):
            continue
        cls = _str(it.get("class")) or "change"
        items.append({
            "class": cls, "id": token(cls), "measure": _str(it.get("measure")), "article": _str(it.get("article")),
            "message": _str(it.get("message")) or "", "before": it.get("before"), "after": it.get("after"),
            "failing": bool(it.get("failing")), "improvement": cls in IMPROVEMENTS,
            "file": _str(it.get("file")), "line": it.get("line"),
        })
    order = {c: i for i, c in enumerate(CHANGE_CLASSES)}
    classes = sorted({it["class"] for it in items}, key=lambda c: (order.get(c, len(order)), c))
    groups = [{"class": c, "id": token(c), "entries": [it for it in items if it["class"] == c],
               "failing": any(it["failing"] for it in items if it["class"] == c),
               "improvement": c in IMPROVEMENTS} for c in classes]
    return {"baseline": _str(changes.get("baseline")), "fail_on": [str(x) for x in _list(changes.get("fail_on"))],
            "entries": items, "groups": groups, "failing": sum(it["failing"] for it in items)}


def fmt_value(v: Any) -> str:
    """A change's before / after: a score, a count, a word, or a short JSON rendering."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, (int, str)):
        return str(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)[:200]


# --------------------------------------------------------------------------- rendering

@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    from importlib.resources import files

    base = files("checker.render") / "templates"
    css = (base / "report.css").read_text(encoding="utf-8")
    js = (base / "report.js").read_text(encoding="utf-8")
    for name, text, end in (("report.css", css, "</style"), ("report.js", js, "</script")):
        if end in text.lower():
            raise ValueError(f"{name} must not contain {end}")
    return css, js


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    css, js = _assets()
    return ("default-src 'none'; "
            f"style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def page_names(view: dict[str, Any]) -> list[str]:
    """The pages with something to show: the changes page needs a baseline or a change."""
    return [name for name, _ in PAGES if name != "changes" or view["has_changes"]]


def render_pages(result: dict[str, Any], single_file: bool = False, data_files: Sequence[str] = (),
                 view: dict[str, Any] | None = None) -> dict[str, str]:
    """{file name: HTML}: `index.html` and one file per page, or one `report.html` with every page."""
    from checker.render import environment

    view = view if view is not None else build_view(result)
    env = environment()
    template = env.get_template("report.html.j2")
    css, js = _assets()
    names = page_names(view)
    titles = dict(PAGES)

    def renderer(current: str | None) -> Any:
        def href(page: str, target: str | None = None) -> str:
            frag = "#" + quote(target, safe=":.-_~!$&'()*+,;=@/?") if target else ""
            if single_file:
                return frag or f"#page-{page}"
            if page == current and frag:
                return frag
            return f"{page}.html{frag}"
        return href

    common = {"v": view, "css": Markup(css), "js": Markup(js), "csp": content_security_policy(),
              "nav": [(n, titles[n]) for n in names], "single_file": single_file, "data_files": list(data_files),
              "segments": segments, "fmt_value": fmt_value}
    if single_file:
        html = template.render(common, pages=names, current=None, href=renderer(None),
                               title="rulealign — alignment report")
        return {"report.html": html}
    return {f"{name}.html": template.render(common, pages=[name], current=name, href=renderer(name),
                                            title=f"{titles[name]} — rulealign report")
            for name in names}
