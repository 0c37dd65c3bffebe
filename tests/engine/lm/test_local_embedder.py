"""Embeddings from the real bundled model (a llama.cpp server in embedding mode): no stubs."""

from __future__ import annotations

import math

import pytest

import dspex

pytestmark = pytest.mark.local_model


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_the_local_model_embeds_texts_into_one_vector_each():
    embedder = dspex.Embedder("local/gemma-3-270m", cache=False)
    texts = ["a gem of a film", "a gem of a film", "the tax code of 1986"]
    first, again, other = embedder(texts)
    assert len(first) == len(other) == 640  # gemma-3-270m's hidden size, mean-pooled over tokens
    assert all(math.isfinite(x) for x in first)
    assert first == again
    assert _cosine(first, other) < 0.9999
