"""Metrics: normalisation, exact match, token F1, passage match."""

from __future__ import annotations

import pytest

import dspex
from dspex.evaluate import normalize_text, token_f1


def test_normalisation_drops_case_punctuation_articles_and_extra_spaces():
    assert normalize_text("  The  Eiffel-Tower, in PARIS! ") == "eiffeltower in paris"


@pytest.mark.parametrize(
    ("gold", "guess", "expected"),
    [("Paris", "paris.", True), ("Paris", "Paris, France", False), (["NYC", "New York"], "new york", True)],
)
def test_exact_match_compares_normalised_answers(gold, guess, expected):
    example, pred = dspex.Example(answer=gold), dspex.Prediction(answer=guess)
    assert dspex.answer_exact_match(example, pred) is expected


def test_exact_match_with_frac_accepts_a_close_enough_answer():
    example, pred = dspex.Example(answer="the city of Paris"), dspex.Prediction(answer="city Paris France")
    assert dspex.answer_exact_match(example, pred, frac=0.5)
    assert not dspex.answer_exact_match(example, pred)


def test_token_f1_counts_overlapping_tokens():
    assert token_f1("Paris France", "Paris") == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert token_f1("Rome", "Paris") == 0.0
    assert dspex.f1_score(dspex.Example(answer=["Rome", "Paris"]), dspex.Prediction(answer="Paris")) == 1.0


def test_passage_match_looks_for_the_answer_in_the_retrieved_context():
    example = dspex.Example(answer="Paris")
    assert dspex.answer_passage_match(example, dspex.Prediction(context=["Berlin is big.", "Paris, France."]))
    assert not dspex.answer_passage_match(example, dspex.Prediction(context=["Berlin is big."]))
