"""With ``n > 1``, a completion that does not parse is dropped; the call fails only when none parses."""

from __future__ import annotations

import pytest

import dspex


def reply(answer: object) -> str:
    return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"


STRICT = dspex.ChatAdapter(use_json_adapter_fallback=False)


def test_the_completions_that_parse_are_kept(openai_stub, stub_lm):
    openai_stub.script([reply(1), "rambling without fields", reply(3)])

    with dspex.context(adapter=STRICT):
        pred = dspex.Predict("question -> answer: int", n=3)(question="q", lm=stub_lm)

    assert pred.answer == 1
    assert pred.completions.answer == [1, 3]
    assert len(openai_stub.completion_requests()) == 1


def test_a_first_completion_that_does_not_parse_gives_way_to_the_next(openai_stub, stub_lm):
    openai_stub.script([reply("not a number"), reply(2)])

    with dspex.context(adapter=STRICT):
        pred = dspex.Predict("question -> answer: int", n=2)(question="q", lm=stub_lm)

    assert pred.answer == 2
    assert len(pred.completions) == 1


def test_when_none_parses_the_first_failure_is_raised_with_its_raw_text(openai_stub, stub_lm):
    openai_stub.script(["first bad", "second bad"])

    with dspex.context(adapter=STRICT), pytest.raises(dspex.AdapterParseError) as caught:
        dspex.Predict("question -> answer: int", n=2)(question="q", lm=stub_lm)

    assert caught.value.lm_response == "first bad"


def test_when_none_parses_the_json_fallback_runs_once(openai_stub, stub_lm):
    openai_stub.script(["bad", "worse"], ['{"answer": 5}', '{"answer": 6}'])

    pred = dspex.Predict("question -> answer: int", n=2)(question="q", lm=stub_lm)

    assert pred.completions.answer == [5, 6]
    assert len(openai_stub.completion_requests()) == 2


async def test_the_same_holds_for_async_calls(openai_stub, stub_lm):
    openai_stub.script([reply("x"), reply(7)])

    with dspex.context(adapter=STRICT):
        pred = await dspex.Predict("question -> answer: int", n=2).acall(question="q", lm=stub_lm)

    assert pred.completions.answer == [7]
