"""MultiChainComparison shows M attempts to the LM and asks for a corrected answer."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat, user_message

ATTEMPTS = [
    {"reasoning": "2 plus 2 is 4.\nMore text.", "answer": "4"},
    {"reasoning": "Adding gives 5.", "answer": "5"},
    dspex.Prediction(reasoning="Two and two make four.", answer="4"),
]


def test_it_formats_each_attempt_and_predicts_a_rationale_and_the_answer(openai_stub, stub_lm):
    openai_stub.script(chat(rationale="Most attempts say 4.", answer="4"))
    compare = dspex.MultiChainComparison("question -> answer: int", M=3)
    pred = compare(ATTEMPTS, question="2+2?", lm=stub_lm)

    assert (pred.rationale, pred.answer) == ("Most attempts say 4.", 4)
    request = openai_stub.completion_requests()[0]
    message = user_message(request)
    assert (
        "[[ ## reasoning_attempt_1 ## ]]\n«I'm trying to 2 plus 2 is 4. I'm not sure but my prediction is 4»"
    ) in message
    assert (
        "[[ ## reasoning_attempt_2 ## ]]\n«I'm trying to Adding gives 5. I'm not sure but my prediction is 5»"
        in (message)
    )
    assert request.json["temperature"] == 0.7
    assert list(compare.predict.signature.output_fields) == ["rationale", "answer"]


def test_it_takes_the_completions_of_a_prediction(openai_stub, stub_lm):
    openai_stub.script(chat(rationale="r", answer="4"))
    sampled = dspex.Prediction.from_completions(ATTEMPTS[:2])
    pred = dspex.MultiChainComparison("question -> answer", M=2)(sampled, question="q", lm=stub_lm)
    assert pred.answer == "4"


async def test_it_runs_asynchronously(openai_stub, stub_lm):
    openai_stub.script(chat(rationale="r", answer="4"))
    compare = dspex.MultiChainComparison("question -> answer", M=3)
    assert (await compare.acall(ATTEMPTS, question="q", lm=stub_lm)).answer == "4"


def test_the_number_of_attempts_must_match_m():
    compare = dspex.MultiChainComparison("question -> answer", M=3)
    with pytest.raises(ValueError, match="built for M=3 attempts but got 2"):
        compare(ATTEMPTS[:2], question="q")
    with pytest.raises(ValueError, match="needs a `reasoning`"):
        dspex.MultiChainComparison("question -> answer", M=1)([{"answer": "4"}], question="q")
