"""BestOfN runs a module up to N times and keeps the best prediction."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat


def one_word(args, pred):
    return 1.0 if len(pred.answer.split()) == 1 else 0.0


def length_score(args, pred):
    return -len(pred.answer)


def test_it_stops_at_the_first_attempt_that_reaches_the_threshold(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(answer="It is Brussels"), chat(answer="Brussels"), chat(answer="never asked"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=3, reward_fn=one_word, threshold=1.0)

    with dspex.track_steps() as steps:
        pred = best(question="Capital of Belgium?")

    assert pred.answer == "Brussels"
    assert len(openai_stub.completion_requests()) == 2
    assert [(s.data["attempt"], s.data["reward"]) for s in steps] == [(0, 0.0), (1, 1.0)]


def test_without_a_good_enough_attempt_it_returns_the_best(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(answer="medium one"), chat(answer="a very long answer"), chat(answer="short"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=3, reward_fn=length_score, threshold=0)
    assert best(question="q").answer == "short"


def test_attempts_sample_at_temperature_one_with_their_own_cache_entries(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True, temperature=0.0)
    openai_stub.script(chat(answer="a b"), chat(answer="c d"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=2, reward_fn=one_word, threshold=1.0)
    best.module.set_lm(lm)

    assert best(question="q").answer == "a b"
    requests = openai_stub.completion_requests()
    assert len(requests) == 2  # same prompt, but rollout ids 0 and 1 are different cache keys
    assert all(r.json["temperature"] == 1.0 and "rollout_id" not in r.json for r in requests)

    best(question="q")  # both attempts are cache hits now
    assert len(openai_stub.completion_requests()) == 2


def test_the_module_itself_is_not_changed(openai_stub, stub_lm):
    module = dspex.Predict("question -> answer")
    module.set_lm(stub_lm)
    openai_stub.set_default(chat(answer="x"))
    dspex.BestOfN(module, N=2, reward_fn=one_word, threshold=1.0)(question="q")
    assert module.lm is stub_lm and module.demos == []


def test_failed_attempts_are_skipped_until_fail_count_is_exceeded(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, adapter=dspex.ChatAdapter(use_json_adapter_fallback=False))
    openai_stub.script("not the format", chat(answer="fine"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=3, reward_fn=one_word, threshold=1.0)
    assert best(question="q").answer == "fine"

    openai_stub.set_default("not the format")
    strict = dspex.BestOfN(
        dspex.Predict("question -> answer"), N=3, reward_fn=one_word, threshold=1.0, fail_count=0
    )
    with pytest.raises(dspex.AdapterParseError):
        strict(question="q")


def test_when_every_attempt_fails_the_last_error_is_raised(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, adapter=dspex.ChatAdapter(use_json_adapter_fallback=False))
    openai_stub.set_default("not the format")
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=2, reward_fn=one_word, threshold=1.0)
    with pytest.raises(dspex.AdapterParseError):
        best(question="q")


def test_only_the_chosen_attempt_reaches_the_trace(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(answer="two words"), chat(answer="one"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=2, reward_fn=one_word, threshold=1.0)
    trace = []
    with dspex.context(trace=trace):
        best(question="q")
    assert [p.answer for _, _, p in trace] == ["one"]


async def test_it_runs_asynchronously_with_an_async_reward(openai_stub, stub_lm):
    async def reward(args, pred):
        return one_word(args, pred)

    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(answer="two words"), chat(answer="one"))
    best = dspex.BestOfN(dspex.Predict("question -> answer"), N=3, reward_fn=reward, threshold=1.0)
    assert (await best.acall(question="q")).answer == "one"


def test_its_state_is_the_modules_state():
    best = dspex.BestOfN(dspex.ChainOfThought("question -> answer"), N=2, reward_fn=one_word, threshold=1)
    assert list(best.dump_state()) == ["module.predict"]
