"""Which LM and which demos a call uses: the call's, then the predictor's, then the settings'."""

from __future__ import annotations

import pytest

import dspex


def reply(answer: str) -> str:
    return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"


def models_called(openai_stub) -> list[str]:
    return [r.json["model"] for r in openai_stub.completion_requests()]


def test_the_lm_of_the_call_wins_over_the_predictor_and_the_settings(openai_stub, make_stub_lm):
    openai_stub.set_default(reply("x"))
    predict = dspex.Predict("question -> answer")
    dspex.configure(lm=make_stub_lm(model="openai/configured"))

    with dspex.context(lm=make_stub_lm(model="openai/context")):
        predict(question="q")
        predict.lm = make_stub_lm(model="openai/own")
        predict(question="q")
        predict(question="q", lm=make_stub_lm(model="openai/call"))

    assert models_called(openai_stub) == ["context", "own", "call"]


def test_an_lm_given_as_a_string_is_a_type_error_naming_the_fix(stub_lm):
    with pytest.raises(TypeError, match=r"dspex.LM\('openai/gpt-4o-mini'\)"):
        dspex.Predict("question -> answer")(question="q", lm="openai/gpt-4o-mini")


def test_demos_of_the_call_replace_the_predictors_demos(openai_stub, stub_lm):
    openai_stub.set_default(reply("x"))
    predict = dspex.Predict("question -> answer")
    predict.demos = [dspex.Example(question="own?", answer="own")]

    predict(question="q", lm=stub_lm, demos=[{"question": "call?", "answer": "call"}])
    predict(question="q", lm=stub_lm, demos=[])

    with_call_demos, without_demos = (r.json["messages"] for r in openai_stub.completion_requests())
    assert "call?" in with_call_demos[1]["content"] and "own?" not in str(with_call_demos)
    assert [m["role"] for m in without_demos] == ["system", "user"]
    assert predict.demos == [dspex.Example(question="own?", answer="own")]


def test_demos_given_as_dicts_and_as_examples_send_the_same_messages(openai_stub, stub_lm):
    openai_stub.set_default(reply("x"))
    demo = {"question": "1+1?", "answer": "2"}

    dspex.Predict("question -> answer")(question="q", lm=stub_lm, demos=[demo])
    dspex.Predict("question -> answer")(question="q", lm=stub_lm, demos=[dspex.Example(demo)])

    first, second = (r.json["messages"] for r in openai_stub.completion_requests())
    assert first == second


def test_get_config_and_update_config_are_the_default_lm_configuration():
    predict = dspex.Predict("q -> a", temperature=0.2)
    predict.update_config(max_tokens=5, temperature=0.4)

    assert predict.get_config() == {"temperature": 0.4, "max_tokens": 5}
