"""A native optimizer (BootstrapFewShot) and Evaluate work on a program whose modules run on dspy:
the dspy calls land in dspex's trace with the native predictor as owner."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.hybrid.helpers import task_responder

pytestmark = pytest.mark.dspy

ANSWERS = {"1+1?": "2", "1+2?": "3", "2+2?": "4", "2+3?": "5"}
TRAIN = [dspex.Example(question=q, answer=a).with_inputs("question") for q, a in ANSWERS.items()]


@pytest.fixture
def program(openai_stub, make_stub_lm):
    openai_stub.responder = task_responder(ANSWERS, known=ANSWERS)
    dspex.configure(lm=make_stub_lm())
    cot = dspex.ChainOfThought("question -> answer")
    cot.backend = "dspy"
    return cot


def test_bootstrap_few_shot_bootstraps_demos_from_dspy_runs(program):
    with dspex.hybrid.record_attempts() as attempts:
        compiled = dspex.BootstrapFewShot(
            metric=lambda example, pred, trace=None: example.answer == pred.answer,
            max_bootstrapped_demos=2,
            max_labeled_demos=2,
        ).compile(program, trainset=TRAIN)

    assert {a["backend"] for a in attempts} == {"dspy"}
    demos = [d.to_dict() for d in compiled.predict.demos]
    assert demos[:2] == [
        {"augmented": True, "question": "1+1?", "reasoning": "Work it out.", "answer": "2"},
        {"augmented": True, "question": "1+2?", "reasoning": "Work it out.", "answer": "3"},
    ]


def test_evaluate_runs_a_dspy_routed_program_concurrently(program):
    with dspex.hybrid.record_attempts() as attempts:
        result = dspex.Evaluate(devset=TRAIN, metric=dspex.answer_exact_match, num_threads=4)(program)
    assert result.score == 100.0
    assert [a["backend"] for a in attempts] == ["dspy"] * 4
