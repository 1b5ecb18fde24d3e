"""Which words to highlight when a reviewer reads a measure next to the clause it docks with.

For every link and the first `SHOWN` candidates of a measure, character spans in the measure's English
and Chinese texts and in the evidence clause (and its article's title):

- English tokens whose normalised lookup lemma (the same pipeline as `checker.text.english()`)
  is a word of the pair's shared terms;
- the surface words of the shared concepts (`concept_words`): English matched on lemmas with a
  PhraseMatcher, Chinese as plain substrings.

Texts go through `nlp.pipe` once each; only the links and shown candidates are looped over, never
the whole measure x clause matrix. Spans are `[start, end)` character offsets into the texts as
they stand in the result document, sorted, without overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from checker.text import BATCH, english, normalise_lemma

if TYPE_CHECKING:  # pragma: no cover
    from checker.pipeline import Run

Span = list[int]  # [start, end)

# Candidates below the threshold shown with their words marked, per measure (links always are).
SHOWN = 5

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Marks next to each other are drawn as one when only spaces or hyphens lie between them.
_JOIN = re.compile(r"[\s\-\u2010\u2011]{0,2}")


def lower_same_length(text: str) -> str:
    """Lower-case for the lookup lemmatizer (it is case-sensitive), keeping every offset."""
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. 'İ') grow when lower-cased
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low.replace("\u2019", "'")


def merge(spans: Iterable[Sequence[int]], text: str = "") -> list[Span]:
    """Sort and merge overlapping spans, and spans separated only by a space or a hyphen."""
    out: list[Span] = []
    for s, e in sorted((int(s), int(e)) for s, e in spans if e > s):
        if out and (s <= out[-1][1] or (text and _JOIN.fullmatch(text, out[-1][1], s))):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def substring_spans(text: str | None, words: Iterable[str]) -> list[Span]:
    if not text:
        return []
    spans = []
    for w in words:
        if not w:
            continue
        start = text.find(w)
        while start >= 0:
            spans.append([start, start + len(w)])
            start = text.find(w, start + 1)
    return merge(spans)


class _Analysed:
    """One English text: its content tokens by lemma, and concept-word matches by surface word."""

    def __init__(self, doc: Doc, lemma_matcher: PhraseMatcher, lower_matcher: PhraseMatcher):
        self.by_lemma: dict[str, list[Span]] = {}
        for tok in doc:
            if tok.is_punct or tok.is_space:
                continue
            lemma = normalise_lemma(tok.lemma_ or tok.text)
            self.by_lemma.setdefault(lemma, []).append([tok.idx, tok.idx + len(tok.text)])
        self.by_word: dict[str, list[Span]] = {}
        for matcher in (lemma_matcher, lower_matcher):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                self.by_word.setdefault(doc.vocab.strings[match_id], []).append(
                    [span.start_char, span.end_char])

    def spans(self, words: Iterable[str], concept_words: Iterable[str]) -> list[Span]:
        found = [s for w in words for s in self.by_lemma.get(w, ())]
        found += [s for w in concept_words for s in self.by_word.get(w.lower(), ())]
        return found


def _analyse(texts: Sequence[str], surface_words: Iterable[str]) -> dict[str, _Analysed]:
    nlp = english()
    lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    words = sorted({w.lower() for w in surface_words if w.strip()})
    for key, pattern in zip(words, nlp.pipe(words, batch_size=BATCH)):
        lemma_matcher.add(key, [pattern])
        lower_matcher.add(key, [nlp.make_doc(key)])
    unique = list(dict.fromkeys(t for t in texts if t))
    docs = nlp.pipe((lower_same_length(t) for t in unique), batch_size=BATCH)
    return {t: _Analysed(d, lemma_matcher, lower_matcher) for t, d in zip(unique, docs)}


def _split_words(ev: dict[str, Any], side: str) -> tuple[list[str], list[str]]:
    """English and Chinese surface words of a pair's shared concepts, on one side."""
    en, zh = [], []
    for words in ev.get("concept_words", {}).values():
        for w in words.get(side, ()):
            (zh if _CJK.search(w) else en).append(w)
    return en, zh


def highlight(ev: dict[str, Any], measure_text: str | None, measure_zh: str | None,
              clause_text: str | None, title: str | None,
              analysed: dict[str, _Analysed]) -> dict[str, list[Span]]:
    """Spans for one measure-clause pair, given its evidence (`concepts`, `concept_words`, `terms`)."""
    words = {w for t in ev.get("terms", ()) for w in t.split()}
    m_en, m_zh = _split_words(ev, "measure")
    c_en, _ = _split_words(ev, "clause")

    def en_spans(text: str | None, concept_words: list[str]) -> list[Span]:
        if not text or text not in analysed:
            return []
        return merge(analysed[text].spans(words, concept_words), text)

    return {
        "measure": en_spans(measure_text, m_en),
        "measure_zh": substring_spans(measure_zh, m_zh),
        "clause": en_spans(clause_text, c_en),
        "title": en_spans(title, c_en),
    }


def add_highlights(run: Run, measures: list[dict[str, Any]], idf: dict[str, float]) -> None:
    """Give every link and the first `SHOWN` candidates of the result's measures a `highlight`; give
    every candidate its evidence (`concepts`, `concept_words`, `terms`), as links already have it."""
    from checker.result import evidence  # checker.result imports this module

    clause_index = {cid: i for i, cid in enumerate(run.matrix.clause_ids)}
    clause_of = {c.id: (a, c) for a in run.corpus.articles for c in a.clauses}

    # Evidence of the candidates that are not links (links already carry theirs).
    for mi, m in enumerate(measures):
        links = {link["clause"]: link for link in m["links"]}
        for cand in m["candidates"]:
            link = links.get(cand["clause"])
            ev = link if link is not None else evidence(run, mi, clause_index[cand["clause"]], idf)
            for key in ("concepts", "concept_words", "terms"):
                cand[key] = ev[key]

    pairs = [(m, item) for m in measures for item in (*m["links"], *m["candidates"][:SHOWN])]
    texts: list[str] = []
    surface: set[str] = set()
    for m, item in pairs:
        article, clause = clause_of[item["clause"]]
        texts += [m["text"] or "", clause.text, article.title]
        for side in ("measure", "clause"):
            surface.update(_split_words(item, side)[0])
    analysed = _analyse(texts, surface)

    done: dict[tuple[str, str], dict[str, list[Span]]] = {}
    for m, item in pairs:
        key = (m["id"], item["clause"])
        if key not in done:
            article, clause = clause_of[item["clause"]]
            done[key] = highlight(item, m["text"], m["text_zh"], clause.text, article.title, analysed)
        item["highlight"] = done[key]
