"""deepcopy is independent of the original; reset_copy also clears demos."""

from __future__ import annotations

import dspex
from tests.engine.primitives.programs import build_qa


def trained():
    program = build_qa(dspex, "Custom.")
    program.generate.demos = [dspex.Example(question="q", context=["c"], answer=1)]
    program.verify.predict.demos = [{"question": "q", "answer": 1, "reasoning": "r", "correct": True}]
    return program


def test_deepcopy_copies_demos_and_signatures():
    program = trained()

    clone = program.deepcopy()

    assert clone is not program
    assert clone.generate is not program.generate
    assert clone.dump_state() == program.dump_state()


def test_changing_a_deepcopy_leaves_the_original_alone():
    program = trained()
    clone = program.deepcopy()

    clone.generate.demos.append(dspex.Example(question="q2", context=[], answer=2))
    clone.generate.demos[0]["answer"] = 99
    clone.generate.signature = clone.generate.signature.with_instructions("Changed.")

    assert len(program.generate.demos) == 1
    assert program.generate.demos[0].answer == 1
    assert program.generate.signature.instructions == "Custom."


def test_deepcopy_shares_the_lm_client():
    program = trained()
    lm = dspex.LM("openai/gpt-4o-mini")
    program.generate.lm = lm

    clone = program.deepcopy()

    assert clone.generate.lm is lm


def test_reset_copy_clears_demos_and_lms_but_keeps_instructions():
    program = trained()
    program.generate.lm = dspex.LM("openai/gpt-4o-mini")

    clone = program.reset_copy()

    assert [p.demos for p in clone.predictors()] == [[], []]
    assert clone.generate.lm is None
    assert clone.generate.signature.instructions == "Custom."
    assert len(program.generate.demos) == 1
    assert program.generate.lm is not None


def test_named_predictors_of_a_copy_are_the_copies():
    program = trained()

    clone = program.deepcopy()

    assert [n for n, _ in clone.named_predictors()] == ["generate", "verify.predict"]
    assert all(c is not o for c, o in zip(clone.predictors(), program.predictors(), strict=True))
