"""TwoStepAdapter: dspy's prose prompt byte for byte, then an extraction model reads the answer."""

from __future__ import annotations

import pytest

import dspex
from dspex.adapters.two_step_adapter import extractor_signature
from dspex.utils import DummyLM
from tests.engine.adapters.parity_cases import signatures

CASES = [
    pytest.param(
        "question -> answer", {"question": "Q2"}, [{"question": "Q1", "answer": "A1"}], id="qa-demo"
    ),
    pytest.param("a: int, b: list[str] -> c: bool, d: float", {"a": 3, "b": ["x", "y"]}, [], id="typed"),
    pytest.param(
        "q, ctx -> answer, score: float", {"q": "Q"}, [{"q": "Q0", "answer": "A0"}], id="incomplete"
    ),
]


@pytest.mark.dspy
@pytest.mark.parametrize(("spec", "inputs", "demos"), CASES)
def test_the_first_prompt_matches_dspy_byte_for_byte(spec, inputs, demos):
    import dspy

    theirs_sig, ours_sig = signatures(spec)
    theirs = dspy.TwoStepAdapter(dspy.utils.DummyLM([{}])).format(theirs_sig, demos, inputs)

    assert dspex.TwoStepAdapter(DummyLM([{}])).format(ours_sig, demos, inputs) == theirs


@pytest.mark.dspy
@pytest.mark.parametrize("spec", ["q -> answer", "q -> tags: list[str], confidence: float"])
def test_the_extraction_prompt_matches_dspy_byte_for_byte(spec):
    import dspy

    theirs_sig, ours_sig = signatures(spec)
    theirs = dspy.TwoStepAdapter(dspy.utils.DummyLM([{}]))._create_extractor_signature(theirs_sig)
    ours = extractor_signature(ours_sig)

    assert ours.instructions == theirs.instructions
    assert dspex.ChatAdapter().format(ours, [], {"text": "T"}) == dspy.ChatAdapter().format(
        theirs, [], {"text": "T"}
    )


def test_a_prediction_goes_through_both_models():
    main = DummyLM([{"answer": "It is Paris, of course."}])
    extraction = DummyLM([{"answer": "Paris", "confidence": "0.9"}])
    predict = dspex.Predict("question -> answer, confidence: float")

    with dspex.context(lm=main, adapter=dspex.TwoStepAdapter(extraction)):
        result = predict(question="Capital of France?")

    assert (result.answer, result.confidence) == ("Paris", 0.9)
    first = main.history[0]["messages"]
    assert first[0]["content"].startswith("You are a helpful assistant that can solve tasks")
    assert first[1]["content"] == "question: Capital of France?"
    assert "[[ ## text ## ]]" in extraction.history[0]["messages"][-1]["content"]


async def test_the_async_call_goes_through_both_models():
    main = DummyLM([{"answer": "prose"}])
    extraction = DummyLM([{"answer": "42"}])
    predict = dspex.Predict("question -> answer: int")

    with dspex.context(lm=main, adapter=dspex.TwoStepAdapter(extraction)):
        result = await predict.acall(question="?")

    assert result.answer == 42
    assert len(main.history) == 1 and len(extraction.history) == 1


def test_an_extraction_that_does_not_parse_is_a_two_step_parse_error():
    class Unparseable(DummyLM):
        def __call__(self, prompt=None, messages=None, **kwargs):
            return ["nothing structured here"]

    adapter = dspex.TwoStepAdapter(Unparseable([{}]))

    with pytest.raises(dspex.AdapterParseError, match="Failed to parse response") as info:
        adapter.parse(dspex.Signature("q -> a: int"), "the main answer")

    assert info.value.adapter_name == "TwoStepAdapter"
    assert info.value.lm_response == "the main answer"


def test_the_extraction_model_must_be_an_lm():
    with pytest.raises(ValueError, match="extraction_model must be an LM"):
        dspex.TwoStepAdapter("openai/gpt-4o-mini")
