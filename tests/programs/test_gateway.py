"""Rows convert to engine objects and back without losing anything."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

import dspex
from programs.gateway.lms import lm_from_config
from programs.gateway.modules import module_from_version
from programs.gateway.signatures import prediction_from_outputs, signature_from_row
from programs.gateway.usage import traces_from_calls, usage_totals
from programs.models import Execution, Signature
from programs.services import program_create, program_version_create, signature_create
from tests.stubs.fixtures import STUB_KEY_ENV

pytestmark = pytest.mark.django_db


def test_a_spec_row_becomes_the_same_signature_as_the_string():
    row = Signature(name="qa", spec="context: list[str], question -> answer: int")
    assert signature_from_row(row) == dspex.Signature("context: list[str], question -> answer: int")


def test_instructions_replace_the_default_ones():
    row = Signature(name="qa", spec="question -> answer", instructions="Answer tersely.")
    assert signature_from_row(row).instructions == "Answer tersely."


def test_a_field_list_row_becomes_the_equivalent_class_signature():
    class Rate(dspex.Signature):
        """Rate the review."""

        review: str = dspex.InputField(desc="a movie review")
        stars: int = dspex.OutputField(ge=1, le=5)

    row = Signature(
        name="rate",
        instructions="Rate the review.",
        fields=[
            {"name": "review", "kind": "input", "type": "str", "desc": "a movie review"},
            {"name": "stars", "kind": "output", "type": "int", "constraints": {"ge": 1, "le": 5}},
        ],
    )
    built = signature_from_row(row)
    assert built == Rate
    assert built.output_fields["stars"].constraints == {"ge": 1, "le": 5}
    assert dspex.ChatAdapter().format(built, [], {"review": "great"}) == dspex.ChatAdapter().format(
        Rate, [], {"review": "great"}
    )


def test_a_module_rebuilt_from_a_version_dumps_the_same_state(qa_signature):
    program = program_create(name="cot", signature=qa_signature, module_type="chain_of_thought")
    state = program.current_version.state
    state["predict"]["demos"] = [{"question": "2+2?", "reasoning": "Add.", "answer": "4"}]
    state["predict"]["signature"]["instructions"] = "Think, then answer."
    version = program_version_create(program=program, state=state)
    module = module_from_version(version)
    assert isinstance(module, dspex.ChainOfThought)
    assert json.loads(json.dumps(module.dump_state())) == version.state
    assert module.predict.signature.instructions == "Think, then answer."


def test_a_state_saved_by_dspex_loads_as_a_version(qa_signature, tmp_path):
    engine_program = dspex.Predict("question -> answer")
    engine_program.demos = [dspex.Example(question="1+1?", answer="2")]
    engine_program.save(tmp_path / "qa.json")
    program = program_create(name="imported", signature=qa_signature)
    version = program_version_create(
        program=program, state=json.loads((tmp_path / "qa.json").read_text()), source="import"
    )
    assert module_from_version(version).demos[0].answer == "2"
    assert "metadata" not in module_from_version(version).dump_state()


def test_an_lm_config_becomes_an_lm_on_its_endpoint(stub_endpoint, openai_stub):
    lm = lm_from_config({"endpoint": "stub", "model": "m", "params": {"temperature": 0.3}})
    assert (lm.model, lm.base_url, lm.api_key_env, lm.kwargs["temperature"]) == (
        "openai/m",
        openai_stub.base_url,
        None,
        0.3,
    )
    assert lm._key_env == STUB_KEY_ENV  # the operator's variable, named by the endpoint


def test_the_default_model_comes_from_the_setting_at_call_time(settings):
    settings.DSPEX_DEFAULT_LM = "openai/from-settings"
    assert lm_from_config({}).model == "openai/from-settings"
    settings.DSPEX_DEFAULT_LM = "local/gemma-3-270m"
    assert lm_from_config(None).model == "local/gemma-3-270m"


def test_an_lm_config_the_engine_refuses_is_a_validation_error():
    with pytest.raises(ValidationError) as caught:
        lm_from_config({"model": "openai/m", "params": {"model_type": "hologram"}})
    assert "lm_config" in caught.value.message_dict


def test_lm_calls_become_trace_rows_in_order(openai_stub, stub_lm_config, user):
    signature = signature_create(name="qa", spec="question -> answer", owner=user)
    program = program_create(name="qa", signature=signature, lm_config=stub_lm_config)
    lm = lm_from_config(program.lm_config)
    with dspex.track_calls() as calls:
        lm("one")
        lm("two")
    execution = Execution.objects.create(program_version=program.current_version, inputs={})
    traces = traces_from_calls(execution, calls)
    assert [t.position for t in traces] == [0, 1]
    assert [t.messages[0]["content"] for t in traces] == ["one", "two"]
    assert all(t.created_at is not None and t.model == "openai/stub-model" for t in traces)
    prompt, completion, cost = usage_totals(calls)
    assert prompt == sum(c.usage["prompt_tokens"] for c in calls)
    assert completion == sum(c.usage["completion_tokens"] for c in calls)
    assert cost is None  # the stub model has no price


def test_stored_outputs_come_back_as_a_prediction():
    prediction = prediction_from_outputs({"answer": "Paris", "score": 0.5})
    assert isinstance(prediction, dspex.Prediction)
    assert (prediction.answer, float(prediction)) == ("Paris", 0.5)
