"""Blocks → labelled paragraphs, footnotes → notes.

A block that starts with "1." opens paragraph 1; sub-paragraphs (a), (b) and unnumbered text stay
inside the paragraph before them (docs/corpus.md: they get no id of their own). Annex sections
("Section B", or an annex's own "Article 3") prefix the labels: "B.1". Numbering problems are
warned about, never fatal: a gap is kept, a repeated number is relabelled, a restart at 1 inside an
article is kept as text (it usually means the source lost an article heading).
"""

from __future__ import annotations

import re

from checker.importers.model import FN_RE, Block, Chapter, Document, Footnote, Paragraph, Unit
from checker.importers.textutil import clean_space

PARA_LABEL = re.compile(r"^(\d{1,3})\s?\.(?:\s+|$|(?=[A-Z\u201c\"(]))")


def assemble(doc: Document) -> None:
    """Fill every unit's `text` or `paragraphs`, then move footnote texts into `notes`."""
    for chapter in doc.chapters:
        for unit in chapter.units:
            _paragraphs(doc, unit)
        _resolve_notes(doc, chapter)
        for unit in chapter.units:
            if not unit.paragraphs and not unit.text:
                doc.warn(unit.where, f"{unit.label} ({unit.title or 'no title'}) has no text in the source; "
                                     "its title stands in for it")


def _paragraphs(doc: Document, unit: Unit) -> None:
    """Walk the unit's blocks once, opening a paragraph at each label that fits the sequence."""
    intro: list[str] = []
    pars: list[tuple[str, list[str]]] = []  # (label, texts)
    used: set[str] = set()
    section, section_title, expected = "", "", 1
    last_n, carry_on = 0, 0  # the last paragraph number; the number that would continue it in a new section
    section_plain: list[str] = []  # unnumbered text of a section that has no numbered paragraph yet
    heading: list[str] = []  # sub-headings waiting for the paragraph they introduce
    restarts: list[tuple[Block, str]] = []
    run_next = 0  # after a list that starts again at 1: the number its next item would carry
    own = unit.source_number if unit.source_number.isdigit() else unit.number.rsplit(".", 1)[-1]
    found = [_label(b.text, unit.kind, own) if b.kind == "text" else None for b in unit.blocks]
    labels = [f[1] if f else None for f in found]

    def in_section(label: str) -> bool:
        return label == section or label.startswith(f"{section}.") if section else True

    def add_text(text: str) -> None:
        if pars and in_section(pars[-1][0]):
            pars[-1][1].append(text)
        elif section:
            section_plain.append(text)
        else:
            intro.append(text)

    def flush_heading() -> None:
        if heading:
            add_text("\n".join(heading))
            heading.clear()

    def close_section() -> None:
        if section and section_plain:
            pars.append((_unique(section, used), [t for t in (section_title, *section_plain) if t]))
        section_plain.clear()

    def open_paragraph(label: str, body: str) -> None:
        texts = [*section_plain]
        section_plain.clear()
        if section and section_title and not any(in_section(p[0]) for p in pars):
            texts.insert(0, section_title)
        texts.extend(heading)
        heading.clear()
        texts.append(body)
        pars.append((_unique(label, used), texts))

    for k, block in enumerate(unit.blocks):
        if block.kind == "section":
            flush_heading()
            close_section()
            section = re.sub(r"[^0-9A-Za-z]", "", block.section) or "S"
            section_title, expected, carry_on = block.text, 1, last_n + 1
            continue
        if block.kind == "heading":
            heading.append(block.text)
            continue
        info = found[k]
        n = info[1] if info else None
        body = block.text[info[2]:].strip() if info else block.text
        if info and info[0] and info[0] != section:
            # "2.1", "2.2" in an annex: paragraphs of its part 2
            flush_heading()
            close_section()
            section, section_title, expected, carry_on = info[0], "", 1, 0
        if n == 1 and expected > 1 and not section and unit.kind == "annex":
            # an annex numbered afresh under unnumbered sub-headings (one list per Party, say):
            # each run becomes a section of its own, A, B, C ...
            section, section_title = _next_section(pars, used), ""
            expected = 1
        if n is not None and carry_on > 1 and n == carry_on and not any(in_section(p[0]) for p in pars):
            expected = n  # the annex numbers its paragraphs straight through its sections
        if n is not None and expected <= n <= expected + 3:
            if n != expected:
                doc.warn(block.where, f"{unit.label}: paragraph numbers "
                                      + (f"start at {n}" if expected == 1 else f"jump from {expected - 1} to {n}"))
            open_paragraph(f"{section}.{n}" if section else str(n), body)
            expected, last_n, carry_on = n + 1, n, 0
            continue
        if n is not None and run_next and n == run_next and unit.kind == "article":
            run_next += 1  # the list that started again at 1 goes on: it is text of the paragraph
            flush_heading()
            add_text(block.text)
            continue
        if n is not None and n == expected - 1 and pars:
            later = n + 1 in labels[k + 1:]
            new = f"{n}bis" if later else str(n + 1)
            doc.warn(block.where, f"{unit.label}: paragraph number {n} appears twice; the second one is "
                                  f"labelled {new}")
            open_paragraph(f"{section}.{new}" if section else new, body)
            if not later:
                expected = n + 2
            continue
        if n == 1 and pars and unit.kind == "article":
            restarts.append((block, pars[-1][0]))
            run_next = 2
        flush_heading()
        add_text(block.text)
    flush_heading()
    close_section()
    if restarts:
        first, inside = restarts[0]
        more = f" ({len(restarts)} times)" if len(restarts) > 1 else ""
        doc.warn(first.where, f"{unit.label}: paragraph numbering starts again at 1{more} (a lost article "
                              f"heading, or a numbered list?); kept inside paragraph {inside}")
    unit.paragraphs, unit.text = [], None
    if not pars:
        unit.text = "\n".join(intro).strip() or None
        return
    if intro:
        pars[0] = (pars[0][0], [*intro, *pars[0][1]])
    unit.paragraphs = [Paragraph(label, "\n".join(t for t in texts if t).strip() or "(no text)")
                       for label, texts in pars]


DOTTED_LABEL = re.compile(r"^(\d{1,3})\.(\d{1,3})(?:\s+|$)(?![(\d])")


def _label(text: str, kind: str, own: str) -> tuple[str, int, int] | None:
    """(section, number, where the text starts) of a paragraph label, or None.

    "3." is paragraph 3. Agreements numbered straight through write "3.2" for paragraph 2 of
    Article 3; in an annex "2.1" is paragraph 1 of its part 2.
    """
    m = PARA_LABEL.match(text)
    if m:
        return ("", int(m.group(1)), m.end())
    m = DOTTED_LABEL.match(text)
    if m:
        if kind == "annex":
            return (m.group(1), int(m.group(2)), m.end())
        if m.group(1) == own:
            return ("", int(m.group(2)), m.end())
    return None


def _unique(label: str, used: set[str]) -> str:
    base, k = label, 2
    while label in used:
        label = f"{base}bis" if k == 2 else f"{base}x{k}"
        k += 1
    used.add(label)
    return label


def _next_section(pars: list[tuple[str, list[str]]], used: set[str]) -> str:
    """The letter of the next run of an annex numbered afresh; the first run becomes "A"."""
    letters = sorted({p[0].split(".")[0] for p in pars if "." in p[0] and p[0].split(".")[0].isalpha()})
    if not letters:
        for k, (label, texts) in enumerate(pars):
            if "." not in label and label.isdigit():
                used.discard(label)
                pars[k] = (_unique(f"A.{label}", used), texts)
        return "B"
    last = letters[-1]
    return chr(ord(last) + 1) if len(last) == 1 and last < "Z" else last + "A"


# --------------------------------------------------------------------------- footnotes


def _resolve_notes(doc: Document, chapter: Chapter) -> None:
    by_anchor = {f.anchor: f for f in chapter.footnotes if f.anchor}
    by_number: dict[str, Footnote] = {}
    for f in chapter.footnotes:
        by_number.setdefault(f.number, f)
    used: set[int] = set()
    missing: list[str] = []

    def take(text: str) -> tuple[str, list[str]]:
        notes: list[str] = []

        def repl(m: re.Match[str]) -> str:
            f = by_anchor.get(m.group(2) or "") or by_number.get(m.group(1))
            if f is None:
                missing.append(m.group(1))
                return ""
            if id(f) not in used:
                used.add(id(f))
            note = _note_text(f)
            if note and note not in notes:
                notes.append(note)
            return ""

        out = FN_RE.sub(repl, text)
        return _tidy(out), notes

    for unit in chapter.units:
        unit.title, notes = take(unit.title)
        unit.title = unit.title.rstrip(" ,;")
        unit.notes = [*unit.notes, *[n for n in notes if n not in unit.notes]]
        if unit.text is not None:
            unit.text, notes = take(unit.text)
            unit.notes.extend(n for n in notes if n not in unit.notes)
        for p in unit.paragraphs:
            p.text, notes = take(p.text)
            p.notes.extend(n for n in notes if n not in p.notes)
    for f in chapter.footnotes:
        if id(f) in used:
            continue
        note = _note_text(f)
        if not note:
            continue
        if f.unit is not None and f.unit in chapter.units:
            f.unit.notes.append(note)
        else:
            chapter.notes.append(note)
    if missing:
        doc.warn(chapter.where, f"Chapter {chapter.number}: {len(missing)} footnote reference(s) without a "
                                f"footnote text ({', '.join(sorted(set(missing), key=_numkey)[:8])}"
                                f"{', ...' if len(set(missing)) > 8 else ''}); markers dropped")


def _note_text(f: Footnote) -> str:
    text = clean_space(FN_RE.sub("", f.text).replace("\n", " \n ")).replace(" \n ", "\n")
    return f"[{f.number}] {text}" if text else ""


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+([,.;:)])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _numkey(s: str) -> tuple[int, str]:
    return (int(s), "") if s.isdigit() else (10**6, s)
