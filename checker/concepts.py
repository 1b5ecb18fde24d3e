"""Trade-rule concepts: a lexicon of English and Chinese surface forms, tagged with PhraseMatcher.

Concepts bridge wording that plain lexical matching misses ("data centres" vs "location of
computing facilities", "单一窗口" vs "single window") and give every link an explanation in the
terms a trade lawyer uses. English is matched on lemmas, Chinese on characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.matcher import PhraseMatcher

from checker import text as textmod
from checker.errors import InputError, problem
from checker.yamlio import LineDict, load_yaml, unknown_fields

CONCEPT_KEYS = {"id", "label", "label_zh", "kind", "en", "zh", "abbr", "implied_by", "see", "notes"}
# rule: a trade-rule concept, scored and shown. part: a building block of `implied_by` only (too
# generic to score alone, e.g. "foreign firm" or "set up"). outside: marks what the agreements do
# not discipline (subsidies, promotion events, building works); it feeds the scope signal.
KINDS = ("rule", "part", "outside")
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
    kind: str = "rule"
    # The concept is also present where a text carries every concept of one of these sets: how a
    # trade lawyer reads "foreign insurer" + "may set up" as national treatment in financial services.
    implied_by: tuple[tuple[str, ...], ...] = ()


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
        kind = node.get("kind", "rule")
        if kind not in KINDS:
            problems.append(problem(path, node.line_of("kind"),
                                    f"concept {cid}: kind must be one of {', '.join(KINDS)}"))
            continue
        implied = node.get("implied_by") or []
        if not isinstance(implied, list) or not all(
                isinstance(g, list) and g and all(isinstance(x, str) for x in g) for g in implied):
            problems.append(problem(path, node.line_of("implied_by"),
                                    f"concept {cid}: 'implied_by' must be a list of lists of concept ids"))
            implied = []
        if not (lists["en"] or lists["zh"] or lists["abbr"] or implied):
            problems.append(problem(path, node.line, f"concept {cid}: no surface forms (en, zh or abbr) or implied_by"))
            continue
        if kind != "rule" and (lists["see"] or implied):
            problems.append(problem(path, node.line,
                                    f"concept {cid}: a {kind!r} concept takes no 'see' or 'implied_by'"))
            continue
        label = node.get("label") or cid.replace("-", " ")
        out.append(Concept(cid, str(label), node.get("label_zh"), lists["en"], lists["zh"],
                           lists["abbr"], lists["see"], kind, tuple(tuple(g) for g in implied)))
    kinds = {c.id: c.kind for c in out}
    derived = {c.id for c in out if c.implied_by}
    for c in out:
        for group in c.implied_by:
            for ref in group:
                if ref not in kinds:
                    problems.append(problem(path, seen[c.id],
                                            f"concept {c.id}: implied_by names unknown concept {ref!r}"))
                elif kinds[ref] == "outside" or ref in derived:
                    problems.append(problem(path, seen[c.id], f"concept {c.id}: implied_by may only name 'rule' or "
                                                              f"'part' concepts found by their forms, not {ref!r}"))
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True)
class Tagging:
    """Concepts found in one text, with the words that triggered each: trade-rule concepts in
    `found` (what signals score and explanations show), out-of-scope markers in `outside`."""

    found: dict[str, tuple[str, ...]]
    outside: dict[str, tuple[str, ...]] = field(default_factory=dict)


class ConceptTagger:
    def __init__(self, concepts: Sequence[Concept]):
        self.concepts = list(concepts)
        self.by_id = {c.id: c for c in self.concepts}
        self._implied = [c for c in self.concepts if c.implied_by]
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
            out.append(self._resolve(found))
        return out

    def _resolve(self, found: dict[str, list[str]]) -> Tagging:
        """Add implied concepts, in lexicon order, and let each absorb the concepts that implied it:
        "overseas insurer" + "may set up" + "insurance" reads as national treatment in financial
        services, no longer as insurance in general, and a more general implied concept listed later
        (foreign establishment under Chapters 9 and 10) cannot reuse them, as Articles 9.3 and 11.2
        let the financial services chapter prevail. Parts never leave this method."""
        used: set[str] = set()
        for c in self._implied:
            groups = [g for g in c.implied_by if all(ref in found and ref not in used for ref in g)]
            if groups:
                members = list(dict.fromkeys(ref for g in groups for ref in g))
                found.setdefault(c.id, []).extend(w for ref in members for w in found[ref])
                used.update(members)
        rules: dict[str, tuple[str, ...]] = {}
        outside: dict[str, tuple[str, ...]] = {}
        for cid, words in found.items():
            kind = self.by_id[cid].kind
            if kind == "rule" and cid not in used:
                rules[cid] = tuple(dict.fromkeys(words))
            elif kind == "outside":
                outside[cid] = tuple(dict.fromkeys(words))
        return Tagging(rules, outside)
