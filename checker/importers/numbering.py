"""Article and annex numbers: make them valid for docs/corpus.md, or map them to another text's.

`normalize` gives every article a number "<chapter>.<n>" and every annex "<chapter>-<letter>":
irregular numbers ("9.6bis"), repeats and articles out of order are numbered on from the one
before, with a warning that names each change; annexes filed under the wrong chapter move to
theirs. `apply_reference` maps a source onto the numbering of another text of the same agreement
(readthetpp's Nov 2015 release onto the signed text in ToTA XML): articles are paired by title,
opening words and position, not by number, so shifted and permuted articles find their match; a
reference article that the source runs into its neighbour (the heading was lost) is split out
where its opening words appear, and one the source lacks is taken from the reference.
"""

from __future__ import annotations

import copy
import re

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment

from checker.importers.model import FN_RE, Block, Chapter, Document, Footnote, Unit, fn_token
from checker.importers.textutil import fix_title, match_key, strip_fn

MATCH_THRESHOLD = 0.5


def _title(unit: Unit) -> str:
    return fix_title(strip_fn(unit.title)).rstrip(" ,;")


# --------------------------------------------------------------------------- validity


def normalize(doc: Document) -> None:
    """Make every number valid and unique; warn about each change and about gaps."""
    _relocate_annexes(doc)
    for chapter in list(doc.chapters):
        if not chapter.units:
            doc.warn(chapter.where, f"Chapter {chapter.number} ({chapter.title or 'no title'}) has no articles "
                                    "or annexes in the source: left out")
            doc.chapters.remove(chapter)
    for chapter in doc.chapters:
        _number_articles(doc, chapter)
        _number_annexes(doc, chapter)
    doc.chapters.sort(key=lambda c: (0, int(c.number), "") if c.number.isdigit() else (1, 0, c.number))


def _article_n(chapter: Chapter, unit: Unit) -> int | None:
    m = re.fullmatch(rf"{re.escape(chapter.number)}\.(\d+)", unit.number)
    return int(m.group(1)) if m else None


def _number_articles(doc: Document, chapter: Chapter) -> None:
    last = 0
    changed: list[tuple[str, str]] = []
    first_bad: tuple[Unit, str] | None = None
    gaps: list[str] = []
    for unit in chapter.articles:
        n = _article_n(chapter, unit)
        if n is not None and n > last:
            # (an agreement numbered straight through starts its later chapters past 1)
            if n > last + 1 and (last or "." in unit.source_number):
                gaps.extend(f"{chapter.number}.{k}" for k in range(last + 1, n))
            last = n
            continue
        if first_bad is None:
            why = ("irregular number" if n is None and unit.number.startswith(f"{chapter.number}.")
                   else "number of another chapter" if n is None
                   else "repeated number" if n == last else "number out of order")
            first_bad = (unit, why)
        new = f"{chapter.number}.{last + 1}"
        changed.append((unit.number, new))
        doc.numbering.append(f"Article {unit.number} of the source is numbered {new}")
        unit.number = new
        last += 1
    if first_bad is not None:
        unit, why = first_bad
        shown = ", ".join(f"{a}→{b}" for a, b in changed[:6]) + (", ..." if len(changed) > 6 else "")
        doc.warn(unit.where, f"Chapter {chapter.number}: {why} {unit.source_number}; {len(changed)} "
                             f"article(s) numbered on from the one before ({shown}); "
                             "--numbering-from maps them to another text's numbers")
    if gaps:
        shown = ", ".join(gaps[:8]) + (", ..." if len(gaps) > 8 else "")
        doc.warn(chapter.where, f"Chapter {chapter.number}: no article numbered {shown} (a gap in the "
                                "source's numbering, or a heading it lost)")


def _number_annexes(doc: Document, chapter: Chapter) -> None:
    seen: dict[str, Unit] = {}
    keep: list[Unit] = []
    for unit in chapter.units:
        if unit.kind != "annex":
            keep.append(unit)
            continue
        m = re.fullmatch(rf"{re.escape(chapter.number)}-([A-Z]+)", unit.number)
        if not m:
            used = {u.number for u in chapter.annexes}
            letter = next(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if f"{chapter.number}-{c}" not in used)
            new = f"{chapter.number}-{letter}"
            doc.warn(unit.where, f"Annex {unit.number}: not a chapter annex number; numbered {new}")
            doc.numbering.append(f"Annex {unit.number} of the source is numbered {new}")
            unit.number = new
        if unit.number in seen:
            first = seen[unit.number]
            doc.warn(unit.where, f"Annex {unit.number} appears twice (also at {first.where.problem('').path}"
                                 f"{':' + str(first.where.line) if first.where.line else ''}); texts joined")
            if unit.title and unit.title != first.title and not first.title:
                first.title = unit.title
            first.blocks.extend(unit.blocks)
            first.notes.extend(unit.notes)
            continue
        seen[unit.number] = unit
        keep.append(unit)
    chapter.units = keep


def _relocate_annexes(doc: Document) -> None:
    """An annex numbered for another chapter ("Annex 2-D" in chapter 1's file) goes to that chapter."""
    for chapter in list(doc.chapters):
        for unit in list(chapter.annexes):
            prefix = unit.number.split("-", 1)[0]
            if prefix == chapter.number:
                continue
            target = doc.chapter(prefix)
            if target is None:
                continue
            doc.warn(unit.where, f"Annex {unit.number} found in Chapter {chapter.number}; moved to "
                                 f"Chapter {prefix}")
            chapter.units.remove(unit)
            adopt(unit, chapter, target)
            target.units.append(unit)


def adopt(unit: Unit, source: Chapter, target: Chapter) -> None:
    """Footnotes are numbered per chapter: give a unit moving chapters its footnotes, re-anchored."""
    by_anchor = {f.anchor: f for f in source.footnotes if f.anchor}
    by_number: dict[str, Footnote] = {}
    for f in source.footnotes:
        by_number.setdefault(f.number, f)
    moved: dict[int, str] = {}

    def repl(m: re.Match[str]) -> str:
        f = by_anchor.get(m.group(2) or "") or by_number.get(m.group(1))
        if f is None:
            return m.group(0)
        if id(f) not in moved:
            anchor = f"ch{source.number}:{f.anchor or f.number}"
            moved[id(f)] = anchor
            target.footnotes.append(Footnote(f.number, f.text, f.where, anchor, None))
        return fn_token(m.group(1), moved[id(f)])

    unit.title = FN_RE.sub(repl, unit.title)
    for b in unit.blocks:
        b.text = FN_RE.sub(repl, b.text)


# --------------------------------------------------------------------------- a reference's numbering


def apply_reference(doc: Document, ref: Document) -> None:
    """Number `doc`'s articles as `ref` numbers the same articles."""
    before = len(doc.warnings)
    for rch in ref.chapters:
        sch = doc.chapter(rch.number)
        if sch is None:
            sch = Chapter(rch.number, rch.title, rch.where)
            doc.chapters.append(sch)
            for r in rch.units:
                _insert(sch, _from_reference(r, rch, sch), len(sch.units))
            doc.warn(rch.where, f"Chapter {rch.number} is not in the source: taken from the reference "
                                f"({len(rch.articles)} articles)")
            continue
        if not sch.title:
            sch.title = rch.title
        _align_chapter(doc, sch, rch)
    ref_numbers = {c.number for c in ref.chapters}
    for sch in doc.chapters:
        if sch.number not in ref_numbers:
            doc.warn(sch.where, f"Chapter {sch.number} is not in the reference; its own numbering is kept")
    taken = sum(1 for u in doc.articles if u.origin == "reference")
    if ref.articles and taken > len(ref.articles) / 2:
        doc.warnings.insert(before, ref.chapters[0].where.problem(
            f"{taken} of the reference's {len(ref.articles)} articles have no match in the source: is the "
            "reference a text of the same agreement?"))


def _opening(unit: Unit, limit: int = 300) -> str:
    texts = [b.text for b in unit.blocks if b.kind == "text"]
    return match_key(" ".join(texts[:3]), limit)


def _scores(src: list[Unit], ref: list[Unit]) -> np.ndarray:
    """Similarity of every source article to every reference article, in [0, 1]."""
    st = [match_key(u.title) for u in src]
    rt = [match_key(u.title) for u in ref]
    titles = np.maximum(cdist(st, rt, scorer=fuzz.token_sort_ratio),
                        0.9 * cdist(st, rt, scorer=fuzz.token_set_ratio)) / 100.0
    texts = cdist([_opening(u) for u in src], [_opening(u) for u in ref], scorer=fuzz.ratio) / 100.0
    same_no = np.array([[1.0 if s.source_number == r.number else 0.0 for r in ref] for s in src])
    pos_s = np.arange(len(src))[:, None] / max(len(src), 1)
    pos_r = np.arange(len(ref))[None, :] / max(len(ref), 1)
    return 0.45 * titles + 0.45 * texts + 0.1 * same_no - 0.3 * np.abs(pos_s - pos_r)


def _align_chapter(doc: Document, sch: Chapter, rch: Chapter) -> None:
    src, ref = sch.articles, rch.articles
    if not ref:
        return
    pairs: dict[int, int] = {}
    if src:
        score = _scores(src, ref)
        rows, cols = linear_sum_assignment(-score)
        pairs = {int(c): int(r) for r, c in zip(rows, cols) if score[r, c] >= MATCH_THRESHOLD}
    holder: dict[int, Unit] = {}
    for j, r in enumerate(ref):
        if j in pairs:
            unit = src[pairs[j]]
            _take_number(doc, unit, r)
            holder[j] = unit
            continue
        host = holder.get(j - 1)
        found = _split(host, r) if host is not None else None
        if host is not None and found is not None:
            _insert(sch, found, sch.units.index(host) + 1)
            doc.info.append(f"Article {r.number} ({_title(r)}): no heading in the source; "
                            f"split out of Article {host.source_number} where its text begins")
            doc.numbering.append(f"Article {r.number} has no heading in the source; its text is split out "
                                 f"of the source's Article {host.source_number}")
            holder[j] = found
            continue
        new = _from_reference(r, rch, sch)
        at = sch.units.index(host) + 1 if host is not None else 0
        _insert(sch, new, at)
        doc.warn(r.where, f"Article {r.number} ({_title(r)}) is not in the source: "
                          "text taken from the reference")
        doc.numbering.append(f"Article {r.number} is not in the source; its text comes from the reference")
        holder[j] = new
    matched = {id(u) for u in holder.values()}
    extra = [u for u in sch.articles if id(u) not in matched]
    top = max((int(r.number.split(".")[-1]) for r in ref if re.fullmatch(r"[^.]+\.\d+", r.number)), default=0)
    for u in extra:
        top += 1
        new = f"{sch.number}.{top}"
        doc.warn(u.where, f"Article {u.source_number} ({u.title}) has no counterpart in the reference; "
                          f"numbered {new}")
        doc.numbering.append(f"Article {u.source_number} of the source has no counterpart in the reference; "
                             f"numbered {new}")
        u.number = new
    order = {id(holder[j]): j for j in holder}
    articles = sorted(sch.articles, key=lambda u: (order.get(id(u), 10**6), _num_tail(u.number)))
    sch.units = articles + sch.annexes
    _reference_annexes(doc, sch, rch)


def _take_number(doc: Document, unit: Unit, r: Unit) -> None:
    if unit.number != r.number:
        doc.numbering.append(f"Article {unit.source_number} of the source is Article {r.number} "
                             f"({_title(r)})")
    unit.number = r.number
    rkey, skey = match_key(r.title), match_key(unit.title)
    if not skey:
        unit.title = _title(r)
    elif rkey and skey.startswith(rkey) and len(skey) > len(rkey) + 8:
        # "Definitions For the purposes of this Chapter:": the text ran into the heading
        n = len(rkey.split())
        words = unit.title.split()
        unit.title, rest = " ".join(words[:n]), " ".join(words[n:])
        unit.blocks.insert(0, Block(rest, unit.where))


def _split(host: Unit, r: Unit) -> Unit | None:
    """Find where reference article `r` begins inside `host` (its heading lost); cut it out."""
    want = _opening(r, 200)
    if not want or len(host.blocks) < 2:
        return None
    best, best_k = 0.0, -1
    for k in range(1, len(host.blocks)):
        b = host.blocks[k]
        if b.kind != "text":
            continue
        key = match_key(" ".join(x.text for x in host.blocks[k:k + 3] if x.kind == "text"), len(want))
        score = fuzz.ratio(key, want)
        if re.match(r"^1\s?\.(\s|$)", b.text):
            score += 10  # the paragraph numbering starts again here
        if score > best:
            best, best_k = score, k
    if best < 75:
        return None
    while best_k > 1 and host.blocks[best_k - 1].kind == "heading":
        best_k -= 1  # the sub-heading that introduces it goes with it
    blocks = host.blocks[best_k:]
    host.blocks = host.blocks[:best_k]
    return Unit("article", r.number, _title(r), blocks[0].where, blocks,
                source_number=f"(in {host.source_number})", origin="split")


def _from_reference(r: Unit, rch: Chapter, sch: Chapter) -> Unit:
    unit = copy.deepcopy(r)
    unit.origin = "reference"
    unit.title = fix_title(unit.title)
    for b in unit.blocks:
        b.where = r.where
    if rch is not sch:
        # copies of the reference's footnotes, anchored so they cannot clash with the source's
        adopt(unit, rch, sch)
        cited = {m.group(1) for u in rch.units for b in u.blocks for m in FN_RE.finditer(b.text)}
        for f in rch.footnotes:
            if f.unit is r and f.number not in cited:  # a footnote text found in it that nothing cites
                sch.footnotes.append(Footnote(f.number, f.text, f.where, f"ref:{f.number}", unit))
    return unit


def _insert(chapter: Chapter, unit: Unit, at: int) -> None:
    chapter.units.insert(min(at, len(chapter.units)), unit)


def _num_tail(number: str) -> int:
    m = re.search(r"(\d+)$", number)
    return int(m.group(1)) if m else 0


def _reference_annexes(doc: Document, sch: Chapter, rch: Chapter) -> None:
    have = {u.number for u in sch.annexes}
    for r in rch.annexes:
        if r.number not in have:
            sch.units.append(_from_reference(r, rch, sch))
            doc.warn(r.where, f"Annex {r.number} is not in the source: text taken from the reference")
