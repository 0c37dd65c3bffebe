"""Refine asks the LM for advice after a weak attempt and gives it to the next attempt as a hint."""

from __future__ import annotations

import json

import dspex
from tests.engine.modules.replies import chat, system_message, user_message


def one_word(args, pred):
    return 1.0 if len(pred.answer.split()) == 1 else 0.0


ADVICE = {"predict": "Answer with the city name only, one word."}


def test_advice_from_a_failed_attempt_reaches_the_next_prompt_as_a_hint(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(reasoning="It's the capital.", answer="It is Brussels"),
        chat(discussion="The module was wordy.", advice=ADVICE),
        chat(reasoning="Capital.", answer="Brussels"),
    )
    refine = dspex.Refine(dspex.ChainOfThought("question -> answer"), N=3, reward_fn=one_word, threshold=1.0)

    trace = []
    with dspex.track_steps() as steps, dspex.context(trace=trace):
        pred = refine(question="Capital of Belgium?")

    assert pred.answer == "Brussels"
    assert [p.answer for _, _, p in trace] == ["Brussels"]  # neither the weak attempt nor the advice
    first, feedback, retry = openai_stub.completion_requests()
    assert "hint_" not in user_message(first)
    request = user_message(feedback)
    assert '[[ ## program_inputs ## ]]\n{\n  "question": "Capital of Belgium?"\n}' in request
    assert '"module_name": "predict"' in request and "It is Brussels" in request
    assert "def one_word(args, pred):" in request  # the reward function's code
    assert "[[ ## reward_value ## ]]\n0.0" in request and "[[ ## target_threshold ## ]]\n1.0" in request
    assert "assign blame to each module" in system_message(feedback)
    assert "[[ ## hint_ ## ]]\nAnswer with the city name only, one word." in user_message(retry)
    assert "`hint_` (str): A hint to the module from an earlier run" in system_message(retry)
    assert [s.kind for s in steps] == ["refine.attempt", "refine.advice", "refine.attempt"]
    assert steps[1].data["advice"] == ADVICE


def test_predictors_without_advice_get_not_applicable(openai_stub, stub_lm):
    class TwoSteps(dspex.Module):
        def __init__(self):
            self.draft = dspex.Predict("question -> draft")
            self.answer = dspex.Predict("draft -> answer")

        def forward(self, question):
            return self.answer(draft=self.draft(question=question).draft)

    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(draft="d"),
        chat(answer="two words"),
        chat(discussion="x", advice={"answer": "One word."}),
        chat(draft="d"),
        chat(answer="one"),
    )
    refine = dspex.Refine(TwoSteps(), N=2, reward_fn=one_word, threshold=1.0)
    assert refine(question="q").answer == "one"
    requests = openai_stub.completion_requests()
    names = json.loads(user_message(requests[2]).split("[[ ## module_names ## ]]\n")[1].split("\n")[0])
    assert names == ["draft", "answer"]
    assert "[[ ## hint_ ## ]]\nN/A" in user_message(requests[3])
    assert "[[ ## hint_ ## ]]\nOne word." in user_message(requests[4])


def test_a_failed_advice_call_keeps_the_attempts_going(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, adapter=dspex.ChatAdapter(use_json_adapter_fallback=False))
    openai_stub.script(chat(answer="two words"), "no advice format", chat(answer="one"))
    refine = dspex.Refine(dspex.Predict("question -> answer"), N=2, reward_fn=one_word, threshold=1.0)
    assert refine(question="q").answer == "one"
    assert "hint_" not in user_message(openai_stub.completion_requests()[2])


async def test_it_runs_asynchronously(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(answer="two words"),
        chat(discussion="d", advice={"self": "One word."}),
        chat(answer="one"),
    )
    refine = dspex.Refine(dspex.Predict("question -> answer"), N=3, reward_fn=one_word, threshold=1.0)
    assert (await refine.acall(question="q")).answer == "one"
    assert "[[ ## hint_ ## ]]\nOne word." in user_message(openai_stub.completion_requests()[2])
