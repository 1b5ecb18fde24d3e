"""ToTA XML ("Texts of Trade Agreements", github.com/mappingtreaties/tota): one file per treaty.

`<treaty><meta>…</meta><body><chapter number="CHAPTER 14" name=…><article number="ARTICLE 14.2"
name=…>text</article>`. The structure is given; the work is in the text, which came from PDF
extraction: footnote texts stand as "13 For greater certainty, …" where the page broke, their
reference numbers are glued to words ("National Treatment14", "electronically;2, 3") and a
sentence can be cut in two by a footnote. Annexes were removed by ToTA.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from checker.errors import InputError, problem
from checker.importers.model import FN_RE, Block, Chapter, Document, Footnote, Unit, Where, fn_token
from checker.importers.textutil import clean_space, fix_title, join_lines, mark_glued_refs, vocabulary
from checker.yamlio import read_text

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_FOOTNOTE = re.compile(r"^(\d{1,3})\s+(?=[A-Z\u201c\"'(_])(.*)$", re.S)
_LONE_REFS = re.compile(r"^\d{1,3}(?:\s*,\s*\d{1,3})*$")
_LABEL = re.compile(r"^(?:\d{1,3}\s?\.|\([a-zA-Z0-9]{1,6}\))(?:\s|$)")


def looks_like_tota(text: str) -> bool:
    """An XML document (not a page that mentions one) with a <treaty> root."""
    head = text[:5000].lstrip("\ufeff \t\r\n")
    return head.startswith("<") and re.search(r"<treaty[\s>]", head) is not None


def read_tota(path: Path, display: str) -> Document:
    """Read a ToTA XML file into a document (chapters and articles; no annexes)."""
    raw = read_text(path)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(problem(path, line, f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}")) \
            from None
    if root.tag != "treaty" or root.find("body") is None:
        raise InputError(problem(path, 1, f"not a ToTA treaty file (root <{root.tag}>, expected <treaty> "
                                          "with <body>)"))
    doc = Document(display, "tota-xml")
    meta = root.find("meta")
    if meta is not None:
        doc.name = clean_space(meta.findtext("name") or "")
        doc.signed = (meta.findtext("date_signed") or "").strip() or None
        parties = meta.find("parties")
        if parties is None or not len(parties):
            parties = meta.find("parties_original")
        doc.parties = [clean_space(p.text or "") for p in (parties if parties is not None else [])
                       if (p.text or "").strip()]
    lines = _tag_lines(raw, "article")
    chapter_lines = _tag_lines(raw, "chapter")
    vocab = vocabulary(el.text or "" for el in root.iter("article"))
    art_i = 0
    for ch_i, ch_el in enumerate(root.find("body").iter("chapter"), 1):  # type: ignore[union-attr]
        arts = list(ch_el.iter("article"))
        ch_where = Where(str(path), chapter_lines[ch_i - 1] if ch_i - 1 < len(chapter_lines) else None)
        number = _chapter_number(ch_el.get("number") or "")
        if number is None:
            doc.info.append(f"skipped {clean_space(ch_el.get('name') or 'an unnumbered chapter')} "
                            f"({len(arts)} article(s) without chapter number)")
            art_i += len(arts)
            continue
        chapter = Chapter(number, fix_title(ch_el.get("name") or ""), ch_where)
        doc.chapters.append(chapter)
        expected = 1
        for a_el in arts:
            where = Where(str(path), lines[art_i] if art_i < len(lines) else None)
            art_i += 1
            num = _article_number(a_el.get("number") or "", number)
            if num is None:
                doc.warn(where, f"Chapter {number}: article without a number ({a_el.get('number')!r}); "
                                "numbered after the one before")
                num = f"{number}.0x"
            unit = Unit("article", num, (a_el.get("name") or "").strip(), where,
                        source_number=(a_el.get("number") or "").replace("ARTICLE", "").strip() or num)
            expected = _blocks(a_el.text or "", unit, chapter, expected, vocab)
            chapter.units.append(unit)
        known = {f.number for f in chapter.footnotes}
        for unit in chapter.units:
            unit.title = fix_title(_glued_title(unit.title, known))
            for b in unit.blocks:
                b.text = mark_glued_refs(b.text, known)
    return doc


def _tag_lines(raw: str, tag: str) -> list[int]:
    """Line numbers of each <tag ...> opening, in document order (ElementTree forgets them)."""
    out, line, pos = [], 1, 0
    for m in re.finditer(rf"<{tag}[\s>]", raw):
        line += raw.count("\n", pos, m.start())
        pos = m.start()
        out.append(line)
    return out


def _chapter_number(value: str) -> str | None:
    m = re.search(r"(\d+)", value)
    if m:
        return str(int(m.group(1)))
    m = re.search(r"\b([IVXLC]+)\b", value)
    if m:
        total, prev = 0, 0
        for ch in reversed(m.group(1)):
            v = _ROMAN[ch]
            total, prev = (total - v, prev) if v < prev else (total + v, v)
        return str(total)
    return None


def _article_number(value: str, chapter: str) -> str | None:
    m = re.search(r"(\d+)\s*\.\s*(\d+)\s*([a-z]*)", value)
    if m:
        return f"{m.group(1)}.{m.group(2)}{m.group(3)}"
    m = re.search(r"(\d+)\s*([a-z]*)", value)
    if m:
        return f"{chapter}.{m.group(1)}{m.group(2)}"
    return None


def _glued_title(title: str, known: set[str]) -> str:
    m = re.search(r"(?<=[A-Za-z)])(\d{1,3})$", title.strip())
    if m and m.group(1) in known:
        return title.strip()[: m.start()] + fn_token(m.group(1))
    return title


def _blocks(text: str, unit: Unit, chapter: Chapter, expected: int, vocab: set[str]) -> int:
    """Split an article's text into blocks; footnote texts go to the chapter. Returns the next
    footnote number expected."""
    base = unit.where.line or 0
    offset = 0
    for chunk in re.split(r"(\n[ \t]*\n)", text):
        start_line = base + text.count("\n", 0, offset) if base else None
        offset += len(chunk)
        if not chunk.strip():
            continue
        for k, part in enumerate(_split_labels(chunk.split("\n"), expected)):
            where = Where(unit.where.path, start_line + k if start_line and k == 0 else start_line)
            expected = _add(part, where, unit, chapter, expected, vocab)
    return expected


def _end(text: str) -> str:
    """The end of a text without footnote markers or reference numbers glued on ("party.13")."""
    text = FN_RE.sub("", text).rstrip()
    return re.sub(r"(?<=[.;:,\u201d])\d{1,3}(?:\s*,\s*\d{1,3})*$", "", text)


def _split_labels(lines: list[str], expected: int) -> list[list[str]]:
    """A paragraph label at the start of a line, after a line that ends a sentence, starts a block."""
    parts: list[list[str]] = [[]]
    for line in lines:
        prev = parts[-1][-1].rstrip() if parts[-1] else ""
        prev = _end(prev)
        stripped = line.strip()
        starts = _LABEL.match(stripped) or _FOOTNOTE.match(stripped)
        term = stripped[:1].islower() and prev.endswith((";", ":"))  # the next defined term
        note = _FOOTNOTE.match(stripped)
        due = note is not None and expected <= int(note.group(1)) < expected + 3  # the next footnote's text
        new_block = _LONE_REFS.match(stripped) or due or (starts or term) and prev.endswith((".", ";", ":"))
        if prev and (new_block or _LONE_REFS.match(parts[-1][-1].strip())):
            parts.append([])
        parts[-1].append(line)
    return [p for p in parts if any(x.strip() for x in p)]


def _add(lines: list[str], where: Where, unit: Unit, chapter: Chapter, expected: int, vocab: set[str]) -> int:
    joined = join_lines(lines, vocab)
    if not joined:
        return expected
    m = _FOOTNOTE.match(joined)
    if m and (int(m.group(1)) in range(expected, expected + 4) or (int(m.group(1)) == 1 and expected > 1)):
        chapter.footnotes.append(Footnote(m.group(1), m.group(2).strip(), where, "", unit))
        return int(m.group(1)) + 1
    if _LONE_REFS.match(joined) and unit.blocks:
        # a reference number cut off its word by a page break
        unit.blocks[-1].text += "".join(fn_token(n.strip()) for n in joined.split(","))
        return expected
    prev = unit.blocks[-1] if unit.blocks else None
    if prev is not None and prev.kind == "text":
        open_end = not re.search(r"[.;:!?)\u201d\"]$", _end(prev.text))
        bare_label = re.fullmatch(r"\d{1,3}\s?\.", joined) is not None
        if open_end and (bare_label or (not _LABEL.match(joined))):
            prev.text = f"{prev.text} {joined}"  # a sentence cut by a footnote or a page break
            return expected
    unit.blocks.append(Block(joined, where))
    return expected
