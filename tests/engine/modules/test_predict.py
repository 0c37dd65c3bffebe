"""Predict over real HTTP against the stub server: what is sent, what comes back."""

from __future__ import annotations

import asyncio
import threading
from typing import Literal

import pytest

import dspex
from dspex.signatures.errors import FieldValidationError


def reply(**fields: object) -> str:
    body = "\n\n".join(f"[[ ## {name} ## ]]\n{value}" for name, value in fields.items())
    return body + "\n\n[[ ## completed ## ]]"


class Sentiment(dspex.Signature):
    """Classify the sentiment."""

    sentence: str = dspex.InputField()
    label: Literal["positive", "negative"] = dspex.OutputField()
    score: float = dspex.OutputField(ge=0, le=1)


def test_it_sends_the_chat_adapter_messages_and_parses_typed_outputs(openai_stub, stub_lm):
    openai_stub.script(reply(label="positive", score="0.9"))
    pred = dspex.Predict(Sentiment)(sentence="a gem", lm=stub_lm)
    assert pred.label == "positive"
    assert pred.score == 0.9
    sent = openai_stub.completion_requests()[-1].json
    assert sent["messages"] == dspex.ChatAdapter().format(Sentiment, [], {"sentence": "a gem"})
    assert sent["model"] == "stub-model"


def test_it_uses_the_configured_lm_and_context_overrides(openai_stub, make_stub_lm):
    default_lm, other_lm = make_stub_lm(), make_stub_lm(model="openai/other-model")
    dspex.configure(lm=default_lm)
    openai_stub.set_default(reply(answer="ok"))
    predict = dspex.Predict("question -> answer")
    predict(question="q1")
    with dspex.context(lm=other_lm):
        predict(question="q2")
    predict(question="q3")
    models = [r.json["model"] for r in openai_stub.completion_requests()]
    assert models == ["stub-model", "other-model", "stub-model"]


def test_it_sends_per_call_config_over_module_config(openai_stub, stub_lm):
    openai_stub.set_default(reply(answer="ok"))
    predict = dspex.Predict("question -> answer", temperature=0.3, max_tokens=50)
    predict(question="q", lm=stub_lm, config={"temperature": 0.9})
    sent = openai_stub.completion_requests()[-1].json
    assert sent["temperature"] == 0.9
    assert sent["max_tokens"] == 50


def test_it_returns_every_completion_when_n_is_above_one(openai_stub, stub_lm):
    openai_stub.script([reply(answer="a"), reply(answer="b"), reply(answer="c")])
    pred = dspex.Predict("question -> answer", n=3)(question="q", lm=stub_lm)
    assert pred.answer == "a"
    assert pred.completions.answer == ["a", "b", "c"]
    sent = openai_stub.completion_requests()[-1].json
    assert sent["n"] == 3
    assert sent["temperature"] == 0.7  # several samples at temperature 0 would all be equal


def test_it_includes_demos_as_message_pairs(openai_stub, stub_lm):
    openai_stub.set_default(reply(answer="4"))
    predict = dspex.Predict("question -> answer")
    predict.demos = [dspex.Example(question="1+1?", answer="2")]
    predict(question="2+2?", lm=stub_lm)
    messages = openai_stub.completion_requests()[-1].json["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "[[ ## answer ## ]]\n2" in messages[2]["content"]


def test_strict_inputs_rejects_bad_inputs_before_calling_the_lm(openai_stub, stub_lm):
    predict = dspex.Predict("question: str, k: int -> answer")
    with dspex.context(strict_inputs=True):
        with pytest.raises(FieldValidationError, match=r"`k` expects int, got 'many'"):
            predict(question="q", k="many", lm=stub_lm)
        with pytest.raises(FieldValidationError, match=r"`k`.*missing"):
            predict(question="q", lm=stub_lm)
        with pytest.raises(FieldValidationError, match=r"`extra`"):
            predict(question="q", k=1, extra=2, lm=stub_lm)
    assert openai_stub.completion_requests() == []


def test_by_default_bad_inputs_are_warned_about_as_dspy_does_and_run(openai_stub, stub_lm, caplog):
    openai_stub.set_default(reply(answer="a"))
    predict = dspex.Predict("question: str, k: int -> answer")
    with caplog.at_level("WARNING", logger="dspex.modules.predict"):
        assert predict(question="q", k="many", lm=stub_lm).answer == "a"
        predict(question="q", lm=stub_lm)
        predict(question="q", k=1, extra=2, lm=stub_lm)
    text = caplog.text
    assert "Type mismatch for field 'k': expected int based on given Signature" in text
    assert "Not all input fields were provided to module. Present: ['question']. Missing: ['k']." in text
    assert "These fields will be ignored: ['extra']" in text
    sent = [r.json["messages"][-1]["content"] for r in openai_stub.completion_requests()]
    assert "[[ ## k ## ]]\nmany" in sent[0]  # passed on as given
    assert "extra" not in sent[2]
    assert "[[ ## k ## ]]\n1" in sent[2]  # a fitting value is still coerced and formatted


def test_it_refuses_positional_arguments(stub_lm):
    with pytest.raises(TypeError, match="keyword arguments named after"):
        dspex.Predict("question -> answer")("q")


def test_it_explains_a_missing_lm():
    with pytest.raises(dspex.NoLMConfiguredError, match=r"dspex.configure\(lm="):
        dspex.Predict("question -> answer")(question="q")


def test_it_falls_back_to_the_json_adapter_when_the_chat_format_does_not_parse(openai_stub, stub_lm):
    openai_stub.script("I think it is positive.", '{"label": "negative", "score": 0.2}')
    pred = dspex.Predict(Sentiment)(sentence="meh", lm=stub_lm)
    assert (pred.label, pred.score) == ("negative", 0.2)
    second = openai_stub.completion_requests()[-1].json
    assert second["response_format"]["type"] == "json_schema"
    assert second["response_format"]["json_schema"]["schema"]["required"] == ["label", "score"]


def test_it_raises_a_parse_error_with_the_raw_completion_when_fallback_is_off(openai_stub, stub_lm):
    openai_stub.script("no fields here")
    strict = dspex.ChatAdapter(use_json_adapter_fallback=False)
    with dspex.context(adapter=strict), pytest.raises(dspex.AdapterParseError) as caught:
        dspex.Predict(Sentiment)(sentence="meh", lm=stub_lm)
    assert caught.value.lm_response == "no fields here"
    assert len(openai_stub.completion_requests()) == 1


def test_it_rejects_outputs_that_break_their_constraints(openai_stub, stub_lm):
    openai_stub.script(reply(label="positive", score="7"))
    strict = dspex.ChatAdapter(use_json_adapter_fallback=False)
    with dspex.context(adapter=strict), pytest.raises(dspex.AdapterParseError, match="less than or equal"):
        dspex.Predict(Sentiment)(sentence="x", lm=stub_lm)


async def test_acall_runs_the_same_request_asynchronously(openai_stub, stub_lm):
    openai_stub.set_default(reply(answer="async ok"))
    predict = dspex.Predict("question -> answer")
    preds = await asyncio.gather(*(predict.acall(question=f"q{i}", lm=stub_lm) for i in range(10)))
    assert {p.answer for p in preds} == {"async ok"}
    questions = sorted(
        r.json["messages"][-1]["content"].split("\n")[1] for r in openai_stub.completion_requests()
    )
    assert questions == sorted(f"q{i}" for i in range(10))


async def test_context_overrides_do_not_leak_between_asyncio_tasks(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="x"), delay=0.05)
    lm_a, lm_b = make_stub_lm(model="openai/model-a"), make_stub_lm(model="openai/model-b")
    predict = dspex.Predict("question -> answer")

    async def run(lm, tag):
        with dspex.context(lm=lm):
            await asyncio.sleep(0.01)
            await predict.acall(question=tag)

    await asyncio.gather(*(run(lm_a if i % 2 else lm_b, f"{'a' if i % 2 else 'b'}{i}") for i in range(8)))
    for request in openai_stub.completion_requests():
        tag = request.json["messages"][-1]["content"].split("\n")[1]
        assert request.json["model"] == f"model-{tag[0]}"


def test_context_overrides_do_not_leak_between_threads(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="x"))
    predict = dspex.Predict("question -> answer")
    errors: list[BaseException] = []

    def run(tag: str) -> None:
        try:
            with dspex.context(lm=make_stub_lm(model=f"openai/model-{tag}")):
                for _ in range(3):
                    predict(question=tag)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(tag,)) for tag in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for request in openai_stub.completion_requests():
        tag = request.json["messages"][-1]["content"].split("\n")[1]
        assert request.json["model"] == f"model-{tag}"


def test_the_trace_records_each_predictor_call(openai_stub, stub_lm):
    openai_stub.set_default(reply(answer="x"))
    trace: list = []
    predict = dspex.Predict("question -> answer")
    with dspex.context(trace=trace):
        predict(question="q", lm=stub_lm)
    assert len(trace) == 1
    module, inputs, prediction = trace[0]
    assert module is predict and inputs == {"question": "q"} and prediction.answer == "x"
