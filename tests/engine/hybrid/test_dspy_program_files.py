"""Files written by dspy's program.save("x.json") import into native programs, and exported
programs load in dspy, with the same prompts on both sides."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.hybrid.helpers import reply
from tests.engine.primitives.programs import build_qa

pytestmark = pytest.mark.dspy


def dspy_qa():
    import dspy

    program = build_qa(dspy, "Answer with a number.")
    program.generate.demos = [dspy.Example(question="2+2?", context=["math"], answer=4)]
    program.verify.predict.demos = [dspy.Example(question="1+1?", answer=2, reasoning="r", correct=True)]
    return program


def test_a_dspy_saved_file_imports_into_a_native_program(tmp_path):
    path = tmp_path / "qa.json"
    dspy_qa().save(str(path))
    target = build_qa(dspex)

    imported = dspex.hybrid.import_dspy_program(path, target)

    assert imported is not target and target.generate.demos == []
    assert imported.generate.signature.instructions == "Answer with a number."
    assert imported.generate.demos[0].to_dict() == {"question": "2+2?", "context": ["math"], "answer": 4}
    assert imported.verify.predict.demos[0].reasoning == "r"


def test_an_exported_program_loads_in_dspy_and_formats_the_same_prompts(tmp_path):
    import dspy

    ours = build_qa(dspex, "Answer with a number.")
    ours.generate.demos = [dspex.Example(question="2+2?", context=["math"], answer=4)]
    path = dspex.hybrid.export_dspy_program(ours, tmp_path / "qa.json")

    theirs = build_qa(dspy)
    theirs.load(str(path))

    inputs = {"question": "3+4?", "context": ["arithmetic"]}
    assert dspy.ChatAdapter().format(theirs.generate.signature, theirs.generate.demos, inputs) == (
        dspex.ChatAdapter().format(ours.generate.signature, ours.generate.demos, inputs)
    )
    metadata = json.loads(path.read_text())["metadata"]
    assert metadata["dependency_versions"]["dspy"] == dspy.__version__


def test_a_round_trip_through_dspy_keeps_the_state(tmp_path):
    import dspy

    ours = build_qa(dspex, "Be brief.")
    ours.verify.predict.demos = [dspex.Example(question="q", answer=1, reasoning="r", correct=False)]
    path = dspex.hybrid.export_dspy_program(ours, tmp_path / "a.json")
    theirs = build_qa(dspy)
    theirs.load(str(path))
    theirs.save(str(tmp_path / "b.json"))

    back = dspex.hybrid.import_dspy_program(tmp_path / "b.json", build_qa(dspex))

    assert back.dump_state() == ours.dump_state()


def test_an_exported_lm_loads_in_dspy_without_endpoint_or_key_variable(tmp_path, make_stub_lm):
    import dspy

    ours = dspex.Predict("question -> answer")
    ours.lm = make_stub_lm(temperature=0.5, max_tokens=20)
    path = dspex.hybrid.export_dspy_program(ours, tmp_path / "p.json")

    lm_state = json.loads(path.read_text())["lm"]
    assert "base_url" not in lm_state and "api_key_env" not in lm_state and "api_key" not in lm_state
    theirs = dspy.Predict("question -> answer")
    theirs.load(str(path))
    assert theirs.lm.model == "openai/stub-model"
    assert theirs.lm.kwargs["temperature"] == 0.5


def test_a_single_predictor_file_imports_with_just_a_signature(tmp_path, openai_stub, stub_lm):
    import dspy

    saved = dspy.ChainOfThought("question -> answer")
    saved.predict.demos = [dspy.Example(question="1+1?", reasoning="add", answer="2")]
    saved.save(str(tmp_path / "cot.json"))
    openai_stub.set_default(reply(reasoning="r", answer="4"))

    imported = dspex.hybrid.import_dspy_program(tmp_path / "cot.json", "question -> answer")

    assert type(imported) is dspex.ChainOfThought
    assert imported(question="2+2?", lm=stub_lm).answer == "4"
    assert "1+1?" in openai_stub.completion_requests()[-1].json["messages"][1]["content"]


def test_a_file_from_another_program_is_refused(tmp_path):
    import dspy

    dspy.Predict("question -> answer").save(str(tmp_path / "p.json"))
    with pytest.raises(ValueError, match="the state is one predictor but QA is a program"):
        dspex.hybrid.import_dspy_program(tmp_path / "p.json", build_qa(dspex))
    with pytest.raises(ValueError, match="no entry for predictors"):
        dspex.hybrid.import_dspy_program({"generate": dspy_qa().dump_state()["generate"]}, build_qa(dspex))


def test_pickled_programs_are_never_loaded(tmp_path):
    (tmp_path / "program.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ValueError, match="pickle is never loaded"):
        dspex.hybrid.import_dspy_program(tmp_path / "program.pkl", build_qa(dspex))
    with pytest.raises(ValueError, match="pickle is never loaded"):
        dspex.hybrid.import_dspy_program(tmp_path, build_qa(dspex))


def test_an_lm_of_a_provider_dspex_does_not_speak_is_left_out_with_a_warning(tmp_path, caplog):
    import dspy

    saved = dspy.Predict("question -> answer")
    saved.demos = [dspy.Example(question="q", answer="a")]
    saved.lm = dspy.LM("gemini/gemini-2.5-flash")
    saved.save(str(tmp_path / "p.json"))

    imported = dspex.hybrid.import_dspy_program(tmp_path / "p.json", "question -> answer")

    assert imported.lm is None
    assert imported.demos[0].answer == "a"
    assert "leaving out the LM 'gemini/gemini-2.5-flash'" in caplog.text
