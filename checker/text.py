"""Stage 2: turn texts into content lemmas with spaCy (blank pipelines, lookup lemmatizer).

No trained pipeline and no download: `spacy.blank("en")` with the lookup tables that
spacy-lookups-data installs, and `spacy.blank("zh")` (character segmentation) for Chinese.
Texts go through `nlp.pipe` in batches; treaty boilerplate is cut before lemmas are counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

BATCH = 256

# Phrases that say nothing about the subject of a clause. They are cut before lemmatising; the
# remaining corpus-wide frequent lemmas are discounted by IDF (signals.py).
BOILERPLATE = [
    r"each party shall",
    r"the parties shall",
    r"a party shall",
    r"for greater certainty",
    r"nothing in this (?:chapter|agreement|article|section|annex) shall be construed (?:to|as)",
    r"nothing in this (?:chapter|agreement|article|section|annex)",
    r"for the purposes? of this (?:chapter|agreement|article|section|annex)",
    r"in accordance with (?:its|their) (?:law|laws|legal system|laws and regulations)",
    r"subject to (?:paragraph|article|sub-?paragraph)s? [\w.()]+",
    r"(?:article|paragraph|sub-?paragraph|annex|chapter|section) [\w.()-]*\d[\w.()-]*",
    r"\([a-z]{1,4}\)",
]
_BOILERPLATE_RE = re.compile("|".join(f"(?:{b})" for b in BOILERPLATE))

# Words that carry no subject matter in either treaties or measures.
EXTRA_STOP = {
    "party", "parties", "shall", "chapter", "article", "paragraph", "subparagraph", "agreement",
    "annex", "section", "pursuant", "provided", "accordance", "respect", "relevant", "include",
    "including", "otherwise", "thereof", "therein", "whereby", "apply", "ensure", "measure",
    "adopt", "maintain", "provide", "certain", "particular", "appropriate", "referred",
    "endeavour", "endeavor", "undertake", "accord", "manner", "basis", "extent", "purpose",
    "pilot", "explore", "support", "promote", "zone", "area", "china", "chinese", "beijing",
    "shanghai", "city", "plan", "allow", "permit", "relate", "way", "new", "make",
}

# British spellings and stray lemmas mapped to one form, so both corpora meet.
SPELLING = {
    "centre": "center", "programme": "program", "licence": "license", "labour": "labor",
    "favour": "favor", "behaviour": "behavior", "defence": "defense", "datum": "data",
    "endeavour": "endeavor", "recognise": "recognize", "authorise": "authorize",
    "organise": "organize", "harmonise": "harmonize", "minimise": "minimize",
    "utilise": "utilize", "digitalise": "digitalize", "digitise": "digitize",
    "prioritise": "prioritize", "standardise": "standardize", "localise": "localize",
    "emphasise": "emphasize", "optimise": "optimize", "finalise": "finalize",
    "liberalise": "liberalize", "characterise": "characterize", "modernise": "modernize",
}

_TOKEN_OK = re.compile(r"[a-z][a-z0-9'-]*[a-z0-9]|[a-z]|\d{2,}")


@lru_cache(maxsize=1)
def english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def chinese() -> Language:
    return spacy.blank("zh")


def normalise_lemma(lemma: str) -> str:
    lemma = lemma.lower().strip("'-")
    lemma = SPELLING.get(lemma, lemma)
    if lemma.endswith("isation"):
        lemma = lemma[: -len("isation")] + "ization"
    elif lemma.endswith("isations"):
        lemma = lemma[: -len("isations")] + "ization"
    return lemma


def clean(text: str) -> str:
    """Lower-case and cut boilerplate, keeping the rest of the text in place."""
    text = " ".join(text.lower().replace("’", "'").split())
    return _BOILERPLATE_RE.sub(" ", text)


def content_lemmas(doc: Doc) -> list[str]:
    out = []
    for tok in doc:
        if tok.is_punct or tok.is_space:
            continue
        lemma = normalise_lemma(tok.lemma_ or tok.text)
        if not _TOKEN_OK.fullmatch(lemma):
            continue
        if lemma in STOP_WORDS or lemma in EXTRA_STOP or tok.lower_ in STOP_WORDS:
            continue
        out.append(lemma)
    return out


@dataclass(frozen=True)
class Analysed:
    """What later stages need of one text: its content lemmas, and its spaCy doc for tagging."""

    lemmas: tuple[str, ...]
    doc: Doc | None
    zh_doc: Doc | None


def analyse(texts: Sequence[str | None], texts_zh: Sequence[str | None] | None = None) -> list[Analysed]:
    """Analyse parallel lists of English and (optional) Chinese texts in batches."""
    texts_zh = texts_zh if texts_zh is not None else [None] * len(texts)
    en_idx = [i for i, t in enumerate(texts) if t]
    zh_idx = [i for i, t in enumerate(texts_zh) if t]
    en_docs: dict[int, Doc] = dict(
        zip(en_idx, english().pipe((clean(texts[i]) for i in en_idx), batch_size=BATCH))
    )
    zh_docs: dict[int, Doc] = dict(
        zip(zh_idx, chinese().pipe((texts_zh[i] for i in zh_idx), batch_size=BATCH))
    )
    out = []
    for i in range(len(texts)):
        doc = en_docs.get(i)
        out.append(Analysed(tuple(content_lemmas(doc)) if doc is not None else (), doc, zh_docs.get(i)))
    return out


def terms(lemmas: Iterable[str]) -> list[str]:
    """Unigrams and adjacent bigrams: 'single window' and 'computing facility' count as terms."""
    lem = list(lemmas)
    return lem + [f"{a} {b}" for a, b in zip(lem, lem[1:])]
