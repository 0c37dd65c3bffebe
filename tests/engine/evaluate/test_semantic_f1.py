"""SemanticF1: an LM judge on the stub server (scripted recall/precision replies)."""

from __future__ import annotations

import pytest

import dspex


def _judgement(recall: str, precision: str) -> str:
    return (
        "[[ ## reasoning ## ]]\nHalf of the ideas are there.\n\n"
        f"[[ ## recall ## ]]\n{recall}\n\n[[ ## precision ## ]]\n{precision}\n\n[[ ## completed ## ]]"
    )


EXAMPLE = dspex.Example(question="Why is the sky blue?", response="Rayleigh scattering of sunlight")
PRED = dspex.Prediction(response="Because of scattering")


def test_it_returns_the_f1_of_the_recall_and_precision_the_judge_reports(openai_stub, stub_lm):
    openai_stub.script(_judgement("0.5", "1.0"))
    with dspex.context(lm=stub_lm):
        score = dspex.SemanticF1()(EXAMPLE, PRED)
    assert isinstance(score, float)
    assert score == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    (request,) = openai_stub.completion_requests()
    asked = request.json["messages"][-1]["content"]
    assert "Why is the sky blue?" in asked
    assert "Rayleigh scattering of sunlight" in asked
    assert "Because of scattering" in asked


def test_with_a_trace_it_says_whether_the_threshold_is_reached(openai_stub, stub_lm):
    openai_stub.set_default(_judgement("0.5", "1.0"))  # F1 = 0.667
    with dspex.context(lm=stub_lm):
        assert dspex.SemanticF1(threshold=0.66)(EXAMPLE, PRED, trace=[]) == 1.0
        assert dspex.SemanticF1(threshold=0.7)(EXAMPLE, PRED, trace=[]) == 0.0


def test_judged_values_outside_zero_to_one_are_clamped(openai_stub, stub_lm):
    openai_stub.script(_judgement("1.5", "-0.2"), _judgement("1.5", "0.5"))
    with dspex.context(lm=stub_lm):
        assert dspex.SemanticF1()(EXAMPLE, PRED) == 0.0
        assert dspex.SemanticF1()(EXAMPLE, PRED) == pytest.approx(2 * 0.5 / 1.5)


def test_the_decompositional_judge_enumerates_key_ideas_first(openai_stub, stub_lm):
    openai_stub.script(
        "[[ ## reasoning ## ]]\nr\n\n[[ ## ground_truth_key_ideas ## ]]\n1. scattering\n\n"
        "[[ ## system_response_key_ideas ## ]]\n1. scattering\n\n[[ ## discussion ## ]]\nsame\n\n"
        "[[ ## recall ## ]]\n1.0\n\n[[ ## precision ## ]]\n1.0\n\n[[ ## completed ## ]]"
    )
    with dspex.context(lm=stub_lm):
        assert dspex.SemanticF1(decompositional=True)(EXAMPLE, PRED) == 1.0
    system = openai_stub.completion_requests()[0].json["messages"][0]["content"]
    assert "ground_truth_key_ideas" in system and "discussion" in system


def test_it_uses_the_lm_passed_in_rather_than_the_configured_one(openai_stub, make_stub_lm):
    openai_stub.set_default(_judgement("1.0", "1.0"))
    judge = dspex.SemanticF1(lm=make_stub_lm(model="openai/judge-model"))
    with dspex.context(lm=make_stub_lm()):
        judge(EXAMPLE, PRED)
    assert [r.json["model"] for r in openai_stub.completion_requests()] == ["judge-model"]


def test_evaluate_awaits_it_as_an_async_metric(openai_stub, make_stub_lm):
    def respond(request):
        if "system_response" in request.json["messages"][0]["content"]:
            return _judgement("1.0", "0.5")
        return "[[ ## response ## ]]\nscattering\n\n[[ ## completed ## ]]"

    openai_stub.responder = respond
    devset = [EXAMPLE.with_inputs("question")] * 3
    with dspex.context(lm=make_stub_lm()):
        result = dspex.Evaluate(devset=devset, metric=dspex.SemanticF1(), num_threads=3)(
            dspex.Predict("question -> response")
        )
    assert result.errors == 0
    assert result.score == pytest.approx(100 * 2 * 0.5 / 1.5, abs=0.01)
    assert len(openai_stub.completion_requests()) == 6  # 3 program calls + 3 judge calls
