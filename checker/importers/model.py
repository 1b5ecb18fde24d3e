"""The common model every importer reads into, before numbering and writing.

Readers turn a source into `Line`s (or straight into units, for ToTA XML); `structure.py` groups
lines into chapters, articles and annexes made of `Block`s; `numbering.py` fixes the numbers;
`assemble.py` turns blocks into labelled paragraphs with their footnotes. Keeping the blocks until
the end lets the numbering stage split an article whose heading the source lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.errors import Problem

# A footnote reference inside text: ⟦fn:12⟧ or ⟦fn:12#anchor⟧. Resolved (and removed) by assemble.py.
FN_OPEN, FN_CLOSE = "\u27e6", "\u27e7"
FN_RE = re.compile(r"[ \t]*\u27e6fn:([^\u27e7#]*)(?:#([^\u27e7]*))?\u27e7")


def fn_token(number: str, anchor: str = "") -> str:
    """The inline marker for a reference to footnote `number` (optionally by its anchor id)."""
    return f"{FN_OPEN}fn:{number}{'#' + anchor if anchor else ''}{FN_CLOSE}"


@dataclass(frozen=True)
class Where:
    """Where something was read: file and line, or file and page (PDF)."""

    path: str
    line: int | None = None
    page: int | None = None

    def problem(self, message: str) -> Problem:
        if self.page is not None:
            return Problem(f"{self.path}, page {self.page}", None, message)
        return Problem(self.path, self.line, message)


@dataclass
class Line:
    """One line of a source, with what the reader knows about its looks."""

    text: str
    where: Where
    strong: bool | None = None  # bold or marked up as a heading; None when the format cannot tell
    kind: str = "text"  # "text", "footnote" (a footnote's text), "page" (a page break)
    label: str = ""  # footnote number, for kind == "footnote"
    anchor: str = ""  # footnote anchor id, for kind == "footnote"
    level: int = 0  # Markdown heading level (0: not a heading line)


@dataclass
class Block:
    """One logical paragraph of text: a numbered paragraph, a sub-paragraph (a), or a heading."""

    text: str
    where: Where
    kind: str = "text"  # "text", "heading" (an unnumbered sub-heading), "section" (annex section marker)
    section: str = ""  # the section id for kind == "section" ("A", or "3" for an annex's Article 3)


@dataclass
class Footnote:
    number: str
    text: str
    where: Where
    anchor: str = ""
    unit: Unit | None = None  # the unit whose text it sits in, when the position means something


@dataclass
class Paragraph:
    label: str
    text: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Unit:
    """An article or an annex."""

    kind: str  # "article" or "annex"
    number: str  # "9.7", "9.6bis" (irregular, fixed by numbering.py), "9-A"
    title: str
    where: Where
    blocks: list[Block] = field(default_factory=list)
    source_number: str = ""  # the number as the source prints it
    origin: str = "source"  # "source", "split" (recovered inside another article), "reference"
    notes: list[str] = field(default_factory=list)
    # filled in by assemble.py
    text: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.source_number:
            self.source_number = self.number

    @property
    def label(self) -> str:
        return f"{'Article' if self.kind == 'article' else 'Annex'} {self.number}"


@dataclass
class Chapter:
    number: str  # "14", or a name such as "JSI" for a flat agreement
    title: str
    where: Where
    units: list[Unit] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnotes no text refers to

    @property
    def articles(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "article"]

    @property
    def annexes(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "annex"]


@dataclass
class Document:
    """An imported agreement text, from reading to writing."""

    path: str
    format: str  # "markdown", "tota-xml", "text", "pdf"
    chapters: list[Chapter] = field(default_factory=list)
    name: str = ""
    signed: str | None = None
    parties: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    info: list[str] = field(default_factory=list)  # what was skipped or mapped, for the summary
    numbering: list[str] = field(default_factory=list)  # number changes, for agreement.yaml notes
    files: int = 1
    seconds: float = 0.0

    def warn(self, where: Where, message: str) -> None:
        self.warnings.append(where.problem(message))

    def chapter(self, number: str) -> Chapter | None:
        return next((c for c in self.chapters if c.number == number), None)

    @property
    def articles(self) -> list[Unit]:
        return [u for c in self.chapters for u in c.articles]

    @property
    def annexes(self) -> list[Unit]:
        return [u for c in self.chapters for u in c.annexes]
