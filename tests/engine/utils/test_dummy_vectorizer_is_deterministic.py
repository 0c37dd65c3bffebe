"""DummyVectorizer: unit-length hashed n-gram vectors, the same in every process."""

from __future__ import annotations

import random

import pytest

from dspex.utils import DummyVectorizer

numpy = pytest.importorskip("numpy")


def test_vectors_are_centred_unit_vectors_of_the_requested_length():
    vectors = DummyVectorizer(max_length=32)(["hello world", "another text"])
    assert vectors.shape == (2, 32)
    assert numpy.allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert numpy.allclose(vectors.mean(axis=1), 0.0, atol=1e-6)


def test_similar_texts_are_closer_than_different_ones():
    a, b, c = DummyVectorizer()(["the cat sat on the mat", "the cat sat on a mat", "quantum field theory"])
    assert a @ b > a @ c


def test_two_vectorizers_agree_and_leave_the_global_random_state_alone():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    first = DummyVectorizer()(["text"])
    assert random.random() == expected
    assert numpy.array_equal(first, DummyVectorizer()(["text"]))


@pytest.mark.dspy
def test_the_vectors_are_dspys():
    from dspy.utils.dummies import DummyVectorizer as DspyVectorizer

    texts = ["What is the capital of France?", "Paris", "a"]
    assert numpy.allclose(DummyVectorizer(64)(texts), DspyVectorizer(64)(texts), atol=1e-6)
