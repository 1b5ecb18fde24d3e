"""Plain-text treaty texts (a text export of a PDF or Word file, `pdftotext` output, a copy-paste).

Plain text tells nothing about looks, so the page furniture is recognised by what it says: page
numbers ("12", "- 10 -", "12-3", "Page 3 of 20") anywhere, and running heads that repeat at the
top or bottom of most pages (pages are separated by form feeds, as pdftotext writes them).
Footnote texts are found as ToTA's are: a line "13 For greater certainty, …" carrying the next
footnote number of the chapter, after the end of a sentence; the reference numbers glued to words
become footnote references.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from checker.importers.model import Document, Line, Where
from checker.importers.structure import CHAPTER_RE, build
from checker.importers.textutil import clean_space, is_page_number, mark_glued_refs, vocabulary
from checker.yamlio import read_text

_NOTE = re.compile(r"^(\d{1,3})\s+(?=[A-Z\u201c\"'(])(\S.*)$")


def read_plaintext(paths: list[Path], display: str, flat_chapter: str = "1") -> Document:
    doc = Document(display, "text", files=len(paths))
    lines: list[Line] = []
    for path in paths:
        lines.extend(text_lines(read_text(path), str(path)))
        lines.append(Line("", Where(str(path)), kind="page"))
    known = {ln.label for ln in lines if ln.kind == "footnote"}
    for ln in lines:
        if ln.kind == "text" and known:
            ln.text = mark_glued_refs(ln.text, known)
    return build(lines, doc, vocabulary(ln.text for ln in lines), flat_chapter, positional_notes=True)


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines that repeat at the top or bottom of most pages (digits ignored): running heads."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        edge = [x for x in page if x.strip()]
        for line in {*edge[:2], *edge[-2:]}:
            counts[_shape(line)] += 1
    need = max(3, int(0.3 * len(pages)))
    return {shape for shape, n in counts.items() if n >= need and len(shape) <= 120}


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", clean_space(line).lower())


def text_lines(text: str, path: str) -> list[Line]:
    """Plain text → lines without page furniture, footnote texts as their own lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = [p.split("\n") for p in text.split("\f")]
    furniture = _furniture(pages)
    out: list[Line] = []
    lineno = 0
    expected = 1
    note: Line | None = None
    prev_text = ""
    for p, page in enumerate(pages):
        edge = [i for i, x in enumerate(page) if x.strip()]
        edges = set(edge[:2] + edge[-2:])
        for i, raw in enumerate(page):
            lineno += 1
            where = Where(path, lineno)
            line = clean_space(raw)
            if not line:
                note = None
                out.append(Line("", where))
                continue
            if is_page_number(line) or (i in edges and _shape(line) in furniture):
                continue
            if CHAPTER_RE.match(line):
                expected = 1  # footnotes are numbered afresh in each chapter
            m = _NOTE.match(line)
            if m and (int(m.group(1)) in range(expected, expected + 3)) and (
                    not prev_text or re.search(r"[.;:]\W*$", prev_text)):
                note = Line(m.group(2), where, kind="footnote", label=m.group(1))
                out.append(note)
                expected = int(m.group(1)) + 1
                continue
            if note is not None:
                note.text = f"{note.text} {line}"  # the footnote goes on to the next blank line
                continue
            out.append(Line(line, where))
            prev_text = line
        if p < len(pages) - 1:
            note = None
            out.append(Line("", Where(path, lineno), kind="page"))
    return out
