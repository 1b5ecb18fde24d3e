"""Stage 3: similarity signals, each a whole (measures x clauses) matrix in [0, 1].

Every signal is computed in one call over the whole matrix (sparse products, rapidfuzz's
C++ `cdist`), never in a Python loop over measure-clause pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

# Lemmas found in more than this share of clauses are boilerplate for the fuzzy signal.
FUZZY_MAX_DF = 0.08


def lexical(measure_lemmas: Sequence[Sequence[str]], clause_lemmas: Sequence[Sequence[str]],
            k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """Okapi BM25 of each clause for each measure's content lemmas, scaled into [0, 1]. IDF from the
    clauses discounts treaty boilerplate; term frequency saturates and long clauses are discounted.
    (It replaced a TF-IDF cosine over uni- and bigrams: cross-validated on 190 labelled measures,
    hit@1 0.825 -> 0.842, MRR 0.894 -> 0.906, aligned F1 0.920 -> 0.942.)"""
    index: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(clause_lemmas):
        for t, c in Counter(doc).items():
            rows.append(i)
            cols.append(index.setdefault(t, len(index)))
            vals.append(c)
    n = max(len(clause_lemmas), 1)
    df = np.bincount(np.asarray(cols, dtype=int), minlength=len(index)).astype(float)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    lengths = np.array([len(doc) for doc in clause_lemmas], dtype=float)
    tf = sparse.csr_matrix((vals, (rows, cols)), shape=(len(clause_lemmas), len(index)))
    avg = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
    norm = k1 * (1 - b + b * lengths / avg)
    tf = tf.tocoo()
    sat = sparse.csr_matrix((tf.data * (k1 + 1) / (tf.data + norm[tf.row]), (tf.row, tf.col)), shape=tf.shape)
    q_rows, q_cols = [], []
    for i, doc in enumerate(measure_lemmas):
        for j in {index[t] for t in doc if t in index}:
            q_rows.append(i)
            q_cols.append(j)
    q = sparse.csr_matrix((idf[q_cols], (q_rows, q_cols)), shape=(len(measure_lemmas), len(index)))
    scores = np.asarray((q @ sat.T).todense())
    # Scaled by the geometric mean of the measure's best clause score and its ideal score (a clause
    # of average length holding each of its words once; words no clause has count at the highest
    # IDF): the best clause of a measure that shares much scores near 1, that of a measure about
    # planting trees that shares only "financial" stays low. (Dividing by either alone did no
    # better held out.)
    unseen = np.log(1.0 + (n + 0.5) / 0.5)
    ideal = np.asarray(q.sum(axis=1)).ravel() + unseen * np.array(
        [len({t for t in doc if t not in index}) for doc in measure_lemmas], dtype=float)
    top = scores.max(axis=1)
    scale = np.sqrt(np.maximum(top, 1e-12) * np.where(ideal == 0, 1.0, ideal))
    return np.clip(scores / scale[:, None], 0.0, 1.0)


def fuzzy_strings(lemma_lists: Sequence[Sequence[str]], common: set[str]) -> list[str]:
    return [" ".join(t for t in lem if t not in common) for lem in lemma_lists]


def common_lemmas(clause_lemmas: Sequence[Sequence[str]], max_df: float = FUZZY_MAX_DF) -> set[str]:
    df: dict[str, int] = {}
    for doc in clause_lemmas:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    limit = max(max_df * len(clause_lemmas), 3)  # a tiny corpus has no boilerplate to speak of
    return {t for t, n in df.items() if n > limit}


def fuzzy(measure_lemmas: Sequence[Sequence[str]], clause_lemmas: Sequence[Sequence[str]]) -> np.ndarray:
    """rapidfuzz token_set_ratio over normalised lemma strings, without corpus-frequent lemmas."""
    common = common_lemmas(clause_lemmas)
    queries = fuzzy_strings(measure_lemmas, common)
    choices = fuzzy_strings(clause_lemmas, common)
    scores = process.cdist(queries, choices, scorer=fuzz.token_set_ratio, processor=None,
                           workers=-1, dtype=np.uint8)
    return scores.astype(np.float64) / 100.0


def concept_matrix(tags: Sequence[Sequence[str]], concept_index: dict[str, int],
                   weights: np.ndarray | None = None) -> sparse.csr_matrix:
    rows, cols = [], []
    for i, found in enumerate(tags):
        for cid in found:
            j = concept_index.get(cid)
            if j is not None:
                rows.append(i)
                cols.append(j)
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(tags), len(concept_index)))
    if weights is not None:
        m = m @ sparse.diags(weights)
    return m.tocsr()


def concept_idf(clause_tags: Sequence[Sequence[str]], concept_index: dict[str, int]) -> np.ndarray:
    df = np.asarray(concept_matrix(clause_tags, concept_index).sum(axis=0)).ravel()
    n = max(len(clause_tags), 1)
    return np.log((n + 1) / (df + 1)) + 1.0


def concept(measure_tags: Sequence[Sequence[str]], clause_tags: Sequence[Sequence[str]],
            concept_index: dict[str, int], idf: np.ndarray | None = None) -> np.ndarray:
    """Shared trade-rule concepts, IDF-weighted: the mean of how much of the measure's concept
    weight the clause carries (coverage) and the cosine of the two concept vectors (which keeps a
    clause tagged with everything from matching every measure)."""
    idf = idf if idf is not None else concept_idf(clause_tags, concept_index)
    m = concept_matrix(measure_tags, concept_index, idf)
    c = concept_matrix(clause_tags, concept_index, idf)
    shared = np.asarray((m @ c.T).todense())  # sum of idf^2 over shared concepts
    m_sq = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    c_sq = np.asarray(c.multiply(c).sum(axis=1)).ravel()
    coverage = shared / np.where(m_sq == 0, 1.0, m_sq)[:, None]
    cosine = shared / np.sqrt(np.outer(np.where(m_sq == 0, 1.0, m_sq), np.where(c_sq == 0, 1.0, c_sq)))
    return 0.5 * coverage + 0.5 * cosine


# Each further home article of a concept counts a little less: the lexicon lists the article that
# disciplines a concept first (`see: [cptpp:14.11, depa:4.3, ...]`).
HOME_DECAY = 0.85


def anchor(measure_tags: Sequence[Sequence[str]], concept_index: dict[str, int],
           concept_homes: Sequence[Sequence[int]], clause_article: np.ndarray, n_articles: int,
           weights: np.ndarray | None = None, decay: float = HOME_DECAY) -> np.ndarray:
    """Where the measure's concepts live in the treaty: the lexicon names, for each concept, the
    articles that discipline it (`see`, primary first). The share of a measure's (IDF-weighted)
    concepts that have their home in a clause's article — a trade lawyer's index, as a signal."""
    m = concept_matrix(measure_tags, concept_index, weights)
    rows, cols, vals = [], [], []
    for c, homes in enumerate(concept_homes):
        for k, a in enumerate(homes):  # each article once (pipeline.concept_homes)
            rows.append(c)
            cols.append(a)
            vals.append(decay**k)
    homes = sparse.csr_matrix((vals, (rows, cols)), shape=(len(concept_index), n_articles))
    per_article = np.asarray((m @ homes).todense())
    total = np.asarray(m.sum(axis=1)).ravel()
    total[total == 0] = 1.0
    return (per_article / total[:, None])[:, clause_article]


def scope(measure_tags: Sequence[Mapping[str, Sequence[str]]], measure_outside: Sequence[Mapping[str, Sequence[str]]],
          n_clauses: int) -> np.ndarray:
    """How much of what a measure does the agreements discipline at all: the share of its concepts
    that are trade-rule concepts rather than out-of-scope markers (grants, rent subsidies, trade
    fairs, building a park). 1 for a measure with no marker. The same for every clause: it moves a
    measure's scores against the threshold (aligned or not) and never changes their order."""
    rules = np.array([len(t) for t in measure_tags], dtype=float)
    outside = np.array([len(o) for o in measure_outside], dtype=float)
    total = rules + outside
    share = np.where(total == 0, 1.0, rules / np.where(total == 0, 1.0, total))
    return np.repeat(share[:, None], n_clauses, axis=1)
