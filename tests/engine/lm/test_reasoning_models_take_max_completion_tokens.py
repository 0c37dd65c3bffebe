"""OpenAI reasoning models: max_completion_tokens, temperature 1.0, DSPy's rules and layout."""

from __future__ import annotations

import pytest

from dspex.lm import LM, LMConfigurationError

REASONING = ["openai/o1", "openai/o3-mini-2025-01-31", "openai/gpt-5", "openai/gpt-5-nano"]


@pytest.mark.parametrize("model", REASONING)
def test_a_reasoning_model_keeps_max_completion_tokens(model):
    lm = LM(model, temperature=1.0, max_tokens=16_000)
    assert lm.kwargs == {"temperature": 1.0, "max_completion_tokens": 16_000}
    assert LM(model).kwargs == {"temperature": None, "max_completion_tokens": None}


@pytest.mark.parametrize("model", ["openai/gpt-5-chat", "openai/gpt-4o-mini", "anthropic/claude-3-5-haiku"])
def test_other_models_keep_max_tokens(model):
    assert LM(model, temperature=0.3, max_tokens=500).kwargs["max_tokens"] == 500


def test_a_reasoning_model_refuses_other_temperatures_and_small_budgets():
    with pytest.raises(LMConfigurationError, match=r"temperature=1\.0 or None and max_tokens >= 16000"):
        LM("openai/o1", temperature=0.7)
    with pytest.raises(ValueError):
        LM("openai/gpt-5", max_tokens=1000)


def test_unset_parameters_are_not_sent(openai_stub, make_stub_lm):
    lm = make_stub_lm(model="openai/gpt-5-mini")
    openai_stub.script("ok")

    lm("hi")

    body = openai_stub.requests[-1].json
    assert "temperature" not in body and "max_completion_tokens" not in body and "max_tokens" not in body


def test_the_budget_is_sent_as_max_completion_tokens(openai_stub, make_stub_lm):
    lm = make_stub_lm(model="openai/o3", max_tokens=20_000)
    openai_stub.script("ok")

    lm("hi")

    assert openai_stub.requests[-1].json["max_completion_tokens"] == 20_000


def test_the_state_says_max_tokens_and_round_trips():
    lm = LM("openai/gpt-5-nano", temperature=1.0, max_tokens=16_000, cache=False)
    state = lm.dump_state()

    assert state["max_tokens"] == 16_000 and "max_completion_tokens" not in state
    assert LM.load_state(state).dump_state() == state
    alias = {**state, "max_completion_tokens": 16_000}
    del alias["max_tokens"]
    assert LM.load_state(alias).kwargs["max_completion_tokens"] == 16_000
