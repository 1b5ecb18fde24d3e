"""Lines → chapters, articles and annexes made of blocks.

Every line-based reader (Markdown, plain text, PDF) ends here, so a treaty's headings are found the
same way whatever the format: "CHAPTER 12" / "Chapter 12: Title", "Article 12.3: Title" (or
"Article 3" in an agreement numbered straight through), "ANNEX 3A" / "Annex 9-B", "Section A".
A heading is accepted only where it fits the sequence, because treaties quote their own headings
("Article 2.11 (Import and Export Restrictions) shall not apply ...") and tables of contents list
them all before the text starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.importers.model import Block, Chapter, Document, Footnote, Line, Unit, Where
from checker.importers.textutil import clean_space, fix_title, join_lines, strip_fn

_SEP = r"\s*(?:[:.\u2013\u2014]|-(?!\d))?\s*"
CHAPTER_RE = re.compile(rf"^(chapter|CHAPTER|Chapter)\s+(\d{{1,3}})\b(?![.\-]\d)(?:{_SEP}(.*))?$")
ARTICLE_RE = re.compile(
    rf"^(?:Article|ARTICLE|Art\.)\s+(\d{{1,3}})\s*\.\s*(\d{{1,3}})(bis|ter|quater|[a-z])?(?![.\d])(?:{_SEP}(.*))?$"
)
BARE_ARTICLE_RE = re.compile(r"^(\d{1,3})\.(\d{1,3})(bis|ter|quater)?\s*:\s*(\S.*)$")
FLAT_ARTICLE_RE = re.compile(rf"^(?:Article|ARTICLE)\s+(\d{{1,3}})(bis|ter|quater)?(?![.\d])(?:{_SEP}(.*))?$")
ANNEX_RE = re.compile(
    rf"^(?:Annex|ANNEX)\s+(\d{{1,3}})\s*[-\u2013\u2011]?\s*([A-Z]{{1,2}})(?![A-Za-z\-.\d])(?:{_SEP}(.*))?$"
)
FLAT_ANNEX_RE = re.compile(rf"^(?:Annex|ANNEX)(?:\s+([A-Z]|[IVX]{{1,5}}|\d{{1,2}}))?(?![A-Za-z\-.\d])(?:{_SEP}(.*))?$")
SECTION_RE = re.compile(rf"^(?:Section|SECTION)\s*:?\s+([A-Z]{{1,2}}|\d{{1,2}})(?![A-Za-z\d])(?:{_SEP}(.*))?$")
LABEL_START = re.compile(r"^(?:\d{1,3}\s?\.(?=[A-Z])|(?:\d{1,3}\s?\.|\(\w{1,6}\)|[a-z]\)|\d{1,3}\))(?:\s|$))")
_TOC_ENTRY = re.compile(r"(?:\.{3,}|\u2026)\s*\d{1,4}\s*$")  # "Article 1.2 Scope ........ 4"
_SENTENCE = re.compile(r"\b(?:shall|must|means|referred to|pursuant to|in accordance with)\b")


def _title_ok(rest: str, max_words: int = 25) -> bool:
    """Could `rest` be the title part of a heading line (not the rest of a sentence)?"""
    rest = re.sub(r"(?:\s*,?\s*\u27e6[^\u27e7]*\u27e7)+", "", rest).strip()  # footnote markers, "[16], [17]"
    if not rest:
        return True
    if rest[0] in "(,;" or rest[0].islower() or _SENTENCE.search(rest):
        return False
    words = rest.split()
    if len(words) > max_words or rest.endswith((",", ";")):
        return False
    return not (rest.endswith(".") and len(words) > 8)


def _tidy_title(title: str) -> str:
    """Drop dot leaders and page numbers that tables of contents and PDFs glue to headings."""
    title = re.sub(r"\s*\.{3,}.*$", "", title)
    title = re.sub(r"\s+[-\u2013]\s*\d{1,4}\s*[-\u2013]\s*$", "", title)
    title = re.sub(r"\s*\(\s*\d{1,4}\s*\)\s*$", "", title) if re.search(r"\.{3}", title) else title
    title = clean_space(title)
    # "Annex 16-A:" has no title; "Definitions For the purposes of this Chapter:" ran into the text
    return title.rstrip(":").strip() if len(title.split()) <= 6 else title


@dataclass
class _Cand:
    kind: str  # "chapter", "article", "flat-article", "annex", "flat-annex", "section"
    number: str
    title: str
    style: tuple[str, ...] = ()
    suffix: str = ""


def _candidate(line: Line) -> _Cand | None:
    """What heading this line could be, judged on the line alone (`_accept` judges the sequence)."""
    text = line.text.strip()
    if not text or len(text) > 300 or _TOC_ENTRY.search(text):
        return None
    # A heading that is not marked up (plain text, or a plain Markdown line) must look like one.
    long_ok = 25 if line.strong else 14
    m = CHAPTER_RE.match(text)
    if m and _title_ok(m.group(3) or "", 15):
        rest = _tidy_title(m.group(3) or "")
        # the style of a chapter heading: "CHAPTER 3" alone, or "Chapter 3: Title" on one line
        return _Cand("chapter", m.group(2), rest, ("inline" if strip_fn(rest) else "alone",))
    m = ARTICLE_RE.match(text)
    if m:
        colon = ":" in text[: m.start(4)] if m.group(4) is not None else False
        if _title_ok(m.group(4) or "", 25 if colon else long_ok):
            return _Cand("article", f"{m.group(1)}.{m.group(2)}{m.group(3) or ''}",
                         _tidy_title(m.group(4) or ""), suffix=m.group(3) or "")
        return None
    if line.strong:
        m = BARE_ARTICLE_RE.match(text)
        if m and _title_ok(m.group(4), 15):
            return _Cand("article", f"{m.group(1)}.{m.group(2)}{m.group(3) or ''}", _tidy_title(m.group(4)),
                         suffix=m.group(3) or "")
    m = FLAT_ARTICLE_RE.match(text)
    if m:
        if _title_ok(m.group(3) or "", long_ok if ":" not in text[:16] else 25):
            return _Cand("flat-article", f"{m.group(1)}{m.group(2) or ''}", _tidy_title(m.group(3) or ""),
                         suffix=m.group(2) or "")
        return None
    m = ANNEX_RE.match(text)
    if m:
        if _title_ok(m.group(3) or ""):
            return _Cand("annex", f"{m.group(1)}-{m.group(2)}", _tidy_title(m.group(3) or ""))
        return None
    m = FLAT_ANNEX_RE.match(text)
    if m and _title_ok(m.group(2) or ""):
        return _Cand("flat-annex", m.group(1) or "", _tidy_title(m.group(2) or ""))
    m = SECTION_RE.match(text)
    if m and _title_ok(m.group(2) or "", 20):
        return _Cand("section", m.group(1), _tidy_title(m.group(2) or ""))
    return None


@dataclass
class _State:
    doc: Document
    vocab: set[str]
    flat_chapter: str
    positional_notes: bool
    chapter: Chapter | None = None
    unit: Unit | None = None
    pending: list[Line] = field(default_factory=list)
    skipped: int = 0
    headed: bool = False  # the text has chapter headings (else article numbers open chapters)
    outside: str = ""  # an agreement-level annex being skipped
    outside_where: Where | None = None
    outside_lines: int = 0
    orphan_notes: list[Footnote] = field(default_factory=list)


def build(lines: list[Line], doc: Document, vocab: set[str], flat_chapter: str = "1",
          positional_notes: bool = True) -> Document:
    """Group a reader's lines into the document's chapters and units."""
    cands = {i: c for i, ln in enumerate(lines) if ln.kind == "text" and (c := _candidate(ln))}
    accepted = _accept(lines, cands, doc)
    st = _State(doc, vocab, flat_chapter, positional_notes)
    consumed: set[int] = set()
    for i, line in enumerate(lines):
        if i in consumed:
            continue
        if line.kind == "page":
            continue
        if line.kind == "footnote":
            note = Footnote(line.label, line.text, line.where, line.anchor,
                            st.unit if positional_notes else None)
            if st.chapter is not None:
                st.chapter.footnotes.append(note)
            else:
                st.orphan_notes.append(note)
            continue
        cand = accepted.get(i)
        if cand is not None:
            _flush(st)
            title, used = _title_lines(lines, i, cand)
            consumed.update(used)
            _open(st, cand, title, line)
            continue
        text = line.text.strip()
        if not text:
            _flush(st)
            continue
        if line.strong and line.level == 0 and len(text.split()) <= 12 and not LABEL_START.match(text):
            _flush(st)
            st.pending.append(line)
            _flush(st, kind="heading")
            continue
        if line.level and not LABEL_START.match(text):
            _flush(st)
            st.pending.append(line)
            _flush(st, kind="heading")
            continue
        if st.pending and LABEL_START.match(text) and (
                strip_fn(st.pending[-1].text).rstrip().endswith((".", ";", ":", "\u3002")) or st.pending[-1].strong):
            _flush(st)
        st.pending.append(line)
    _flush(st)
    _close_outside(st)
    if st.skipped:
        doc.info.append(f"skipped {st.skipped} lines before the first chapter or article "
                        "(title page, contents, preamble)")
    return doc


def _accept(lines: list[Line], cands: dict[int, _Cand], doc: Document) -> dict[int, _Cand]:
    """Keep the candidates that fit: the sequence of chapters, articles within their chapter."""
    order = sorted(cands)
    strong_kinds = {c.kind for i, c in cands.items() if lines[i].strong}
    dotted = any(c.kind == "article" for c in cands.values())
    accepted: dict[int, _Cand] = {}
    chapter_style: tuple[str, ...] | None = None
    chapter_no: int | None = None
    has_chapters = False
    last_art: tuple[int, int, str] | None = None  # (chapter, n, suffix)
    in_annex = False
    flat_last = 0
    # does an article heading follow a chapter heading before the next chapter heading?
    has_articles: dict[int, bool] = {}
    seen_article = False
    for i in reversed(order):
        if cands[i].kind == "chapter":
            has_articles[i], seen_article = seen_article, False
        elif cands[i].kind in ("article", "flat-article"):
            seen_article = True
    for i in order:
        c, line = cands[i], lines[i]
        if line.strong is False and c.kind in strong_kinds and c.kind != "section":
            continue  # this document marks its headings (bold); a plain line is text
        if c.kind == "chapter":
            if not has_articles[i]:
                continue  # a table of contents entry, or a heading inside an annex's table
            if chapter_style is not None and c.style != chapter_style:
                continue
            n = int(c.number)
            if chapter_no is not None and n <= chapter_no:
                continue
            if chapter_no is not None and n != chapter_no + 1:
                doc.warn(line.where, f"chapter numbers jump from {chapter_no} to {n}")
            chapter_style, chapter_no, has_chapters = c.style, n, True
            last_art, in_annex, flat_last = None, False, 0
            accepted[i] = c
        elif c.kind == "article":
            ch, rest = c.number.split(".", 1)
            n = int(re.match(r"\d+", rest).group(0))  # type: ignore[union-attr]
            chn = int(ch)
            if has_chapters and chapter_no is not None and chn != chapter_no:
                if not line.strong:
                    continue
                doc.warn(line.where, f"heading of Article {c.number} inside Chapter {chapter_no}")
            elif not has_chapters and (chapter_no is None or chn > chapter_no):
                chapter_no = chn  # no chapter headings: the article numbers open the chapters
                last_art = None
            elif not has_chapters and chn < chapter_no and not line.strong:  # type: ignore[operator]
                continue
            if in_annex and last_art is not None and last_art[0] == chn and (
                    not line.strong or (n, c.suffix) != (last_art[1] + 1, "")):
                continue  # articles listed in an annex's table ("Article 4.13 ... 2 years")
            if last_art is not None and last_art[0] == chn:
                ahead = (n, c.suffix) > (last_art[1], last_art[2])
                if not ahead and not line.strong:
                    continue
                if not ahead:
                    doc.warn(line.where, f"Article {c.number} comes after Article "
                                         f"{last_art[0]}.{last_art[1]}{last_art[2]}")
            last_art, in_annex = (chn, n, c.suffix), False
            accepted[i] = c
        elif c.kind == "flat-article":
            n = int(re.match(r"\d+", c.number).group(0))  # type: ignore[union-attr]
            if dotted:
                if in_annex:
                    accepted[i] = _Cand("section", str(n), c.title)
                continue
            if n <= flat_last and not c.suffix:
                if in_annex:
                    accepted[i] = _Cand("section", str(n), c.title)
                    continue
                if not line.strong:
                    continue
                doc.warn(line.where, f"Article {c.number} comes after Article {flat_last}")
            flat_last, in_annex = max(flat_last, n), False
            accepted[i] = c
        elif c.kind == "annex":
            if chapter_no is None and not dotted:
                continue
            in_annex = True
            accepted[i] = c
        elif c.kind == "flat-annex":
            if dotted and chapter_no is None:
                continue
            if not (line.strong or line.text.strip().isupper()):
                continue
            in_annex = True
            if dotted and not re.fullmatch(r"[A-Z]?", c.number):
                # "Annex IV" in a text numbered by chapter: an annex of the whole agreement
                accepted[i] = _Cand("outside", c.number, c.title)
                continue
            accepted[i] = c
        elif c.kind == "section":
            accepted[i] = c
    return accepted


def _title_lines(lines: list[Line], i: int, cand: _Cand) -> tuple[str, set[int]]:
    """A heading's title: on its own line, or on the lines that follow it (wrapped or separate)."""
    title = strip_fn(cand.title).strip()
    marks = "".join(re.findall(r"\u27e6[^\u27e7]*\u27e7", cand.title))  # footnote markers on the heading
    used: set[int] = set()
    j = i + 1
    blanks = 0
    head = lines[i]
    while j < len(lines) and len(used) < 3:
        ln = lines[j]
        if ln.kind != "text":
            j += 1
            continue
        text = ln.text.strip()
        if not text:
            if title and used:
                break
            blanks += 1
            if blanks > 2 or (title and cand.kind != "chapter"):
                break
            j += 1
            continue
        if _candidate(ln) is not None or LABEL_START.match(text):
            break
        plain = strip_fn(text)
        caps = plain.isupper() and len(plain.split()) <= 15
        if title:
            # a wrapped heading: bold continuation (PDF), capitals right below, or a plain line that
            # finishes a title cut off at the end of the line
            if blanks or not (ln.strong and head.strong or caps and strip_fn(title).isupper()
                              or head.strong is not True and _wrapped(title, plain, lines, j)):
                break
        elif not (ln.strong or caps or (cand.kind in ("article", "flat-article") and _short(plain))):
            break
        if plain.endswith((".", ";", ",")) and not caps:
            break
        title = f"{title} {text}".strip() if title else text
        used.add(j)
        j += 1
        blanks = 0
        if not (ln.strong or caps):
            break
    return _tidy_title(title) + marks, used


def _wrapped(title: str, nxt: str, lines: list[Line], j: int) -> bool:
    """Does `nxt` (the line after a heading) finish a title that the line break cut?"""
    if len(nxt.split()) > 10 or nxt.endswith((".", ";", ":")):
        return False
    last = strip_fn(title).rstrip().rsplit(" ", 1)[-1].lower()
    after = lines[j + 1].text.strip() if j + 1 < len(lines) and lines[j + 1].kind == "text" else ""
    return (last in _SMALL_WORDS or last.endswith((",", "-")) or nxt[:1].islower()
            or (len(strip_fn(title)) > 50 and not after))


_SMALL_WORDS = {"of", "and", "or", "the", "to", "for", "in", "on", "a", "an", "with", "by", "from", "between",
                "under", "against", "concerning", "relating", "regarding", "its", "their"}


def _short(text: str) -> bool:
    return len(text.split()) <= 12 and not text.endswith((".", ";", ":", ","))


def _open(st: _State, cand: _Cand, title: str, line: Line) -> None:
    doc = st.doc
    _close_outside(st)
    if cand.kind == "chapter":
        st.headed = True
        st.chapter = Chapter(cand.number, fix_title(title), line.where)
        doc.chapters.append(st.chapter)
        st.unit = None
        _adopt_orphans(st)
        return
    if cand.kind in ("article", "flat-article"):
        if cand.kind == "article":
            chn = cand.number.split(".", 1)[0]
            number = cand.number
        else:  # numbered straight through: in the chapter at hand, or in one chapter of its own
            chn = st.chapter.number if st.chapter is not None else st.flat_chapter
            number = f"{chn}.{cand.number}"
        if st.chapter is None or (cand.kind == "article" and not st.headed
                                  and st.chapter.number != chn and _num(chn) > _num(st.chapter.number)):
            st.chapter = Chapter(chn, "", line.where)
            doc.chapters.append(st.chapter)
            _adopt_orphans(st)
        st.unit = Unit("article", number, fix_title(title), line.where, source_number=cand.number)
        st.chapter.units.append(st.unit)
        return
    if cand.kind in ("annex", "flat-annex"):
        if st.chapter is None:
            st.chapter = Chapter(st.flat_chapter, "", line.where)
            doc.chapters.append(st.chapter)
        if cand.kind == "annex":
            number = cand.number
        else:
            letter = cand.number if re.fullmatch(r"[A-Z]", cand.number or "") else ""
            if not letter:
                used = {u.number.rsplit("-", 1)[-1] for u in st.chapter.annexes}
                letter = next(ch for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if ch not in used)
            number = f"{st.chapter.number}-{letter}"
        st.unit = Unit("annex", number, fix_title(title), line.where,
                       source_number=f"{cand.number}" if cand.kind == "annex" else (cand.number or "Annex"))
        st.chapter.units.append(st.unit)
        return
    if cand.kind == "outside":
        st.unit, st.outside = None, f"Annex {cand.number}"
        st.outside_where = line.where
        return
    # a section of a chapter (between articles) is only a heading: nothing to keep
    if cand.kind == "section" and st.unit is not None and st.unit.kind == "annex":
        st.unit.blocks.append(Block(fix_title(title), line.where, "section", cand.number))


def _close_outside(st: _State) -> None:
    if st.outside and st.outside_where is not None:
        st.doc.warn(st.outside_where, f"{st.outside} is an annex of the whole agreement, not of a chapter: "
                                      f"not imported ({st.outside_lines} lines skipped)")
    st.outside, st.outside_where, st.outside_lines = "", None, 0


def _num(number: str) -> int:
    return int(number) if number.isdigit() else -1


def _adopt_orphans(st: _State) -> None:
    if st.orphan_notes and st.chapter is not None:
        st.chapter.footnotes.extend(st.orphan_notes)
        st.orphan_notes.clear()


def _flush(st: _State, kind: str = "text") -> None:
    if not st.pending:
        return
    lines, st.pending = st.pending, []
    if st.unit is None:
        if st.outside:
            st.outside_lines += len(lines)
        else:
            st.skipped += len(lines)
        return
    text = join_lines((ln.text for ln in lines), st.vocab)
    if text:
        st.unit.blocks.append(Block(text, lines[0].where, kind))
