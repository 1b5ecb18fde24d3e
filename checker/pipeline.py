"""The stages in order: load -> analyse -> signals -> matrix -> decide.

The CLI, `explain` and the tests all go through `run`, so there is one way the matrix is built.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from checker import signals as sig
from checker.concepts import Concept, ConceptTagger, Tagging, load_concepts
from checker.config import Config
from checker.corpus import Article, Clause, Corpus, Measure, expand_measure_paths, load_corpus
from checker.decide import Decision, decide
from checker.decisions import Ledger, load_ledger
from checker.errors import InputError
from checker.matrix import AlignmentMatrix, build
from checker.text import analyse


def article_of(ident: str, article_ids: set[str]) -> str | None:
    """`cptpp:14.11.2` -> `cptpp:14.11`; `cptpp:annex-11-B.B.1` -> `cptpp:annex-11-B`."""
    probe = ident
    while probe:
        if probe in article_ids:
            return probe
        if "." not in probe.split(":", 1)[-1]:
            return None
        probe = probe.rsplit(".", 1)[0]
    return None


@dataclass
class Side:
    """One side of the matrix after analysis: content lemmas and concept tags per text."""

    ids: list[str]
    lemmas: list[tuple[str, ...]]
    tags: list[Tagging]
    has_english: np.ndarray


@dataclass
class Run:
    config: Config
    corpus: Corpus
    concepts: list[Concept]
    measures: Side
    clauses: Side
    matrix: AlignmentMatrix
    decision: Decision
    ledger: Ledger | None = None
    timings: dict[str, float] = field(default_factory=dict)
    tagger: ConceptTagger | None = None  # built once per run; the crosswalk reuses it

    @cached_property
    def homes(self) -> dict[str, tuple[str, ...]]:
        """Concept id -> the articles its `see` names (what the anchor signal scores)."""
        return concept_homes(self.concepts, self.matrix.article_ids)


def concept_homes(concepts: Sequence[Concept], article_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each concept's home articles in `see` order (the first counts most), paragraph ids mapped
    to their article and each article once."""
    known = set(article_ids)
    return {c.id: tuple(dict.fromkeys(a for ref in c.see if (a := article_of(ref, known)) is not None))
            for c in concepts}


def clause_text(article: Article, clause: Clause) -> str:
    # The article title names the subject of every paragraph under it.
    return f"{article.title}. {clause.text}"


def english_only(has_english: np.ndarray) -> dict[str, np.ndarray]:
    """Signals that read the English text: a measure with only Chinese text cannot have them."""
    return {"lexical": has_english, "fuzzy": has_english, "semantic": has_english}


def analyse_side(ids: Sequence[str], texts: Sequence[str | None], texts_zh: Sequence[str | None],
                 tagger: ConceptTagger | None) -> Side:
    analysed = analyse(texts, texts_zh)
    tags = tagger.tag(analysed) if tagger else [Tagging({}) for _ in analysed]
    return Side(list(ids), [a.lemmas for a in analysed], tags,
                np.array([bool(t) for t in texts], dtype=bool))


def load(config: Config) -> tuple[Corpus, list[Concept]]:
    if not config.rules:
        raise InputError("no rules directories: pass --rules DIR or set rules in [tool.rulealign]")
    if not config.measures:
        raise InputError("no measures: pass --measures FILE or set measures in [tool.rulealign]")
    # The decisions ledger may sit among the plans (measures/decisions.yaml); it is not a plan.
    paths = expand_measure_paths(config.measures, exclude=[config.decisions] if config.decisions else [])
    if not paths:
        raise InputError(f"no measures files match {', '.join(config.measures)}")
    corpus = load_corpus(config.rules, paths)
    concepts = load_concepts(config.concepts) if config.concepts else []
    return corpus, concepts


def analyse_corpus(corpus: Corpus, tagger: ConceptTagger | None) -> tuple[Side, Side]:
    measures: list[Measure] = corpus.measures
    m_side = analyse_side([m.id for m in measures], [m.text for m in measures],
                          [m.text_zh for m in measures], tagger)
    pairs = [(a, c) for a in corpus.articles for c in a.clauses]
    c_side = analyse_side([c.id for _, c in pairs], [clause_text(a, c) for a, c in pairs],
                          [None] * len(pairs), tagger)
    return m_side, c_side


def score(m_side: Side, c_side: Side, concepts: Sequence[Concept], article_ids: Sequence[str],
          clause_article: np.ndarray) -> dict[str, np.ndarray]:
    """Every signal as a measures x clauses matrix, each computed in one call."""
    index = {c.id: i for i, c in enumerate(concepts)}
    art_pos = {a: i for i, a in enumerate(article_ids)}
    by_concept = concept_homes(concepts, article_ids)
    homes = [[art_pos[a] for a in by_concept[c.id]] for c in concepts]
    c_tags = [t.found for t in c_side.tags]
    m_tags = [t.found for t in m_side.tags]
    idf = sig.concept_idf(c_tags, index)
    return {
        "lexical": sig.lexical(m_side.lemmas, c_side.lemmas),
        "concept": sig.concept(m_tags, c_tags, index, idf),
        "anchor": sig.anchor(m_tags, index, homes, clause_article, len(article_ids), idf),
        "fuzzy": sig.fuzzy(m_side.lemmas, c_side.lemmas),
        "scope": sig.scope(m_tags, [t.outside for t in m_side.tags], len(c_side.ids)),
    }


def run(config: Config, retired: frozenset[str] = frozenset()) -> Run:
    """`retired`: ids the baseline knows that may have left the corpus (their stamps are set aside)."""
    t = time.perf_counter()
    corpus, concepts = load(config)
    return run_loaded(config, corpus, concepts, retired, {"load": time.perf_counter() - t})


def run_loaded(config: Config, corpus: Corpus, concepts: Sequence[Concept], retired: frozenset[str] = frozenset(),
               timings: dict[str, float] | None = None) -> Run:
    """The stages after loading, for callers that prepare the corpus themselves (evaluation)."""
    timings = dict(timings or {})
    t = time.perf_counter()
    tagger = ConceptTagger(concepts) if concepts else None
    m_side, c_side = analyse_corpus(corpus, tagger)
    timings["analyse"] = time.perf_counter() - t

    articles = corpus.articles
    art_index = {a.id: i for i, a in enumerate(articles)}
    clause_article = np.array([art_index[c.article_id] for a in articles for c in a.clauses], dtype=int)
    t = time.perf_counter()
    signals = score(m_side, c_side, concepts, [a.id for a in articles], clause_article)
    if config.semantic:
        from checker import semantic

        signals["semantic"] = semantic.similarity(
            semantic.pipeline(), [m.text for m in corpus.measures],
            [clause_text(a, c) for a in articles for c in a.clauses])
    timings["signals"] = time.perf_counter() - t

    t = time.perf_counter()
    english = m_side.has_english
    chapters = [ch.id for ag in corpus.agreements for ch in ag.chapters]
    ch_index = {c: i for i, c in enumerate(chapters)}
    article_chapter = np.array([ch_index[a.chapter] for a in articles], dtype=int)
    matrix = build(m_side.ids, c_side.ids, [a.id for a in articles], clause_article, signals,
                   config.weights, english_only(english), config.confidence,
                   chapters, article_chapter)
    timings["matrix"] = time.perf_counter() - t

    t = time.perf_counter()
    ledger = None
    if config.decisions is not None:
        ledger = load_ledger(config.decisions, [m.id for m in corpus.measures], [a.id for a in articles], retired)
    decision = decide(matrix, corpus, config.threshold, config.top, config.targets, ledger)
    timings["decide"] = time.perf_counter() - t
    return Run(config, corpus, list(concepts), m_side, c_side, matrix, decision, ledger, timings, tagger)
