"""Trade-rule concepts: a lexicon of English and Chinese surface forms, tagged with PhraseMatcher.

Concepts bridge wording that plain lexical matching misses ("data centres" vs "location of
computing facilities", "单一窗口" vs "single window") and give every link an explanation in the
terms a trade lawyer uses. English is matched on lemmas, Chinese on characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.matcher import PhraseMatcher

from checker import text as textmod
from checker.errors import InputError, problem
from checker.yamlio import LineDict, load_yaml, unknown_fields

CONCEPT_KEYS = {"id", "label", "label_zh", "en", "zh", "abbr", "see", "notes"}
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    label_zh: str | None
    en: tuple[str, ...]
    zh: tuple[str, ...]
    abbr: tuple[str, ...]
    see: tuple[str, ...]  # treaty articles where the concept lives, e.g. cptpp:14.13 (documentation)


def load_concepts(path: Path) -> list[Concept]:
    data = load_yaml(Path(path))
    problems = []
    items = data.get("concepts") if isinstance(data, LineDict) else None
    if not isinstance(items, list):
        raise InputError(problem(path, 1, "expected a top-level 'concepts:' list"))
    out: list[Concept] = []
    seen: dict[str, int] = {}
    for node in items:
        if not isinstance(node, LineDict):
            problems.append(problem(path, getattr(items, "line", 1), "each concept must be a mapping"))
            continue
        problems.extend(unknown_fields(path, node, CONCEPT_KEYS, "concept"))
        cid = node.get("id")
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            problems.append(problem(path, node.line, f"bad or missing concept id {cid!r}"))
            continue
        if cid in seen:
            problems.append(problem(path, node.line, f"duplicate concept id {cid} (first at line {seen[cid]})"))
            continue
        seen[cid] = node.line
        lists = {}
        for key in ("en", "zh", "abbr", "see"):
            value = node.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(problem(path, node.line_of(key), f"concept {cid}: {key!r} must be a list of texts"))
                value = []
            lists[key] = tuple(v.strip() for v in value)
        if not (lists["en"] or lists["zh"] or lists["abbr"]):
            problems.append(problem(path, node.line, f"concept {cid}: no surface forms (en, zh or abbr)"))
            continue
        label = node.get("label") or cid.replace("-", " ")
        out.append(Concept(cid, str(label), node.get("label_zh"), lists["en"], lists["zh"],
                           lists["abbr"], lists["see"]))
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True)
class Tagging:
    """Concepts found in one text, with the words that triggered each."""

    found: dict[str, tuple[str, ...]]


class ConceptTagger:
    def __init__(self, concepts: Sequence[Concept]):
        self.concepts = list(concepts)
        self.by_id = {c.id: c for c in self.concepts}
        en = textmod.english()
        zh = textmod.chinese()
        self._en = PhraseMatcher(en.vocab, attr="LEMMA")
        self._en_norm = PhraseMatcher(en.vocab, attr="LOWER")
        self._zh = PhraseMatcher(zh.vocab, attr="ORTH")
        for c in self.concepts:
            forms = [f.lower() for f in c.en]
            if forms:
                self._en.add(c.id, list(en.pipe(forms)))
            if c.abbr:
                self._en_norm.add(c.id, list(en.tokenizer.pipe(a.lower() for a in c.abbr)))
            if c.zh:
                self._zh.add(c.id, list(zh.tokenizer.pipe(c.zh)))

    def tag(self, analysed: Sequence[textmod.Analysed]) -> list[Tagging]:
        out = []
        for a in analysed:
            found: dict[str, list[str]] = {}
            if a.doc is not None:
                for matcher in (self._en, self._en_norm):
                    for match_id, start, end in matcher(a.doc):
                        cid = a.doc.vocab.strings[match_id]
                        found.setdefault(cid, []).append(a.doc[start:end].text)
            if a.zh_doc is not None:
                for match_id, start, end in self._zh(a.zh_doc):
                    cid = a.zh_doc.vocab.strings[match_id]
                    found.setdefault(cid, []).append(a.zh_doc[start:end].text)
            out.append(Tagging({k: tuple(dict.fromkeys(v)) for k, v in found.items()}))
        return out
