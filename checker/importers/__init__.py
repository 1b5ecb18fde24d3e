"""`rulealign import`: official texts → the corpus schema of docs/corpus.md.

A policy office checks against the official texts on its own machine, so agreements (Markdown,
ToTA XML, plain text, PDF) and plans (Chinese or English) are turned into the same YAML the
shipped restatements use, and the checker runs on them unchanged. One module per source format;
the common stages are structure.py (headings), numbering.py (valid numbers, another text's
numbering), assemble.py (paragraphs and footnotes) and writer.py (YAML, written atomically).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from checker.errors import InputError, problem
from checker.importers.model import Document

FORMATS = ("markdown", "tota-xml", "text", "pdf")
_EXT = {".md": "markdown", ".markdown": "markdown", ".xml": "tota-xml", ".txt": "text", ".text": "text",
        ".pdf": "pdf"}


def _natural(path: Path) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name.lower()))


def source_files(source: Path, fmt: str | None = None) -> tuple[list[Path], str]:
    """The files to read and their format: SOURCE is a file, or a directory of chapter files."""
    source = Path(source)
    if not source.exists():
        raise InputError(problem(source, None, "no such file or directory"))
    if source.is_dir():
        files = sorted((p for p in source.iterdir() if p.is_file() and p.suffix.lower() in _EXT
                        and not p.name.startswith(".")), key=_natural)
        if fmt:
            files = [p for p in files if _EXT[p.suffix.lower()] == fmt or fmt == "text"]
        kinds = {_EXT[p.suffix.lower()] for p in files}
        if not files:
            raise InputError(problem(source, None, "no .md, .xml, .txt or .pdf files in this directory"))
        if len(kinds) > 1:
            raise InputError(problem(source, None, f"mixed formats in one directory ({', '.join(sorted(kinds))}); "
                                                   "give one file, or --format"))
        kind = fmt or kinds.pop()
        if kind in ("pdf", "tota-xml") and len(files) > 1:
            raise InputError(problem(source, None, f"{len(files)} {kind} files in one directory; "
                                                   "import them one at a time"))
        return files, kind
    return [source], fmt or detect_format(source)


def detect_format(path: Path) -> str:
    """By content first (a PDF header, a ToTA root, Markdown headings), then by extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(200_000)
    except OSError as exc:
        raise InputError(problem(path, None, f"cannot read file ({exc.strerror})")) from None
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if path.suffix.lower() == ".pdf":
        raise InputError(problem(path, None, "not a PDF file (no %PDF- header): damaged or mislabelled"))
    text = head.decode("utf-8", errors="replace")
    from checker.importers.markdown import looks_like_markdown
    from checker.importers.tota_xml import looks_like_tota

    if looks_like_tota(text):
        return "tota-xml"
    if text.lstrip().startswith("<?xml") or path.suffix.lower() == ".xml":
        raise InputError(problem(path, 1, "XML that is not a ToTA <treaty> file; only ToTA XML is supported"))
    if path.suffix.lower() in (".md", ".markdown") or looks_like_markdown(text):
        return "markdown"
    if b"\x00" in head[:4096]:
        raise InputError(problem(path, None, "a binary file, not a text this importer reads "
                                             "(Markdown, ToTA XML, plain text or PDF)"))
    return "text"


def read_source(source: Path, fmt: str | None = None, flat_chapter: str = "1", jobs: int | None = None,
                display: str | None = None) -> Document:
    """Read an agreement text in any supported format into the common model (not yet numbered)."""
    files, kind = source_files(source, fmt)
    shown = display or (source.name + ("/" if source.is_dir() else ""))
    t = time.perf_counter()
    if kind == "markdown":
        from checker.importers.markdown import read_markdown

        doc = read_markdown(files, shown, flat_chapter)
    elif kind == "tota-xml":
        from checker.importers.tota_xml import read_tota

        doc = read_tota(files[0], shown)
    elif kind == "pdf":
        from checker.importers.pdf import read_pdf

        doc = read_pdf(files[0], shown, flat_chapter, jobs)
    else:
        from checker.importers.plaintext import read_plaintext

        doc = read_plaintext(files, shown, flat_chapter)
    doc.files = len(files)
    doc.seconds = time.perf_counter() - t
    if not doc.articles:
        shown_kind = {"markdown": "Markdown", "tota-xml": "ToTA XML", "text": "plain", "pdf": "PDF"}[kind]
        raise InputError(problem(source, None, f"no articles found in this {shown_kind} text (no headings such "
                                               "as 'Article 3.2: Title' or 'Article 3')"))
    return doc


def import_agreement(source: Path, fmt: str | None = None, numbering_from: Path | None = None,
                     flat_chapter: str = "1", jobs: int | None = None) -> Document:
    """Read, renumber (optionally to a reference's numbering), and assemble paragraphs and notes."""
    from checker.importers.assemble import assemble
    from checker.importers.numbering import apply_reference, normalize

    t = time.perf_counter()
    doc = read_source(source, fmt, flat_chapter, jobs)
    if numbering_from is not None:
        ref = read_source(numbering_from, None, flat_chapter, jobs)
        normalize(ref)  # the reference's own numbers must be valid before they are copied
        apply_reference(doc, ref)
        doc.warnings.extend(ref.warnings)  # the reference's own problems matter where its text is used
        doc.signed = doc.signed or ref.signed
        doc.parties = doc.parties or list(ref.parties)
        doc.info.append(f"numbering from {ref.path} ({ref.format}: {len(ref.chapters)} chapters, "
                        f"{len(ref.articles)} articles)")
    normalize(doc)
    assemble(doc)
    doc.seconds = time.perf_counter() - t
    return doc
