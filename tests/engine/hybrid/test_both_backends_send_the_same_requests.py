"""PARITY: the same program on the native and the dspy backend sends the same messages (as the stub
server recorded them) and returns equal outputs."""

from __future__ import annotations

from typing import Literal

import pytest

import dspex
from tests.engine.hybrid.helpers import reply, requests_by_backend, token_limit

pytestmark = pytest.mark.dspy


class Classify(dspex.Signature):
    """Classify the sentiment of a sentence.
    Answer with one of the labels."""

    sentence: str = dspex.InputField(desc="a movie review sentence")
    label: Literal["positive", "negative"] = dspex.OutputField(desc="the sentiment")
    confident: bool = dspex.OutputField()


CASES = [
    (
        "question -> answer: int",
        {"question": "2+2?"},
        [dspex.Example(question="1+1?", answer=2), dspex.Example(question="3+3?", answer=6)],
        {"answer": 4},
    ),
    (
        "topic -> keywords: list[str]",
        {"topic": "cooking"},
        [dspex.Example(topic="sport", keywords=["ball", "team"])],
        {"keywords": ["pan", "salt"]},
    ),
    (
        Classify,
        {"sentence": "a gem of a film"},
        [dspex.Example(sentence="dull and long", label="negative", confident=True)],
        {"label": "positive", "confident": False},
    ),
    (
        "context: list[str], question -> answer",
        {"context": ["Paris is in France."], "question": "Where is Paris?"},
        [dspex.Example(question="Where is Rome?", answer="Italy")],  # an incomplete demo
        {"answer": "France"},
    ),
]


def run_both(module, inputs, stub, lm):
    native = module(**inputs, lm=lm)
    theirs = module(**inputs, lm=lm, backend="dspy")
    return native, theirs, *requests_by_backend(stub)


def assert_same_request(native_body, dspy_body):
    assert native_body["messages"] == dspy_body["messages"]
    assert native_body["model"] == dspy_body["model"]
    assert native_body.get("temperature") == dspy_body.get("temperature")
    assert native_body.get("stop") == dspy_body.get("stop")
    assert token_limit(native_body) == token_limit(dspy_body)


@pytest.mark.parametrize(("spec", "inputs", "demos", "outputs"), CASES)
def test_predict_sends_the_same_messages_and_returns_the_same_outputs(
    spec, inputs, demos, outputs, openai_stub, make_stub_lm
):
    lm = make_stub_lm(temperature=0.0, max_tokens=200, stop=["[[ ## completed ## ]]"])
    openai_stub.set_default(reply(**{k: v for k, v in outputs.items()}))
    predict = dspex.Predict(spec)
    predict.demos = demos

    native, theirs, native_body, dspy_body = run_both(predict, inputs, openai_stub, lm)

    assert_same_request(native_body, dspy_body)
    assert native.to_dict() == theirs.to_dict() == outputs
    assert dspex.hybrid.attempts_of(theirs)[0]["backend"] == "dspy"
    assert dspex.hybrid.attempts_of(native)[0]["backend"] == "native"


@pytest.mark.parametrize(("spec", "inputs", "demos", "outputs"), CASES)
def test_chain_of_thought_sends_the_same_messages_and_returns_the_same_outputs(
    spec, inputs, demos, outputs, openai_stub, make_stub_lm
):
    lm = make_stub_lm(temperature=0.0, max_tokens=200)
    openai_stub.set_default(reply(reasoning="Step by step.", **outputs))
    cot = dspex.ChainOfThought(spec)
    cot.predict.demos = [d.copy(reasoning="Because.") for d in demos]

    native, theirs, native_body, dspy_body = run_both(cot, inputs, openai_stub, lm)

    assert_same_request(native_body, dspy_body)
    assert native.to_dict() == theirs.to_dict() == {"reasoning": "Step by step.", **outputs}


def test_changed_instructions_and_prefixes_reach_dspy(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    openai_stub.set_default(reply(answer="Lyon"))
    predict = dspex.Predict("question -> answer")
    state = predict.dump_state()
    state["signature"]["instructions"] = "Answer in one word.\nNever explain."
    state["signature"]["fields"][1]["description"] = "a single word"
    predict.load_state(state)

    native, theirs, native_body, dspy_body = run_both(predict, {"question": "A city?"}, openai_stub, lm)

    assert "Never explain." in dspy_body["messages"][0]["content"]
    assert "a single word" in dspy_body["messages"][0]["content"]
    assert native_body["messages"] == dspy_body["messages"]
    assert native.answer == theirs.answer == "Lyon"


def test_the_json_adapter_is_used_on_both_backends(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    openai_stub.set_default('{"answer": 4}')
    predict = dspex.Predict("question -> answer: int")

    with dspex.context(adapter=dspex.JSONAdapter()):
        native, theirs, native_body, dspy_body = run_both(predict, {"question": "2+2?"}, openai_stub, lm)

    assert native_body["messages"] == dspy_body["messages"]
    # dspy sends a response_format only to models its capability table knows; dspex always does.
    assert native_body["response_format"]["type"] == "json_schema"
    assert native.answer == theirs.answer == 4


def test_several_completions_come_back_from_dspy_as_completions(openai_stub, make_stub_lm):
    lm = make_stub_lm(n=2, temperature=0.7)
    openai_stub.set_default([reply(answer="a"), reply(answer="b")])
    predict = dspex.Predict("question -> answer")

    native, theirs, native_body, dspy_body = run_both(predict, {"question": "q"}, openai_stub, lm)

    assert native_body["messages"] == dspy_body["messages"]
    assert native.completions.answer == theirs.completions.answer == ["a", "b"]


async def test_async_calls_send_the_same_messages(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    openai_stub.set_default(reply(reasoning="r", answer="4"))
    cot = dspex.ChainOfThought("question -> answer")

    native = await cot.acall(question="2+2?", lm=lm)
    theirs = await cot.acall(question="2+2?", lm=lm, backend="dspy")

    native_body, dspy_body = requests_by_backend(openai_stub)
    assert native_body["messages"] == dspy_body["messages"]
    assert native.to_dict() == theirs.to_dict()
    assert dspex.hybrid.attempts_of(theirs)[0]["backend"] == "dspy"


def test_a_dspy_call_is_recorded_in_the_trace_like_a_native_one(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    openai_stub.set_default(reply(reasoning="r", answer="4"))
    cot = dspex.ChainOfThought("question -> answer")
    trace = []

    with dspex.context(trace=trace):
        cot(question="2+2?", lm=lm, backend="dspy")

    assert len(trace) == 1
    predictor, inputs, prediction = trace[0]
    assert predictor is cot.predict
    assert inputs == {"question": "2+2?"}
    assert prediction.answer == "4"


def test_a_custom_rationale_field_reaches_dspy(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    openai_stub.set_default(reply(reasoning="r", answer="a"))
    cot = dspex.ChainOfThought(
        "question -> answer", rationale_field=dspex.OutputField(desc="think it through")
    )

    native, theirs, native_body, dspy_body = run_both(cot, {"question": "q"}, openai_stub, lm)

    assert "think it through" in dspy_body["messages"][0]["content"]
    assert native_body["messages"] == dspy_body["messages"]
    assert native.to_dict() == theirs.to_dict()
