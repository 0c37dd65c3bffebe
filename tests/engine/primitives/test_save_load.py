"""Module.save / load: JSON files only, round-tripping demos and instructions."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.primitives.programs import build_qa


def trained():
    program = build_qa(dspex, "Think, then answer with a number.\nBe brief.")
    program.generate.demos = [
        dspex.Example(question="2+2?", context=["math"], answer=4).with_inputs("question", "context"),
        dspex.Example(question="Ünïcødé?", context=[], answer=0),
    ]
    program.verify.predict.demos = [{"question": "2+2?", "answer": 4, "reasoning": "sum", "correct": True}]
    return program


def test_save_then_load_round_trips_demos_and_instructions(tmp_path):
    path = tmp_path / "program.json"
    trained().save(path)

    loaded = build_qa(dspex).load(path)

    assert loaded.generate.signature.instructions == "Think, then answer with a number.\nBe brief."
    assert [d.to_dict() for d in loaded.generate.demos] == [
        {"question": "2+2?", "context": ["math"], "answer": 4},
        {"question": "Ünïcødé?", "context": [], "answer": 0},
    ]
    assert loaded.verify.predict.demos[0].to_dict() == {
        "question": "2+2?",
        "answer": 4,
        "reasoning": "sum",
        "correct": True,
    }
    assert loaded.dump_state() == trained().dump_state()


def test_the_saved_file_is_readable_json_with_metadata(tmp_path):
    path = tmp_path / "program.json"
    trained().save(path)

    data = json.loads(path.read_text(encoding="utf-8"))

    assert list(data) == ["generate", "verify.predict", "metadata"]
    assert data["metadata"]["dependency_versions"]["python"].count(".") == 1
    assert "Ünïcødé?" in path.read_text(encoding="utf-8")


def test_loading_a_pickle_path_is_refused(tmp_path):
    path = tmp_path / "program.pkl"
    path.write_bytes(b"not even read")

    with pytest.raises(ValueError, match="pickle is never loaded"):
        build_qa(dspex).load(path)


def test_loading_a_file_for_another_program_names_the_unknown_predictors(tmp_path):
    class Other(dspex.Module):
        def __init__(self):
            self.generate = dspex.Predict("question, context: list[str] -> answer: int")
            self.rerank = dspex.Predict("a -> b")

    path = tmp_path / "other.json"
    Other().save(path)

    with pytest.raises(ValueError, match=r"state has predictors \['rerank'\] that QA does not have"):
        build_qa(dspex).load(path)


def test_a_single_predict_saves_and_loads_itself(tmp_path):
    path = tmp_path / "predict.json"
    source = dspex.Predict(dspex.Signature("question -> answer", "Answer shortly."))
    source.demos = [dspex.Example(question="q", answer="a")]
    source.save(path)

    target = dspex.Predict("question -> answer").load(path)

    assert target.signature.instructions == "Answer shortly."
    assert target.demos[0].to_dict() == {"question": "q", "answer": "a"}


def test_load_returns_the_program(tmp_path):
    path = tmp_path / "program.json"
    trained().save(path)
    program = build_qa(dspex)

    assert program.load(path) is program
