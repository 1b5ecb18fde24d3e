"""Markdown treaty texts: a file, or a directory of chapter files (readthetpp's ch01.md … ch30.md).

Markdown gives headings (`#### Article 14.1: Definitions`), bold lines (`**Annex 9-B**`) and
footnotes (`<pre id=…>[12] …</pre>` blocks, or `[^12]: …`), but only as loosely as its authors
typed them; everything is reduced to lines and handed to structure.py, which decides what is a
heading.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from checker.importers.model import Document, Line, Where, fn_token
from checker.importers.structure import build
from checker.importers.textutil import clean_space, is_page_number, vocabulary
from checker.yamlio import read_text

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_PRE = re.compile(r"<pre\b([^>]*)>(.*?)</pre>", re.S | re.I)
_PRE_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
_FN_DEF_PRE = re.compile(r"^\s*(?:\*\*|_)*\[(\d{1,4})\](?:\*\*|_)*\s*(.*)$", re.S)
_FN_DEF_CARET = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# footnote references: [[12]](#id), [**[12]**](#id), [**_[12]_**](#id), [^12], **[12]**, and a bare [12]
_FN_LINKED = re.compile(r"\[(?:\*\*|_|\s)*\[(\d{1,4})\](?:\*\*|_|\s)*\]\(#([^)\s]*)\)")
_FN_CARET = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FN_BOLD = re.compile(r"\*\*\[(\d{1,4})\]\*\*")
_FN_BARE = re.compile(r"(?<=[\w.,;:)\u201d\u2019\]*])\[(\d{1,4})\](?!\()")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_BULLET = re.compile(r"^\s*[*+-]\s{1,4}(?=\S)")
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*((?:\u27e6[^\u27e7]*\u27e7\s*)*)$")
_EMPH = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def looks_like_markdown(text: str) -> bool:
    """ATX headings or Markdown emphasis/escapes on several lines."""
    heads = len(re.findall(r"(?m)^#{1,6} \S", text[:200_000]))
    marks = len(re.findall(r"(?m)^\*\*[^*\n]+\*\*\s*$|\d\\\.", text[:200_000]))
    return heads >= 2 or marks >= 5


def read_markdown(paths: list[Path], display: str, flat_chapter: str = "1") -> Document:
    """Read one Markdown file or several (in the given order) into a document."""
    doc = Document(display, "markdown", files=len(paths))
    lines: list[Line] = []
    for path in paths:
        lines.extend(markdown_lines(read_text(path), str(path)))
        lines.append(Line("", Where(str(path)), kind="page"))
    vocab = vocabulary(ln.text for ln in lines)
    return build(lines, doc, vocab, flat_chapter, positional_notes=False)


def markdown_lines(text: str, path: str) -> list[Line]:
    """Markdown source → cleaned lines, footnote definitions as their own lines."""
    offset = 0
    fm = _FRONT_MATTER.match(text)
    if fm:
        offset = fm.group(0).count("\n")
        text = text[fm.end():]
    out: list[Line] = []
    last_note: Line | None = None
    raw_lines = text.split("\n")
    i = 0
    while i < len(raw_lines):
        raw = raw_lines[i]
        lineno = i + 1 + offset
        where = Where(path, lineno)
        i += 1
        if "<pre" in raw.lower():
            chunk = raw
            while "</pre>" not in chunk.lower() and i < len(raw_lines):
                chunk += "\n" + raw_lines[i]
                i += 1
            for m in _PRE.finditer(chunk):
                anchor_m = _PRE_ID.search(m.group(1))
                body = html.unescape(_TAG.sub("", m.group(2)))
                d = _FN_DEF_PRE.match(body)
                if d:
                    last_note = Line(_plain(d.group(2)), where, kind="footnote", label=d.group(1),
                                     anchor=anchor_m.group(1) if anchor_m else "")
                    out.append(last_note)
                elif last_note is not None and body.strip():
                    last_note.text = f"{last_note.text}\n{_plain(body)}"  # a footnote in several blocks
            continue
        d = _FN_DEF_CARET.match(raw)
        if d:
            body = d.group(2)
            while i < len(raw_lines) and raw_lines[i].startswith(("    ", "\t")) and raw_lines[i].strip():
                body += " " + raw_lines[i].strip()
                i += 1
            last_note = Line(_plain(body), where, kind="footnote", label=d.group(1))
            out.append(last_note)
            continue
        if raw.strip().startswith("```"):
            raw = raw.strip().strip("`")  # a code fence around a list: keep what it holds
        raw = raw.replace("```", "")
        h = _HEADING.match(raw)
        level = len(h.group(1)) if h else 0
        body = h.group(2) if h else raw
        cleaned = _inline(body)
        if re.fullmatch(r"\s*(?:[-*_]\s*){3,}", raw) or not cleaned.strip():
            out.append(Line("", where))
            continue
        if is_page_number(cleaned):
            continue  # "### - 10 -": a page number left by a PDF conversion
        strong: bool | None = True if level else None
        b = _BOLD_LINE.match(cleaned.strip())
        if b and "**" not in b.group(1):
            cleaned = b.group(1) + b.group(2)
            strong = True
        text_out = clean_space(_EMPH.sub("", cleaned))
        text_out = _ESCAPE.sub(r"\1", text_out)
        text_out = _BULLET.sub("- ", text_out) if _BULLET.match(raw) else text_out
        if not text_out:
            continue
        out.append(Line(text_out, where, strong=strong, level=level))
    return out


def _plain(text: str) -> str:
    """A footnote's text: inline markup and emphasis removed."""
    return clean_space(_ESCAPE.sub(r"\1", _EMPH.sub("", _inline(text))))


def _inline(text: str) -> str:
    """Inline markup → plain text with footnote markers; links keep their text (and web address)."""
    text = _FN_LINKED.sub(lambda m: fn_token(m.group(1), m.group(2)), text)
    text = _FN_CARET.sub(lambda m: fn_token(m.group(1)), text)
    text = _FN_BOLD.sub(lambda m: fn_token(m.group(1)), text)
    text = _FN_BARE.sub(lambda m: fn_token(m.group(1)), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(_link, text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return text


def _link(m: re.Match[str]) -> str:
    label, url = m.group(1).strip(), m.group(2).strip()
    if not url.lower().startswith(("http://", "https://")):
        # a link inside the site: "(Proceed to Chapter 4...)" is navigation, an anchor is nothing
        return "" if url.endswith((".html", ".htm")) or not label.strip("*_ ") else label
    if "medium.com/" in url or not label.strip("*_ "):
        return label  # links left over from the editor, not part of the text
    if label.strip("*_ ").startswith(("http://", "https://")):
        return label.strip("*_ ")
    return f"{label} <{url}>"
