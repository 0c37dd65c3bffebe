"""dspex.Assert / dspex.Suggest inside a module's forward retry the last predictor with feedback."""

from __future__ import annotations

import logging

import pytest

import dspex
from tests.engine.modules.replies import chat, user_message


class ShortAnswer(dspex.Module):
    """Answers in one word, or is sent back."""

    def __init__(self, check=dspex.Assert):
        self.generate = dspex.ChainOfThought("question -> answer")
        self.check = check

    def forward(self, question):
        pred = self.generate(question=question)
        self.check(len(pred.answer.split()) == 1, "The answer must be a single word.")
        return pred


def test_a_failed_assert_retries_the_predictor_with_feedback_and_past_outputs(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(reasoning="Capital of France.", answer="It is Paris"),
        chat(reasoning="One word.", answer="Paris"),
    )
    with dspex.track_steps() as steps:
        pred = ShortAnswer()(question="Capital of France?")

    assert pred.answer == "Paris"
    first, retry = openai_stub.completion_requests()
    assert "feedback" not in user_message(first)
    retry_message = user_message(retry)
    assert "[[ ## past_reasoning ## ]]\nCapital of France." in retry_message
    assert "[[ ## past_answer ## ]]\nIt is Paris" in retry_message
    assert "[[ ## feedback ## ]]\nThe answer must be a single word." in retry_message
    system = retry.json["messages"][0]["content"]
    assert "`past_answer` (str): past Answer with errors" in system
    assert "`feedback` (str): Some instructions you must satisfy" in system
    assert [s.kind for s in steps] == ["assertion.backtrack"]
    assert steps[0].data["target"] == "generate.predict"


def test_an_assert_that_keeps_failing_raises_after_max_backtracks(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.set_default(chat(reasoning="r", answer="two words"))

    with pytest.raises(dspex.AssertionFailed) as info:
        ShortAnswer()(question="q")

    assert info.value.attempts == 3  # the first try and max_backtracks=2 retries
    assert info.value.message == "The answer must be a single word."
    assert info.value.target == "generate.predict"
    assert info.value.past_outputs["answer"] == "two words"
    requests = openai_stub.completion_requests()
    assert len(requests) == 3
    assert "[[ ## feedback ## ]]" in user_message(requests[2])


def test_max_backtracks_is_configurable(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, max_backtracks=0)
    openai_stub.set_default(chat(reasoning="r", answer="two words"))
    with pytest.raises(dspex.AssertionFailed) as info:
        ShortAnswer()(question="q")
    assert info.value.attempts == 1
    assert len(openai_stub.completion_requests()) == 1


def test_a_failed_suggest_is_retried_then_the_run_continues_and_records_the_miss(
    openai_stub, stub_lm, caplog
):
    dspex.configure(lm=stub_lm)
    openai_stub.set_default(chat(reasoning="r", answer="still two words"))

    with dspex.track_steps() as steps, caplog.at_level(logging.WARNING, logger="dspex.assertions"):
        pred = ShortAnswer(check=dspex.Suggest)(question="q")

    assert pred.answer == "still two words"
    assert pred.suggestion_failures == ["The answer must be a single word."]
    assert len(openai_stub.completion_requests()) == 3
    assert [s.kind for s in steps] == ["assertion.backtrack", "assertion.backtrack", "suggestion.missed"]
    assert "Suggestion not met after 3 attempt(s): The answer must be a single word." in caplog.text


def test_feedback_accumulates_over_retries(openai_stub, stub_lm):
    class Strict(dspex.Module):
        def __init__(self):
            self.generate = dspex.Predict("question -> answer")

        def forward(self, question):
            pred = self.generate(question=question)
            dspex.Assert(pred.answer.islower(), "Use lowercase.")
            dspex.Assert(pred.answer.isalpha(), "Use letters only.")
            return pred

    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(answer="PARIS"), chat(answer="paris!"), chat(answer="paris"))
    assert Strict()(question="q").answer == "paris"
    third = user_message(openai_stub.completion_requests()[2])
    assert "[[ ## feedback ## ]]\nUse lowercase.\nUse letters only." in third
    assert "[[ ## past_answer ## ]]\nparis!" in third


def test_only_the_final_attempt_reaches_the_settings_trace(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(reasoning="r", answer="two words"), chat(reasoning="r", answer="one"))
    trace = []
    with dspex.context(trace=trace):
        ShortAnswer()(question="q")
    assert len(trace) == 1
    _predictor, inputs, prediction = trace[0]
    assert prediction.answer == "one" and inputs["feedback"] == "The answer must be a single word."


def test_the_target_module_chooses_which_predictor_is_retried(openai_stub, stub_lm):
    class TwoSteps(dspex.Module):
        def __init__(self):
            self.draft = dspex.Predict("question -> answer")
            self.polish = dspex.Predict("answer -> answer_polished")

        def forward(self, question):
            draft = self.draft(question=question)
            final = self.polish(answer=draft.answer)
            dspex.Assert(draft.answer == "good", "The draft must be good.", target_module=self.draft)
            return final

    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(answer="bad"), chat(answer_polished="bad!"), chat(answer="good"), chat(answer_polished="good!")
    )
    assert TwoSteps()(question="q").answer_polished == "good!"
    requests = openai_stub.completion_requests()
    assert "[[ ## past_answer ## ]]\nbad" in user_message(requests[2])
    assert "feedback" not in user_message(requests[3])


async def test_assertions_retry_in_async_calls_too(openai_stub, stub_lm):
    class AsyncShort(ShortAnswer):
        async def aforward(self, question):
            pred = await self.generate.acall(question=question)
            dspex.Assert(len(pred.answer.split()) == 1, "One word, please.")
            return pred

    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(reasoning="r", answer="two words"), chat(reasoning="r", answer="one"))
    assert (await AsyncShort().acall(question="q")).answer == "one"
    assert "One word, please." in user_message(openai_stub.completion_requests()[1])


async def test_the_default_aforward_runs_forward_with_retries(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(reasoning="r", answer="two words"), chat(reasoning="r", answer="one"))
    assert (await ShortAnswer().acall(question="q")).answer == "one"


def test_outside_a_module_assert_raises_at_once_and_suggest_only_warns(caplog):
    with pytest.raises(dspex.AssertionFailed, match="after 1 attempt"):
        dspex.Assert(False, "nope")
    dspex.Assert(True, "fine")
    with caplog.at_level(logging.WARNING, logger="dspex.assertions"):
        dspex.Suggest(False, "would be nice")
    assert "would be nice" in caplog.text


def test_an_assert_before_any_predictor_call_fails_without_retrying():
    class Guard(dspex.Module):
        def forward(self, question):
            dspex.Assert(question.endswith("?"), "Ask a question.")
            return dspex.Prediction(answer="x")

    with pytest.raises(dspex.AssertionFailed) as info:
        Guard()(question="statement")
    assert info.value.attempts == 1 and info.value.target is None
