"""The optional semantic signal: spaCy vectors through user_hooks, batched, cached on disk by text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy

from checker import semantic


def letter_counts(texts: list[str]) -> np.ndarray:
    """A stand-in embedding for the caching mechanics (the real model is an optional extra)."""
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return out


def test_component_sets_vectors_in_batches_and_caches_them(tmp_path: Path) -> None:
    calls: list[int] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return letter_counts(texts)

    nlp = spacy.blank("en")
    component = semantic.SentenceVectors(tmp_path, embed)
    texts = ["single window", "data centres", "patent term"]
    docs = list(component.pipe(nlp.tokenizer.pipe(texts), batch_size=2))
    assert calls == [2, 1]  # one call per batch, never one per text
    assert docs[0].has_vector and np.allclose(docs[0].vector, letter_counts(["single window"])[0])
    # a second run embeds nothing: every text comes from the disk cache
    again = semantic.SentenceVectors(tmp_path, embed)
    list(again.pipe(nlp.tokenizer.pipe(texts)))
    assert again.computed == 0 and calls == [2, 1]
    assert len(list((tmp_path / semantic.MODEL_NAME).rglob("*.npy"))) == 3
    # a text seen earlier in the same run is not embedded twice
    list(semantic.SentenceVectors(tmp_path, embed).pipe(nlp.tokenizer.pipe(["new text", "new text"])))
    assert calls == [2, 1, 1]


@pytest.mark.skipif(not semantic.available(), reason="the `semantic` extra is not installed")
def test_real_model_puts_a_data_export_measure_near_the_data_transfer_clause(tmp_path: Path) -> None:
    nlp = semantic.pipeline(tmp_path)
    sim = semantic.similarity(nlp, ["Let companies send customer data to servers abroad.", None],
                              ["Every Party must let firms move information across borders by electronic means.",
                               "Each Party shall protect geographical indications for wines."])
    assert sim.shape == (2, 2)
    assert sim[0, 0] > sim[0, 1] + 0.1
    assert not sim[1].any()  # no English text, no semantic signal
