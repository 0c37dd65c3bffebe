"""DummyLM answers programs from its script (list, dict by prompt content, or the demos)."""

from __future__ import annotations

import json

import pytest

import dspex
from dspex.utils import DummyLM


@pytest.fixture(autouse=True)
def native():
    dspex.configure(backend="native")


def test_a_list_is_answered_in_order_then_says_it_ran_out():
    lm = DummyLM([{"answer": "red"}, {"answer": "blue"}])
    qa = dspex.Predict("question -> answer")
    answers = [qa(question="Sky?", lm=lm).answer for _ in range(3)]
    assert answers == ["red", "blue", "No more responses"]
    assert len(lm.history) == 3


def test_repeated_prompts_are_never_cached():
    lm = DummyLM([{"answer": "1"}, {"answer": "2"}])
    qa = dspex.Predict("question -> answer")
    assert [qa(question="same", lm=lm).answer for _ in range(2)] == ["1", "2"]


def test_a_dict_answers_by_what_the_last_message_contains():
    lm = DummyLM({"capital of France": {"answer": "Paris"}, "2+2": {"answer": "4"}})
    qa = dspex.Predict("question -> answer")
    assert qa(question="What is 2+2?", lm=lm).answer == "4"
    assert qa(question="The capital of France?", lm=lm).answer == "Paris"
    assert lm("something else") == ["No more responses"]


def test_several_output_fields_and_typed_values():
    lm = DummyLM([{"reasoning": "count them", "count": 3, "items": ["a", "b"]}])
    program = dspex.Predict("question -> reasoning, count: int, items: list[str]")
    out = program(question="How many?", lm=lm)
    assert (out.reasoning, out.count, out["items"]) == ("count them", 3, ["a", "b"])


def test_follow_examples_copies_the_demo_answer_for_the_same_input():
    lm = DummyLM([{"answer": "unused"}], follow_examples=True)
    qa = dspex.Predict("question -> answer")
    qa.demos = [
        dspex.Example(question="What color is grass?", answer="green"),
        dspex.Example(question="What color is the sky?", answer="blue"),
    ]
    assert qa(question="What color is the sky?", lm=lm).answer == "blue"
    assert qa(question="What color is grass?", lm=lm).answer == "green"


def test_answers_are_written_as_json_for_the_json_adapter():
    lm = DummyLM([{"answer": "Paris"}], adapter=dspex.JSONAdapter())
    text = lm("anything")[0]
    assert json.loads(text) == {"answer": "Paris"}
    lm = DummyLM([{"answer": "Paris"}], adapter=dspex.JSONAdapter())
    with dspex.context(lm=lm, adapter=dspex.JSONAdapter()):
        assert dspex.Predict("question -> answer")(question="Capital?").answer == "Paris"


def test_n_completions_take_n_answers():
    lm = DummyLM([{"answer": "a"}, {"answer": "b"}, {"answer": "c"}])
    assert lm.request("q", n=2).outputs == ["[[ ## answer ## ]]\na", "[[ ## answer ## ]]\nb"]
    assert lm("q") == ["[[ ## answer ## ]]\nc"]


def test_history_holds_the_messages_and_outputs_of_each_call():
    lm = DummyLM([{"answer": "red"}])
    dspex.Predict("question -> answer")(question="Sky?", lm=lm)
    messages, outputs = lm.get_convo(-1)
    assert messages[-1]["role"] == "user" and "Sky?" in messages[-1]["content"]
    assert outputs == ["[[ ## answer ## ]]\nred"]
    with dspex.track_calls() as calls:
        lm("again")
    assert [call.model for call in calls] == ["dummy"]


async def test_async_calls_use_the_same_script():
    lm = DummyLM([{"answer": "x"}, {"answer": "y"}])
    qa = dspex.Predict("question -> answer")
    assert (await qa.acall(question="q", lm=lm)).answer == "x"
    assert await lm.acall("q") == ["[[ ## answer ## ]]\ny"]


@pytest.mark.dspy
def test_the_answer_text_is_the_one_dspys_dummy_lm_writes():
    from dspy.utils.dummies import DummyLM as DspyDummyLM

    answers = [{"answer": "Paris"}, {"reasoning": "two lines\nhere", "count": 3, "tags": ["a", "b"]}]
    ours = DummyLM(list(answers))
    theirs = DspyDummyLM(list(answers))
    for _ in answers:
        prompt = [{"role": "user", "content": "q"}]
        assert ours(messages=prompt) == theirs(messages=prompt)
