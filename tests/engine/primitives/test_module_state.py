"""Module.dump_state / load_state: plain JSON in DSPy's layout, no secrets, strict about names."""

from __future__ import annotations

import json

import pydantic
import pytest

import dspex
from tests.engine.primitives.programs import EXPECTED_NAMES, build, build_qa


class Point(pydantic.BaseModel):
    x: int


def test_dump_state_has_one_entry_per_predictor_path():
    state = build(dspex).dump_state()

    assert list(state) == EXPECTED_NAMES
    assert set(state["first"]) == {"traces", "train", "demos", "signature", "lm"}


def test_a_predictor_state_has_demos_and_signature_in_dspy_layout():
    program = build_qa(dspex, "Answer with a number.")
    program.generate.demos = [dspex.Example(question="q", context=["c"], answer=3).with_inputs("question")]

    state = program.dump_state()["generate"]

    assert state == {
        "traces": [],
        "train": [],
        "demos": [{"question": "q", "context": ["c"], "answer": 3}],
        "signature": {
            "instructions": "Answer with a number.",
            "fields": [
                {"prefix": "Question:", "description": "${question}"},
                {"prefix": "Context:", "description": "${context}"},
                {"prefix": "Answer:", "description": "${answer}"},
            ],
        },
        "lm": None,
    }


def test_dump_state_is_json_serialisable_even_with_model_values_in_demos():
    program = build_qa(dspex)
    program.generate.demos = [{"question": "q", "context": [Point(x=1)], "answer": 2}]

    state = program.dump_state()

    assert json.loads(json.dumps(state)) == state
    assert state["generate"]["demos"] == [{"question": "q", "context": [{"x": 1}], "answer": 2}]


def test_dump_state_never_contains_the_api_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-very-secret-0123456789")
    program = build_qa(dspex)
    program.generate.lm = dspex.LM("openai/gpt-4o-mini", temperature=0.0)

    text = json.dumps(program.dump_state())

    assert "sk-test-very-secret" not in text
    assert program.dump_state()["generate"]["lm"]["model"] == "openai/gpt-4o-mini"
    assert "api_key" not in program.dump_state()["generate"]["lm"]


def test_load_state_restores_demos_and_instructions():
    source = build_qa(dspex, "Custom instructions.")
    source.generate.demos = [dspex.Example(question="q", context=["c1", "c2"], answer=7)]
    source.verify.predict.demos = [{"question": "q", "answer": 7, "reasoning": "r", "correct": True}]

    target = build_qa(dspex).load_state(json.loads(json.dumps(source.dump_state())))

    assert target.generate.signature.instructions == "Custom instructions."
    assert [d.to_dict() for d in target.generate.demos] == [
        {"question": "q", "context": ["c1", "c2"], "answer": 7}
    ]
    assert target.verify.predict.demos[0].reasoning == "r"
    assert all(isinstance(d, dspex.Example) for d in target.generate.demos)
    assert target.dump_state() == source.dump_state()


def test_loaded_demos_do_not_share_objects_with_the_state():
    state = build_qa(dspex).dump_state()
    state["generate"]["demos"] = [{"question": "q", "context": ["c"], "answer": 1}]
    program = build_qa(dspex).load_state(state)

    program.generate.demos[0]["context"].append("changed")

    assert state["generate"]["demos"][0]["context"] == ["c"]


def test_load_state_keeps_field_types():
    program = build_qa(dspex).load_state(build_qa(dspex, "New.").dump_state())

    assert program.generate.signature.fields["answer"].annotation is int
    assert program.generate.signature.fields["context"].annotation == list[str]


def test_unknown_predictor_names_in_state_are_a_clear_error():
    state = build_qa(dspex).dump_state()
    state["generator"] = state.pop("generate")

    with pytest.raises(ValueError) as info:
        build_qa(dspex).load_state(state)

    message = str(info.value)
    assert "state has predictors ['generator'] that QA does not have" in message
    assert "'generate'" in message and "'verify.predict'" in message


def test_state_with_only_some_predictors_loads_those():
    state = {"generate": build_qa(dspex, "Only this one.").dump_state()["generate"]}

    program = build_qa(dspex).load_state(state)

    assert program.generate.signature.instructions == "Only this one."
    assert program.verify.predict.signature.instructions == (
        "Given the fields `question`, `answer`, produce the fields `correct`."
    )


def test_state_with_an_lm_loads_back_an_lm():
    source = build_qa(dspex)
    source.generate.lm = dspex.LM("openai/gpt-4o-mini", temperature=0.0)

    target = build_qa(dspex).load_state(json.loads(json.dumps(source.dump_state())))

    assert isinstance(target.generate.lm, dspex.LM)
    assert target.generate.lm.model == "openai/gpt-4o-mini"
    assert target.generate.lm.kwargs["temperature"] == 0.0
    assert target.verify.predict.lm is None


def test_examples_nested_in_a_demo_are_saved_as_plain_data():
    program = build_qa(dspex)
    program.generate.demos = [dspex.Example(question=[dspex.Example(q="inner")], context=["c"], answer=1)]

    state = program.dump_state()["generate"]

    assert state["demos"] == [{"question": [{"q": "inner"}], "context": ["c"], "answer": 1}]
