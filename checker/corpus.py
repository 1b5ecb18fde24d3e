"""Stage 1: load and validate the rule corpora and the measure lists.

Everything downstream works on these frozen dataclasses; nothing else reads corpus YAML.
Schema: docs/corpus.md. Errors are collected (not raised one by one) so that a user fixing a
file sees every problem in one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

from checker.errors import InputError, Problem, problem
from checker.yamlio import LineDict, load_yaml, unknown_fields

FORCES = ("binding", "best-endeavour", "cooperation", "definitional", "procedural")
FORCE_RANK = {"binding": 4, "best-endeavour": 3, "cooperation": 2, "procedural": 1, "definitional": 0}
CONFIDENCES = ("confirmed", "recalled")

AGREEMENT_KEYS = {"id", "name", "short_name", "signed", "in_force", "parties", "division", "origin",
                  "notes"}
UNIT_KEYS = {"chapter", "module", "title", "level", "articles", "annexes", "notes"}
ARTICLE_KEYS = {"number", "title", "text", "paragraphs", "suspended", "force", "notes", "confidence",
                "basis", "level"}
PARAGRAPH_KEYS = {"label", "text", "suspended", "force", "notes"}
SUSPENDED_KEYS = {"item", "part"}
PLAN_KEYS = {"id", "title", "title_zh", "document", "date", "declared", "target", "translation",
             "sources", "notes"}
MEASURE_KEYS = {"id", "text", "text_zh", "group", "section", "sector", "source", "provenance",
                "notes"}

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
LABEL_RE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*")


@dataclass(frozen=True)
class Suspension:
    item: int | None
    part: str | None  # None: the whole unit is suspended

    @property
    def whole(self) -> bool:
        return self.part is None


@dataclass(frozen=True)
class Clause:
    """The unit of matching: a paragraph, or a whole article restated at article level."""

    id: str
    article_id: str
    label: str | None
    text: str
    force: str
    force_overridden: bool
    suspended: Suspension | None
    notes: tuple[str, ...]
    path: str
    line: int


@dataclass(frozen=True)
class Article:
    id: str
    agreement: str
    chapter: str  # chapter id, e.g. cptpp:ch14
    number: str
    title: str
    kind: str  # "article" or "annex"
    level: str  # "paragraph" or "article"
    clauses: tuple[Clause, ...]
    suspended: Suspension | None
    confidence: str | None
    basis: str | None
    path: str
    line: int
    notes: tuple[str, ...] = ()

    @property
    def fully_suspended(self) -> bool:
        if self.suspended and self.suspended.whole:
            return True
        return all(c.suspended is not None and c.suspended.whole for c in self.clauses)

    @property
    def partly_suspended(self) -> bool:
        return self.suspended is not None or any(c.suspended for c in self.clauses)

    @property
    def force(self) -> str:
        """The strongest force among the clauses still in effect."""
        live = [c for c in self.clauses if not (c.suspended and c.suspended.whole)] or self.clauses
        return max((c.force for c in live), key=FORCE_RANK.__getitem__)

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.clauses)


@dataclass(frozen=True)
class Chapter:
    id: str
    agreement: str
    number: str
    title: str
    division: str  # "chapter" or "module"
    level: str
    path: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class Agreement:
    id: str
    name: str
    short_name: str
    signed: str | None
    parties: tuple[str, ...]
    division: str
    origin: str
    path: str
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Target:
    aligned: int | None
    share: float | None


@dataclass(frozen=True)
class Measure:
    id: str
    plan: str
    text: str | None
    text_zh: str | None
    group: str | None
    section: str | None
    sector: str | None
    source: str | None
    provenance: str | None
    path: str
    line: int


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    title_zh: str | None
    document: str | None
    date: str | None
    declared: int | None
    declared_at_least: bool
    target: Target | None
    translation: str | None
    sources: tuple[str, ...]
    path: str
    measures: tuple[Measure, ...]

    @property
    def declared_text(self) -> str | None:
        if self.declared is None:
            return None
        return f"{self.declared}+" if self.declared_at_least else str(self.declared)


@dataclass
class Corpus:
    agreements: list[Agreement] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [a for ag in self.agreements for a in ag.articles]

    @property
    def clauses(self) -> list[Clause]:
        return [c for a in self.articles for c in a.clauses]

    @property
    def measures(self) -> list[Measure]:
        return [m for p in self.plans for m in p.measures]


# --------------------------------------------------------------------------- legal force

# "shall be construed", "nothing ... shall prevent": interpretation and carve-outs, not duties.
_NEUTRAL_SHALL = re.compile(
    r"\b(?:shall|must)\s+(?:not\s+)?be\s+(?:construed|interpreted|read|understood|deemed|"
    r"considered|taken)\b|\bnothing\b[^.;:]*?\b(?:shall|must)\b(?:\s+not)?"
)
_BEST = re.compile(
    r"\bshall\s+(?:endeavou?r|seek|strive|try|aim|make\s+(?:all\s+|every\s+)?(?:reasonable\s+)?"
    r"efforts?|use\s+(?:its\s+|their\s+)?best\s+efforts)|\bbest\s+efforts?\b|\breasonable\s+efforts?\b|"
    r"\bto\s+the\s+extent\s+(?:possible|practicable)\b"
)
_BINDING = re.compile(r"\b(?:shall|must)\b")
_COOP = re.compile(
    r"\b(?:recogni[sz]e[sd]?|affirms?|reaffirms?|acknowledges?|may|cooperat\w*|encourag\w*|"
    r"promot\w*|consider|collaborat\w*)\b"
)
_DEFINES = re.compile(r"\bmeans\b|\bfor (?:the )?purposes? of this\b|\bincludes?\b")
_PROCEDURAL_TITLE = re.compile(
    r"committee|contact point|entry into force|amendment|accession|withdrawal|depositary|"
    r"authentic texts?|rules of procedure|decision-making|functions of|establishment of|"
    r"annexes|footnotes|review of|general review|meetings|secretariat|notification",
    re.I,
)


def derive_force(text: str, title: str = "") -> str:
    """Classify a clause by the strength of its commitment (docs/corpus.md, 'Legal force')."""
    t = " ".join(text.lower().split())
    if title.strip().lower() in {"definitions", "definition", "general definitions"}:
        return "definitional"
    rest = _NEUTRAL_SHALL.sub(" ", t)
    best = bool(_BEST.search(rest))
    binding = bool(_BINDING.search(_BEST.sub(" ", rest)))
    if _PROCEDURAL_TITLE.search(title):
        return "procedural"
    if binding:
        return "binding"
    if best:
        return "best-endeavour"
    if _COOP.search(t):
        return "cooperation"
    return "definitional"


# --------------------------------------------------------------------------- helpers


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path | str, line: int | None, message: str) -> None:
        self.problems.append(problem(path, line, message))

    def check_keys(self, path: Path, node: LineDict, allowed: set[str], what: str) -> None:
        self.problems.extend(unknown_fields(path, node, allowed, what))

    def text(self, path: Path, node: LineDict, key: str, what: str, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.add(path, node.line, f"{what}: missing {key!r}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, node.line_of(key), f"{what}: {key!r} must be text, not {type(value).__name__}")
            return None
        if required and not value.strip():
            self.add(path, node.line_of(key), f"{what}: {key!r} is empty")
            return None
        return value.strip() or None


def _mapping(col: _Collector, path: Path, value: Any, what: str, line: int) -> LineDict | None:
    if not isinstance(value, LineDict):
        col.add(path, getattr(value, "line", line), f"{what} must be a mapping")
        return None
    return value


def _notes(col: _Collector, path: Path, node: LineDict, what: str) -> tuple[str, ...]:
    notes = node.get("notes")
    if notes is None:
        return ()
    if isinstance(notes, str):
        return (notes.strip(),)
    if isinstance(notes, list) and all(isinstance(n, str) for n in notes):
        return tuple(n.strip() for n in notes)
    col.add(path, node.line_of("notes"), f"{what}: 'notes' must be text or a list of texts")
    return ()


def _suspension(col: _Collector, path: Path, node: LineDict, what: str) -> Suspension | None:
    value = node.get("suspended")
    if value is None or value is False:
        return None
    if value is True:
        return Suspension(None, None)
    if not isinstance(value, LineDict):
        col.add(path, node.line_of("suspended"), f"{what}: 'suspended' must be a mapping {{item, part}}")
        return None
    col.check_keys(path, value, SUSPENDED_KEYS, f"{what} 'suspended'")
    item = value.get("item")
    if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
        col.add(path, value.line_of("item"), f"{what}: suspended item must be a number")
        item = None
    part = value.get("part")
    return Suspension(item, str(part).strip() if part else None)


def _force(col: _Collector, path: Path, node: LineDict, what: str) -> str | None:
    force = node.get("force")
    if force is None:
        return None
    if force not in FORCES:
        col.add(path, node.line_of("force"), f"{what}: unknown force {force!r} (one of {', '.join(FORCES)})")
        return None
    return force


# --------------------------------------------------------------------------- rules


def _load_unit(
    col: _Collector, path: Path, ag_id: str, division: str, data: Any
) -> tuple[Chapter, list[Article]] | None:
    node = _mapping(col, path, data, "a chapter or module file", 1)
    if node is None:
        return None
    col.check_keys(path, node, UNIT_KEYS, "chapter file")
    keys = [k for k in ("chapter", "module") if k in node]
    if len(keys) != 1:
        col.add(path, node.line, "a chapter file needs exactly one of 'chapter:' or 'module:'")
        return None
    number = str(node[keys[0]]).strip()
    if not re.fullmatch(r"[0-9]+|[A-Z][A-Za-z]*", number):
        col.add(path, node.line_of(keys[0]), f"bad chapter number {number!r} (a number, or a name such as CPTPP)")
        return None
    title = col.text(path, node, "title", f"chapter {number}") or ""
    level = node.get("level", "paragraph")
    if level not in ("paragraph", "article"):
        col.add(path, node.line_of("level"), f"level must be 'paragraph' or 'article', not {level!r}")
        level = "paragraph"
    chapter_id = f"{ag_id}:ch{number}"
    articles: list[Article] = []
    n_items = 0
    for key, kind in (("articles", "article"), ("annexes", "annex")):
        items = node.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            col.add(path, node.line_of(key), f"'{key}' must be a list")
            continue
        n_items += len(items)
        for item in items:
            art = _load_article(col, path, ag_id, chapter_id, number, kind, level, item)
            if art:
                articles.append(art)
    if not n_items:
        col.add(path, node.line, f"chapter {number} has no articles")
    chapter = Chapter(chapter_id, ag_id, number, title, division, level, str(path),
                      tuple(a.id for a in articles))
    return chapter, articles


def _load_article(
    col: _Collector, path: Path, ag_id: str, chapter_id: str, chapter_no: str, kind: str,
    level: str, data: Any,
) -> Article | None:
    node = _mapping(col, path, data, f"an {kind}", 0)
    if node is None:
        return None
    col.check_keys(path, node, ARTICLE_KEYS, kind)
    number = col.text(path, node, "number", kind)
    if number is None:
        return None
    what = f"{kind} {number}"
    if kind == "article":
        ok = re.fullmatch(rf"{re.escape(chapter_no)}\.[0-9]+", number)
        expect = f"{chapter_no}.N"
    else:
        ok = number == chapter_no or re.fullmatch(rf"{re.escape(chapter_no)}-[A-Z]+", number)
        expect = f"{chapter_no}-A"
    if not ok:
        col.add(path, node.line_of("number"),
                f"bad {kind} number {number!r} in chapter {chapter_no} (expected {expect})")
        return None
    art_id = f"{ag_id}:{number}" if kind == "article" else f"{ag_id}:annex-{number}"
    title = col.text(path, node, "title", what) or ""
    level = node.get("level", level)
    suspended = _suspension(col, path, node, what)
    art_force = _force(col, path, node, what)
    confidence = node.get("confidence")
    if confidence is not None and confidence not in CONFIDENCES:
        col.add(path, node.line_of("confidence"), f"{what}: confidence must be one of {', '.join(CONFIDENCES)}")
    basis = node.get("basis")
    has_text, has_pars = "text" in node, "paragraphs" in node
    clauses: list[Clause] = []
    if has_text == has_pars:
        col.add(path, node.line, f"{what}: give exactly one of 'text' or 'paragraphs'")
        return None
    if has_text:
        text = col.text(path, node, "text", what)
        if text is None:
            return None
        force = art_force or derive_force(text, title)
        clauses.append(Clause(art_id, art_id, None, text, force, art_force is not None, suspended,
                              _notes(col, path, node, what), str(path), node.line))
    else:
        pars = node["paragraphs"]
        if not isinstance(pars, list) or not pars:
            col.add(path, node.line_of("paragraphs"), f"{what}: 'paragraphs' must be a non-empty list")
            return None
        labels: set[str] = set()
        for par in pars:
            p = _mapping(col, path, par, f"a paragraph of {what}", node.line)
            if p is None:
                continue
            col.check_keys(path, p, PARAGRAPH_KEYS, f"paragraph of {what}")
            label = p.get("label")
            if isinstance(label, int) and not isinstance(label, bool):
                label = str(label)
            if not isinstance(label, str) or not LABEL_RE.fullmatch(label):
                col.add(path, p.line_of("label") if "label" in p else p.line,
                        f"{what}: bad or missing paragraph label {label!r} (e.g. \"2\" or \"B.1\")")
                continue
            if label in labels:
                col.add(path, p.line_of("label"), f"{what}: duplicate paragraph label {label!r}")
                continue
            labels.add(label)
            text = col.text(path, p, "text", f"{what} paragraph {label}")
            if text is None:
                continue
            p_force = _force(col, path, p, f"{what} paragraph {label}") or art_force
            force = p_force or derive_force(text, title)
            clauses.append(Clause(f"{art_id}.{label}", art_id, label, text, force,
                                  p_force is not None,
                                  _suspension(col, path, p, f"{what} paragraph {label}"),
                                  _notes(col, path, p, f"{what} paragraph {label}"),
                                  str(path), p.line))
        if not clauses:
            return None
    art_notes = _notes(col, path, node, what) if has_pars else ()
    return Article(art_id, ag_id, chapter_id, number, title, kind, level, tuple(clauses), suspended,
                   confidence, str(basis).strip() if basis else None, str(path), node.line, art_notes)


def load_agreement(directory: Path) -> Agreement:
    directory = Path(directory)
    col = _Collector()
    meta_path = directory / "agreement.yaml"
    if not directory.is_dir():
        raise InputError(problem(directory, None, "rules directory not found"))
    if not meta_path.is_file():
        raise InputError(problem(directory, None, "not an agreement directory: no agreement.yaml"))
    meta = _mapping(col, meta_path, load_yaml(meta_path), "agreement.yaml", 1)
    if meta is None:
        raise InputError(col.problems)
    col.check_keys(meta_path, meta, AGREEMENT_KEYS, "agreement.yaml")
    ag_id = col.text(meta_path, meta, "id", "agreement") or directory.name
    if not ID_RE.fullmatch(ag_id):
        col.add(meta_path, meta.line_of("id"), f"bad agreement id {ag_id!r} (lower-case letters, digits, - . _)")
    name = col.text(meta_path, meta, "name", "agreement") or ag_id
    division = meta.get("division", "chapter")
    if division not in ("chapter", "module"):
        col.add(meta_path, meta.line_of("division"), "division must be 'chapter' or 'module'")
    parties = meta.get("parties") or []
    chapters: list[Chapter] = []
    articles: list[Article] = []
    seen_chapters: dict[str, str] = {}
    unit_files = sorted(p for p in directory.glob("*.yaml") if p.name != "agreement.yaml")
    if not unit_files:
        col.add(directory, None, "no chapter files (*.yaml) next to agreement.yaml")
    for unit_path in unit_files:
        try:
            data = load_yaml(unit_path)
        except InputError as exc:
            col.problems.extend(exc.problems)
            continue
        loaded = _load_unit(col, unit_path, ag_id, division, data)
        if not loaded:
            continue
        chapter, arts = loaded
        if chapter.id in seen_chapters:
            col.add(unit_path, 1, f"chapter {chapter.number} is also defined in {seen_chapters[chapter.id]}")
            continue
        seen_chapters[chapter.id] = str(unit_path)
        chapters.append(chapter)
        articles.extend(arts)
    _check_unique(col, ((a.id, a.path, a.line) for a in articles), "article")
    _check_unique(col, ((c.id, c.path, c.line) for a in articles for c in a.clauses), "clause")
    if col.problems:
        raise InputError(col.problems)
    chapters.sort(key=lambda c: _number_key(c.number))
    order = {c.id: i for i, c in enumerate(chapters)}
    articles.sort(key=lambda a: (order[a.chapter], a.kind != "article", _number_key(a.number)))
    return Agreement(ag_id, name, str(meta.get("short_name") or ag_id.upper()),
                     str(meta["signed"]) if meta.get("signed") else None,
                     tuple(str(p) for p in parties), division, str(meta.get("origin") or "").strip(),
                     str(directory), tuple(chapters), tuple(articles))


def _number_key(number: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", number))


def _check_unique(col: _Collector, items: Iterable[tuple[str, str, int]], what: str) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for ident, path, line in items:
        if ident in seen:
            p, ln = seen[ident]
            col.add(path, line, f"duplicate {what} id {ident} (first defined at {p}:{ln})")
        else:
            seen[ident] = (path, line)


# --------------------------------------------------------------------------- measures


def load_plan(path: Path) -> Plan:
    path = Path(path)
    col = _Collector()
    data = load_yaml(path)
    if isinstance(data, list):  # a plain list of measures
        data_map = LineDict(measures=data)
        data_map.line, data_map.key_lines = 1, {"measures": 1}
        data = data_map
    node = _mapping(col, path, data, "a measures file", 1)
    if node is None:
        raise InputError(col.problems)
    col.check_keys(path, node, {"plan", "measures"}, "measures file")
    header = node.get("plan") or LineDict()
    if not isinstance(header, LineDict):
        col.add(path, node.line_of("plan"), "'plan' must be a mapping")
        header = LineDict()
    if not hasattr(header, "key_lines"):
        header.key_lines = {}
    col.check_keys(path, header, PLAN_KEYS, "plan header")
    plan_id = col.text(path, header, "id", "plan", required=False) or path.stem
    if not ID_RE.fullmatch(plan_id):
        col.add(path, header.line_of("id"), f"bad plan id {plan_id!r} (lower-case letters, digits, - . _)")
    declared, at_least = None, False
    raw = header.get("declared")
    if raw is not None:
        m = re.fullmatch(r"\s*(\d+)\s*(\+?)\s*", str(raw))
        if not m or isinstance(raw, bool):
            col.add(path, header.line_of("declared"), f"declared must be a number or 'N+', not {raw!r}")
        else:
            declared, at_least = int(m.group(1)), bool(m.group(2))
    target = None
    if header.get("target") is not None:
        target = _target(col, path, header)
    sources = header.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    measures: list[Measure] = []
    items = node.get("measures")
    if not isinstance(items, list):
        col.add(path, node.line_of("measures") if "measures" in node else node.line,
                "missing 'measures:' list")
        items = []
    seen: dict[str, int] = {}
    for item in items:
        m = _mapping(col, path, item, "a measure", getattr(items, "line", 1))
        if m is None:
            continue
        col.check_keys(path, m, MEASURE_KEYS, "measure")
        mid = m.get("id")
        if isinstance(mid, int) and not isinstance(mid, bool):
            mid = str(mid)
        if not isinstance(mid, str) or not ID_RE.fullmatch(mid):
            col.add(path, m.line_of("id") if "id" in m else m.line,
                    f"measure: bad or missing id {mid!r} (lower-case letters, digits, - . _)")
            continue
        if mid in seen:
            col.add(path, m.line_of("id"), f"duplicate measure id {mid} (first at line {seen[mid]})")
            continue
        seen[mid] = m.line
        text = col.text(path, m, "text", f"measure {mid}", required=False)
        text_zh = col.text(path, m, "text_zh", f"measure {mid}", required=False)
        if not text and not text_zh:
            col.add(path, m.line, f"measure {mid}: needs 'text' or 'text_zh'")
            continue
        fields = {k: col.text(path, m, k, f"measure {mid}", required=False)
                  for k in ("group", "section", "sector", "source", "provenance")}
        measures.append(Measure(mid, plan_id, text, text_zh, fields["group"], fields["section"],
                                fields["sector"], fields["source"], fields["provenance"],
                                str(path), m.line))
    if not measures and not col.problems:
        col.add(path, node.line, "no measures")
    if col.problems:
        raise InputError(col.problems)
    return Plan(plan_id, str(header.get("title") or plan_id), header.get("title_zh"),
                header.get("document"), str(header["date"]) if header.get("date") else None,
                declared, at_least, target, header.get("translation"),
                tuple(str(s) for s in sources), str(path), tuple(measures))


def _target(col: _Collector, path: Path, header: LineDict) -> Target | None:
    t = header["target"]
    if not isinstance(t, LineDict):
        col.add(path, header.line_of("target"), "target must be a mapping {aligned: N, share: 0.xx}")
        return None
    col.check_keys(path, t, {"aligned", "share"}, "target")
    aligned, share = t.get("aligned"), t.get("share")
    if aligned is not None and (isinstance(aligned, bool) or not isinstance(aligned, int) or aligned < 0):
        col.add(path, t.line_of("aligned"), f"target aligned must be a whole number, not {aligned!r}")
        aligned = None
    if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                              or not 0 <= share <= 1):
        col.add(path, t.line_of("share"), f"target share must be between 0 and 1, not {share!r}")
        share = None
    return Target(aligned, float(share) if share is not None else None)


# --------------------------------------------------------------------------- whole corpus


def expand_measure_paths(patterns: Sequence[str | Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """Measures may be given as files, directories or globs; order is stable."""
    excluded = {Path(p).resolve() for p in exclude}
    out: list[Path] = []
    for pat in patterns:
        p = Path(pat)
        if p.is_dir():
            found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
        elif any(ch in str(pat) for ch in "*?["):
            found = sorted(Path(f) for f in glob(str(pat)))
        else:
            found = [p]
        for f in found:
            if f.resolve() not in excluded and f not in out:
                out.append(f)
    return out


def load_corpus(rules: Sequence[Path], measures: Sequence[Path]) -> Corpus:
    """Load every agreement and plan, reporting all problems together."""
    problems: list[Problem] = []
    corpus = Corpus()
    for directory in rules:
        try:
            corpus.agreements.append(load_agreement(Path(directory)))
        except InputError as exc:
            problems.extend(exc.problems)
    for path in measures:
        if not Path(path).is_file():
            problems.append(problem(path, None, "measures file not found"))
            continue
        try:
            corpus.plans.append(load_plan(Path(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    ids = [a.id for a in corpus.agreements]
    for dup in {i for i in ids if ids.count(i) > 1}:
        problems.append(problem(dup, None, "agreement id used by two rules directories"))
    seen: dict[str, Measure] = {}
    for m in corpus.measures:
        if m.id in seen:
            first = seen[m.id]
            problems.append(problem(m.path, m.line, f"duplicate measure id {m.id} (also in {first.path}:{first.line})"))
        seen[m.id] = m
    plan_ids = [p.id for p in corpus.plans]
    for dup in {i for i in plan_ids if plan_ids.count(i) > 1}:
        problems.append(problem(dup, None, "plan id used by two measures files"))
    if problems:
        raise InputError(problems)
    return corpus
