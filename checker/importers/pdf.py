"""PDF treaty texts, read with pypdf (the text layer; a scanned PDF needs OCR first).

pypdf's plain text loses what tells a heading from a footnote, so every piece of text is read with
its font size, weight and height on the page: page numbers and running heads (top and bottom
margins) are dropped, small raised digits become footnote references, the block of smaller text
that starts with such a digit at the foot of a page becomes footnote texts, and bold lines are
marked so that structure.py takes only them as headings. Pages are read in parallel processes
(pypdf is pure Python and a 500-page treaty takes a while).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError, problem
from checker.importers.model import FN_RE, Document, Line, Where, fn_token
from checker.importers.structure import build
from checker.importers.textutil import clean_space, is_page_number, join_lines, vocabulary

_REFS = re.compile(r"^\s*\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\s*$")
_MARGIN_BOTTOM, _MARGIN_TOP = 0.075, 0.935
Chunk = tuple[str, float, bool, float]  # text, font size, bold, baseline height
PageChunks = tuple[float, list[Chunk]]  # page height, chunks in reading order


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _open(path: Path):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(problem(path, None, "encrypted PDF: give a decrypted copy"))
        _ = len(reader.pages)
    except InputError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(problem(path, None, f"not a readable PDF ({exc})")) from None
    except Exception as exc:  # pypdf raises many kinds on damaged files
        if type(exc).__module__.startswith("pypdf") or "crypt" in str(exc).lower():
            raise InputError(problem(path, None, f"not a readable PDF ({exc})")) from None
        raise
    return reader


def _visitor(chunks: list[Chunk]):  # type: ignore[no-untyped-def]
    """pypdf calls this for every piece of text it outputs, with the matrices and font in force."""
    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if not text:
            return
        m = _mult(list(tm), list(cm))
        scale = math.hypot(m[2], m[3]) or 1.0
        name = str(font.get("/BaseFont", "")) if font else ""
        bold = bool(re.search(r"bold|black|heavy|semibold|,b\b", name, re.I))
        chunks.append((text, round(size * scale, 1), bold, round(m[5], 1)))

    return visit


def _read_pages(path: str, start: int, stop: int) -> list[PageChunks]:
    """Text pieces of pages [start, stop) with their looks. Runs in a worker process."""
    reader = _open(Path(path))
    out: list[PageChunks] = []
    for page in reader.pages[start:stop]:
        chunks: list[Chunk] = []
        try:
            page.extract_text(visitor_text=_visitor(chunks))
        except Exception:  # one broken page must not sink the import; it just has no text
            chunks = []
        try:
            height = float(page.mediabox.height)
        except Exception:
            height = 792.0
        out.append((height, chunks))
    return out


def extract(path: Path, jobs: int | None = None) -> list[PageChunks]:
    """All pages' text pieces, in parallel for long documents."""
    reader = _open(path)
    n = len(reader.pages)
    del reader
    if jobs is None:
        jobs = min(4, os.cpu_count() or 1) if n >= 64 else 1
    if jobs <= 1 or n < 2:
        return _read_pages(str(path), 0, n)
    step = math.ceil(n / (jobs * 4))
    ranges = [(a, min(n, a + step)) for a in range(0, n, step)]
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(_read_pages, [str(path)] * len(ranges), *zip(*ranges)))
    except (OSError, RuntimeError, ImportError):  # no processes here: read in this one
        return _read_pages(str(path), 0, n)
    return [page for part in parts for page in part]


@dataclass
class _PLine:
    text: str  # with footnote markers
    size: float
    bold: bool
    y: float
    marker: str  # footnote number when the line starts with a raised number ("" otherwise)
    chars: int


def _lines(chunks: list[Chunk]) -> list[_PLine]:
    out: list[_PLine] = []
    pieces: list[Chunk] = []

    def close() -> None:
        if not pieces:
            out.append(_PLine("", 0.0, False, 0.0, "", 0))
            return
        weight: Counter[float] = Counter()
        bold_chars = chars = 0
        for text, size, bold, _y in pieces:
            k = len(text.strip())
            weight[size] += k
            chars += k
            bold_chars += k if bold else 0
        if not chars:
            out.append(_PLine("", 0.0, False, 0.0, "", 0))
            pieces.clear()
            return
        main = weight.most_common(1)[0][0]
        y = next(yy for t, s, _b, yy in pieces if s == main and t.strip())
        text, marker, seen_text = "", "", False
        for t, s, _b, _yy in pieces:
            if t.strip() and s < 0.8 * main and _REFS.match(t):
                nums = re.findall(r"\d{1,3}", t)
                if not seen_text and not marker:
                    marker = nums[0]  # the line starts with a raised number: a footnote's text
                    continue
                text += "".join(fn_token(x) for x in nums) + (" " if t.endswith(" ") else "")
                continue
            if t.strip():
                seen_text = True
            text += t
        out.append(_PLine(text, main, bold_chars >= 0.6 * chars, y, marker, chars))
        pieces.clear()

    for chunk in chunks:
        text = chunk[0]
        parts = text.split("\n")
        for k, part in enumerate(parts):
            if part:
                pieces.append((part, chunk[1], chunk[2], chunk[3]))
            if k < len(parts) - 1:
                close()
    close()
    return out


def _page_lines(lines: list[_PLine], height: float
                ) -> tuple[list[_PLine], list[tuple[str, list[_PLine]]], list[_PLine]]:
    """Split a page into body lines, footnotes (number, lines) and a carried-over footnote part."""
    def margin(ln: _PLine) -> bool:
        if not ln.text.strip() or len(ln.text) > 100 or ln.y == 0:
            return False
        return ln.y < _MARGIN_BOTTOM * height or ln.y > _MARGIN_TOP * height or is_page_number(ln.text)

    kept = [ln for ln in lines if not margin(ln)]
    # drop page numbers left at the very top or bottom (in case the heights were unusual)
    texts = [i for i, ln in enumerate(kept) if ln.text.strip()]
    for i in texts[:1] + texts[-1:]:
        if is_page_number(kept[i].text):
            kept[i] = _PLine("", 0.0, False, 0.0, "", 0)
    weight: Counter[float] = Counter()
    for ln in kept:
        if ln.chars and not ln.marker:
            weight[ln.size] += ln.chars
    if not weight:
        return kept, [], []
    start: int | None = None
    for i, ln in enumerate(kept):
        if not ln.marker:
            continue
        body = Counter()
        for b in kept[:i]:
            if b.chars:
                body[b.size] += b.chars
        body_size = body.most_common(1)[0][0] if body else weight.most_common(1)[0][0]
        rest = [x for x in kept[i:] if x.chars]
        if all(x.size < 0.93 * body_size for x in rest):
            start = i
            break
    body_lines = kept[:start] if start is not None else kept
    # small lines at the foot of the body (above the first footnote, if any): maybe the end of a
    # footnote begun on the page before; pdf_lines decides
    carry: list[_PLine] = []
    sizes: Counter[float] = Counter()
    for b in body_lines:
        if b.chars:
            sizes[b.size] += b.chars
    limit = 0.93 * sizes.most_common(1)[0][0] if sizes else 0
    while body_lines and (not body_lines[-1].chars or body_lines[-1].size < limit):
        carry.insert(0, body_lines.pop())
    if not any(x.chars for x in carry) or not any(b.chars for b in body_lines):
        body_lines.extend(carry)
        carry = []
    if start is None:
        return body_lines, [], carry
    notes: list[tuple[str, list[_PLine]]] = []
    for ln in kept[start:]:
        if ln.marker:
            notes.append((ln.marker, [ln]))
        elif notes:
            notes[-1][1].append(ln)
    return body_lines, notes, [c for c in carry if c.chars]


def pdf_lines(path: Path, display: str, jobs: int | None = None) -> list[Line]:
    """The PDF as lines for structure.py: body text (with bold flags), footnotes, page breaks."""
    pages = extract(path, jobs)
    total = sum(len(t.strip()) for _h, chunks in pages for t, *_ in chunks)
    if total < max(200, 20 * len(pages)):
        raise InputError(problem(path, None, f"no text layer ({total} characters of text on {len(pages)} "
                                             "pages): a scanned PDF? Run OCR first (e.g. ocrmypdf) and "
                                             "import the result"))
    out: list[Line] = []
    last_note: Line | None = None
    last_body: Line | None = None
    open_note = False
    for p, (height, chunks) in enumerate(pages, 1):
        where = Where(display, None, p)
        body, notes, carry = _page_lines(_lines(chunks), height)
        if carry and (last_note is None or not open_note):
            body.extend(carry)  # small print of the page itself, not a footnote going on
            carry = []
        while body and not body[0].chars:
            body.pop(0)
        while body and not body[-1].chars:
            body.pop()
        if body and last_body is not None:
            # a page break is no paragraph break, unless a sentence ended there
            ended = re.search(r"[.;:\u3002]\s*$", FN_RE.sub("", last_body.text))
            if ended and not body[0].text.lstrip()[:1].islower():
                out.append(Line("", where))
        for ln in body:
            out.append(Line(clean_space(ln.text), where, strong=ln.bold if ln.chars else None))
        if body:
            last_body = out[-1]
        if carry and last_note is not None:
            last_note.text = join_lines([last_note.text, *(c.text for c in carry)])
        for number, lines in notes:
            last_note = Line(join_lines(x.text for x in lines), where, kind="footnote", label=number)
            out.append(last_note)
        # a footnote may go on at the foot of the next page if it does not end a sentence here
        open_note = bool(notes or carry) and last_note is not None and not re.search(
            r"[.;:)\u201d\"]\s*$", last_note.text)
        out.append(Line("", where, kind="page"))
    return out


def read_pdf(path: Path, display: str, flat_chapter: str = "1", jobs: int | None = None) -> Document:
    lines = pdf_lines(path, str(path), jobs)  # warnings name the file as given, and the page
    doc = Document(display, "pdf")
    doc.info.append(f"{sum(1 for ln in lines if ln.kind == 'page')} pages read")
    return build(lines, doc, vocabulary(ln.text for ln in lines), flat_chapter, positional_notes=True)


def pdf_text(path: Path, jobs: int | None = None) -> str:
    """A PDF's body text, one line per line (footnotes and page furniture left out)."""
    lines = pdf_lines(path, path.name, jobs)
    return "\n".join(ln.text for ln in lines if ln.kind == "text")
