"""Every call records usage, cost, latency and a history entry readable with inspect_history."""

from __future__ import annotations

import io

import pytest

from dspex.lm import LM
from dspex.lm.pricing import Price, cost_of, price_for
from dspex.lm.response import Usage

MESSAGES = [
    {"role": "system", "content": "You answer in one word."},
    {"role": "user", "content": "Capital of France?"},
]


@pytest.fixture
def priced_lm(openai_stub, make_stub_lm):
    return make_stub_lm(model="openai/gpt-4o-mini", temperature=0.0)


def test_cost_is_tokens_times_the_price_table(openai_stub, priced_lm):
    openai_stub.script(
        {
            "content": "Paris",
            "usage": {
                "prompt_tokens": 1_000_000,
                "completion_tokens": 500_000,
                "prompt_tokens_details": {"cached_tokens": 200_000},
            },
        }
    )

    response = priced_lm.request(MESSAGES)

    # 800k fresh * 0.15 + 200k cached * 0.075 + 500k out * 0.60, per 1M tokens
    assert response.cost == pytest.approx(0.12 + 0.015 + 0.30)


def test_unknown_models_have_no_cost_and_local_models_are_free():
    assert price_for("openai", "stub-model") is None
    assert cost_of(None, Usage(10, 10)) is None
    assert cost_of(price_for("local", "gemma-3-270m"), Usage(10, 10)) == 0.0


def test_prices_match_dated_snapshots_by_longest_prefix():
    assert price_for("openai", "gpt-4o-mini-2024-07-18") == Price(0.15, 0.075, 0.60)
    assert price_for("openai", "gpt-4o-2024-08-06") == Price(2.50, 1.25, 10.00)
    assert price_for("anthropic", "claude-3-5-haiku-20241022") == Price(0.80, 0.08, 4.00)


def test_latency_is_measured_in_milliseconds(openai_stub, stub_lm):
    openai_stub.script({"content": "slow", "delay": 0.15})

    response = stub_lm.request(MESSAGES)

    assert 150 <= response.latency_ms < 1500


def test_each_call_appends_a_history_entry(openai_stub, priced_lm):
    openai_stub.script({"content": "Paris", "usage": {"prompt_tokens": 10, "completion_tokens": 1}})

    priced_lm.request(MESSAGES, max_tokens=5)

    [entry] = priced_lm.history
    assert entry["model"] == "openai/gpt-4o-mini"
    assert entry["provider"] == "openai"
    assert entry["messages"] == MESSAGES
    assert entry["params"] == {"temperature": 0.0, "max_tokens": 5}
    assert entry["outputs"] == ["Paris"]
    assert entry["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 1,
        "cached_tokens": 0,
        "total_tokens": 11,
    }
    assert entry["cost"] == pytest.approx((10 * 0.15 + 1 * 0.60) / 1e6)
    assert entry["latency_ms"] > 0
    assert entry["cache_hit"] is False
    assert entry["finish_reasons"] == ["stop"]
    assert entry["timestamp"].startswith("20")


async def test_async_calls_are_recorded_too(openai_stub, stub_lm):
    await stub_lm.arequest(MESSAGES)
    await stub_lm.arequest(MESSAGES)

    assert len(stub_lm.history) == 2


def test_failed_calls_are_not_recorded(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=0)
    openai_stub.script({"status": 400})

    with pytest.raises(Exception, match="HTTP 400"):
        lm.request(MESSAGES)
    assert lm.history == []


def test_inspect_history_prints_a_role_by_role_transcript(openai_stub, priced_lm, capsys):
    openai_stub.script("Paris", ["Lyon", "Nice"])
    priced_lm.request(MESSAGES)
    priced_lm.request([{"role": "user", "content": "Two cities?"}], n=2)

    text = priced_lm.inspect_history(n=2)

    printed = capsys.readouterr().out
    assert text in printed
    assert text.index("System message:") < text.index("You answer in one word.")
    assert text.index("User message:") < text.index("Capital of France?")
    assert "Response:\nParis" in text
    assert "Response:\nLyon" in text
    assert "(and 1 other completions)" in text
    assert "openai/gpt-4o-mini" in text


def test_inspect_history_writes_to_a_given_file(openai_stub, stub_lm):
    stub_lm.request(MESSAGES)
    out = io.StringIO()

    text = stub_lm.inspect_history(file=out)

    assert out.getvalue().strip() == text.strip()
    assert "cost unknown" in text


def test_a_copy_starts_with_an_empty_history(openai_stub, stub_lm):
    stub_lm.request(MESSAGES)

    assert stub_lm.copy().history == []
    assert len(stub_lm.history) == 1


def test_history_is_bounded(openai_stub, stub_lm, monkeypatch):
    import dspex.lm.lm as lm_module

    monkeypatch.setattr(lm_module, "MAX_HISTORY", 3)
    for _ in range(1010):
        stub_lm.history.append({"filler": True})
    stub_lm.request(MESSAGES)

    assert len(stub_lm.history) == 3
    assert stub_lm.history[-1]["outputs"] == ["stub response"]


def test_the_lm_model_string_is_kept_whole():
    lm = LM("anthropic/claude-3-5-haiku-20241022")

    assert lm.model == "anthropic/claude-3-5-haiku-20241022"
    assert lm.provider == "anthropic"
    assert lm.model_name == "claude-3-5-haiku-20241022"
