"""The dspy bridge converts signatures, LMs, examples and predictions both ways."""

from __future__ import annotations

import json
from typing import Literal

import pytest

import dspex
from dspex.hybrid import dspy_bridge
from tests.engine.hybrid.helpers import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.dspy


class Rate(dspex.Signature):
    """Rate the review.

    Be strict."""

    review: str = dspex.InputField(desc="the text", prefix="Review Text:")
    tags: list[str] = dspex.InputField(default=[])
    score: int = dspex.OutputField(desc="1 to 5", ge=1, le=5)
    label: Literal["good", "bad"] = dspex.OutputField()


def test_a_signature_keeps_fields_types_descriptions_prefixes_and_instructions():
    theirs = dspy_bridge.to_dspy_signature(Rate)

    assert theirs.instructions == Rate.instructions
    assert list(theirs.input_fields) == ["review", "tags"]
    assert list(theirs.output_fields) == ["score", "label"]
    assert theirs.output_fields["label"].annotation == Literal["good", "bad"]
    assert theirs.input_fields["review"].json_schema_extra["prefix"] == "Review Text:"
    assert theirs.output_fields["score"].json_schema_extra["desc"] == "1 to 5"
    assert theirs.output_fields["score"].json_schema_extra["constraints"] == (
        "greater than or equal to: 1, less than or equal to: 5"
    )
    assert theirs.dump_state() == Rate.dump_state()


def test_a_signature_comes_back_equal():
    assert dspy_bridge.from_dspy_signature(dspy_bridge.to_dspy_signature(Rate)) == Rate
    untyped = dspex.Signature("question, context -> answer")
    back = dspy_bridge.from_dspy_signature(dspy_bridge.to_dspy_signature(untyped))
    assert back == untyped
    assert back.fields["question"].type_undefined


def test_a_dspy_string_signature_converts_to_the_same_dspex_signature():
    import dspy

    theirs = dspy.Signature("context: list[str], question -> answer: int")
    assert dspy_bridge.from_dspy_signature(theirs) == dspex.Signature(
        "context: list[str], question -> answer: int"
    )


def test_an_lm_keeps_endpoint_and_generation_parameters(openai_stub, make_stub_lm):
    lm = make_stub_lm(temperature=0.3, max_tokens=77, stop=["END"], top_p=0.9)

    theirs = dspy_bridge.to_dspy_lm(lm)

    assert theirs.model == "openai/stub-model"
    assert theirs.kwargs["api_base"] == openai_stub.base_url
    assert theirs.kwargs["api_key"] == STUB_KEY  # read from the variable the dspex LM names
    assert theirs.kwargs["temperature"] == 0.3
    assert theirs.kwargs["stop"] == ["END"]
    assert theirs.kwargs["top_p"] == 0.9
    assert STUB_KEY not in json.dumps(theirs.dump_state())
    assert dspy_bridge.to_dspy_lm(lm) is theirs  # cached per configuration and key


def test_a_changed_key_gives_a_new_dspy_lm(make_stub_lm, monkeypatch):
    lm = make_stub_lm()
    first = dspy_bridge.to_dspy_lm(lm)
    monkeypatch.setenv("DSPEX_STUB_API_KEY", "sk-rotated-key-123456")
    second = dspy_bridge.to_dspy_lm(lm)
    assert second is not first and second.kwargs["api_key"] == "sk-rotated-key-123456"


def test_a_missing_key_is_the_same_error_as_natively(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(dspex.AuthenticationError, match="set the OPENAI_API_KEY environment variable"):
        dspy_bridge.to_dspy_lm(dspex.LM("openai/gpt-4o-mini"))


def test_an_lm_comes_back_from_dspy():
    import dspy

    back = dspy_bridge.from_dspy_lm(
        dspy.LM("openai/gpt-4o-mini", temperature=0.2, max_tokens=50, api_base="http://h:1/v1", cache=False),
        api_key_env="MY_KEY",
    )
    assert (back.model, back.base_url, back.api_key_env, back.cache) == (
        "openai/gpt-4o-mini",
        "http://h:1/v1",
        "MY_KEY",
        False,
    )
    assert back.kwargs == {"temperature": 0.2, "max_tokens": 50}


def test_the_local_model_gets_the_native_messages_max_tokens_and_stop_from_dspy(openai_stub):
    # A local LM pointed at a running server (here the stub) instead of starting one.
    lm = dspex.LM("local/gemma-3-270m", base_url=openai_stub.base_url, cache=False)
    openai_stub.set_default(reply(answer="hi"))

    predict = dspex.Predict("question -> answer")
    predict.demos = [dspex.Example(question="1+1?", answer="2")]
    predict(question="q", lm=lm)
    predict(question="q", lm=lm, backend="dspy")

    native, body = (r.json for r in openai_stub.completion_requests()[-2:])
    assert body["messages"] == native["messages"]  # system text merged into the first user turn
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["model"] == "gemma-3-270m"
    assert body["max_tokens"] == 256
    assert body["stop"] == ["[[ ## completed ## ]]", "<end_of_turn>"]
    assert body["temperature"] == 0.0


def test_examples_and_predictions_round_trip():
    example = dspex.Example(question="q", answer="a").with_inputs("question")
    theirs = dspy_bridge.to_dspy_example(example)
    assert theirs.inputs().toDict() == {"question": "q"}
    back = dspy_bridge.from_dspy_example(theirs)
    assert back == example and back.input_keys == {"question"}

    prediction = dspex.Prediction.from_completions([{"answer": "x"}, {"answer": "y"}])
    converted = dspy_bridge.to_dspy_prediction(prediction)
    assert converted.completions.answer == ["x", "y"]
    assert dspy_bridge.from_dspy_prediction(converted).completions.answer == ["x", "y"]


def test_the_dspy_disk_cache_goes_to_the_configured_project_directory(tmp_path):
    import dspy

    dspex.configure(dspy_cache_dir=str(tmp_path / "dspy_cache"))
    try:
        dspy_bridge.load_dspy()
        assert dspy.cache.disk_cache.directory == str(tmp_path / "dspy_cache")
    finally:
        dspex.settings.reset()
        dspy_bridge.load_dspy()
    assert "/.dspy_cache" not in dspy.cache.disk_cache.directory
