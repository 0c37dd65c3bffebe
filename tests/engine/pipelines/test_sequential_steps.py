"""Module steps run in order; each reads pipeline inputs and earlier outputs."""

from __future__ import annotations

import dspex
from dspex.pipelines import PipelinePrediction
from tests.engine.pipelines.helpers import first_output, reply, sent_inputs

DRAFT_THEN_ANSWER = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {
            "id": "draft",
            "kind": "module",
            "module": "chain_of_thought",
            "signature": "question -> draft",
            "inputs": {"question": "$.question"},
        },
        {
            "id": "final",
            "kind": "module",
            "module": "predict",
            "signature": "question, draft -> answer",
            "inputs": {"question": "question", "draft": "upper(draft.draft)"},
        },
    ],
    "output_map": {"answer": "final.answer"},
}


def test_steps_run_in_order_and_see_earlier_outputs(openai_stub, stub_lm):
    openai_stub.script(
        reply(reasoning="Think about France.", draft="paris, probably"),
        reply(answer="Paris"),
    )

    pred = dspex.Pipeline(DRAFT_THEN_ANSWER)(question="Capital of France?", lm=stub_lm)

    assert isinstance(pred, PipelinePrediction)
    assert pred.answer == "Paris"
    assert pred.keys() == ["answer"]
    first, second = openai_stub.completion_requests()
    assert first_output(first) == "reasoning"
    assert sent_inputs(first) == {"question": "Capital of France?"}
    assert sent_inputs(second) == {"question": "Capital of France?", "draft": "PARIS, PROBABLY"}


def test_unmapped_inputs_and_outputs_are_wired_by_name(openai_stub, stub_lm):
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [
            {"id": "draft", "module": "predict", "signature": "question -> draft"},
            {"id": "second_draft", "module": "predict", "signature": "question -> draft"},
            {"id": "final", "module": "predict", "signature": "question, draft -> answer"},
        ],
    }
    openai_stub.script(reply(draft="first"), reply(draft="second"), reply(answer="done"))

    pred = dspex.Pipeline(spec)(question="Q", lm=stub_lm)

    assert pred.answer == "done"
    requests = openai_stub.completion_requests()
    assert sent_inputs(requests[2]) == {"question": "Q", "draft": "second"}  # the latest draft


def test_step_config_and_instructions_reach_the_module(openai_stub, stub_lm):
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [
            {
                "id": "answer_it",
                "module": "predict",
                "signature": "question -> answer",
                "instructions": "Answer in one word.",
                "config": {"temperature": 0.3, "max_tokens": 20},
            }
        ],
    }
    openai_stub.script(reply(answer="Paris"))

    dspex.Pipeline(spec)(question="Q", lm=stub_lm)

    sent = openai_stub.completion_requests()[0].json
    assert sent["temperature"] == 0.3 and sent["max_tokens"] == 20
    assert "Answer in one word." in sent["messages"][0]["content"]


def test_typed_pipeline_inputs_and_outputs_are_validated_and_coerced(openai_stub, stub_lm):
    spec = {
        "inputs": ["numbers: list[int]"],
        "outputs": ["total: int"],
        "steps": [{"id": "add", "module": "predict", "signature": "numbers: list[int] -> total: int"}],
    }
    openai_stub.script(reply(total="6"))
    pipeline = dspex.Pipeline(spec)

    pred = pipeline(numbers=["1", 2, 3], lm=stub_lm)

    assert pred.total == 6
    assert sent_inputs(openai_stub.completion_requests()[0]) == {"numbers": "[1, 2, 3]"}


def test_missing_and_unknown_inputs_fail_before_any_lm_call(openai_stub, stub_lm):
    pipeline = dspex.Pipeline(DRAFT_THEN_ANSWER)
    for bad in ({}, {"question": "Q", "extra": 1}):
        try:
            pipeline(**bad, lm=stub_lm)
        except dspex.FieldValidationError as error:
            assert error.field in ("question", "extra")
        else:
            raise AssertionError("expected a FieldValidationError")
    assert openai_stub.completion_requests() == []


def test_the_configured_lm_is_used_when_none_is_passed(openai_stub, stub_lm):
    openai_stub.set_default(reply(reasoning="r", draft="d", answer="a"))
    dspex.configure(lm=stub_lm)

    assert dspex.Pipeline(DRAFT_THEN_ANSWER)(question="Q").answer == "a"
    assert len(stub_lm.history) == 2


def test_a_pipeline_reports_its_signature_and_spec():
    pipeline = dspex.Pipeline(DRAFT_THEN_ANSWER)

    assert pipeline.input_names == ["question"] and pipeline.output_names == ["answer"]
    assert pipeline.spec == DRAFT_THEN_ANSWER
    assert pipeline.spec is not pipeline.spec
    assert list(pipeline.modules) == ["draft", "final"]
    assert "draft=ChainOfThought" in repr(pipeline)
    import json

    assert dspex.Pipeline.from_json(json.dumps(DRAFT_THEN_ANSWER)).spec == DRAFT_THEN_ANSWER
