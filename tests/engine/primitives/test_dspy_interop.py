"""Programs saved by dspy load here (and format the same prompts); programs saved here load in dspy."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.primitives.programs import build_qa

pytestmark = pytest.mark.dspy

INSTRUCTIONS = "Answer with a single number.\n  Show no work."
CLEANED = "Answer with a single number.\nShow no work."  # both read instructions through cleandoc
INPUTS = {"question": "3+4?", "context": ["arithmetic", "small numbers"]}
VERIFY_INPUTS = {"question": "3+4?", "answer": 7}


def dspy_program():
    import dspy

    program = build_qa(dspy, INSTRUCTIONS)
    program.generate.demos = [
        dspy.Example(question="2+2?", context=["math"], answer=4).with_inputs("question", "context"),
        dspy.Example(question="1+1?", answer=2),  # incomplete demo
    ]
    program.verify.predict.demos = [
        dspy.Example(question="2+2?", answer=4, reasoning="2 and 2 make 4", correct=True, augmented=True)
    ]
    return program


def assert_same_prompts(ours, theirs):
    import dspy

    for adapter, ours_adapter in [
        (dspy.ChatAdapter(), dspex.ChatAdapter()),
        (dspy.JSONAdapter(), dspex.JSONAdapter()),
    ]:
        assert ours_adapter.format(ours.generate.signature, ours.generate.demos, INPUTS) == adapter.format(
            theirs.generate.signature, theirs.generate.demos, INPUTS
        )
        assert ours_adapter.format(
            ours.verify.predict.signature, ours.verify.predict.demos, VERIFY_INPUTS
        ) == adapter.format(theirs.verify.predict.signature, theirs.verify.predict.demos, VERIFY_INPUTS)


def test_a_file_saved_by_dspy_loads_demos_and_instructions(tmp_path):
    path = tmp_path / "dspy_program.json"
    dspy_program().save(str(path))

    ours = build_qa(dspex).load(path)

    assert ours.generate.signature.instructions == CLEANED
    assert [d.to_dict() for d in ours.generate.demos] == [
        {"question": "2+2?", "context": ["math"], "answer": 4},
        {"question": "1+1?", "answer": 2},
    ]
    assert ours.verify.predict.demos[0].reasoning == "2 and 2 make 4"
    assert ours.verify.predict.signature.fields["reasoning"].prefix == "Reasoning:"


def test_a_program_loaded_from_a_dspy_file_formats_the_prompts_dspy_sends(tmp_path):
    path = tmp_path / "dspy_program.json"
    dspy_program().save(str(path))
    theirs = build_qa(__import__("dspy"))
    theirs.load(str(path))

    ours = build_qa(dspex).load(path)

    assert_same_prompts(ours, theirs)
    assert_same_prompts(ours, dspy_program())


def test_the_state_dspy_dumps_loads_here_and_dumps_back_the_same():
    theirs_state = json.loads(json.dumps(dspy_program().dump_state()))

    ours = build_qa(dspex).load_state(theirs_state)

    assert ours.dump_state() == theirs_state


def test_a_file_saved_here_loads_in_dspy(tmp_path):
    import dspy

    path = tmp_path / "dspex_program.json"
    ours = build_qa(dspex, INSTRUCTIONS)
    ours.generate.demos = [dspex.Example(question="2+2?", context=["math"], answer=4)]
    ours.verify.predict.demos = [{"question": "2+2?", "answer": 4, "reasoning": "r", "correct": True}]
    ours.save(path)

    theirs = build_qa(dspy)
    theirs.load(str(path))

    assert theirs.generate.signature.instructions == CLEANED
    assert theirs.generate.demos == [{"question": "2+2?", "context": ["math"], "answer": 4}]
    assert theirs.verify.predict.demos[0]["reasoning"] == "r"
    assert_same_prompts(ours, theirs)


def test_named_predictor_state_keys_match_dspy():
    import dspy

    assert list(build_qa(dspex).dump_state()) == list(build_qa(dspy).dump_state())


def test_an_lm_saved_by_dspy_loads_without_dspy_only_settings(tmp_path):
    import dspy

    path = tmp_path / "with_lm.json"
    program = dspy_program()
    program.generate.lm = dspy.LM("openai/gpt-4o-mini", temperature=0.0)
    program.save(str(path))

    ours = build_qa(dspex).load(path)

    assert ours.generate.lm.model == "openai/gpt-4o-mini"
    assert ours.generate.lm.kwargs == {"temperature": 0.0}
