"""Every run records its steps: inputs, outputs, latency and the LM calls each one made."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.pipelines.helpers import first_output, reply

SPEC = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
        {
            "kind": "parallel",
            "steps": [
                {"id": "check", "module": "predict", "signature": "draft -> ok: bool"},
                {"id": "final", "module": "predict", "signature": "question, draft -> answer"},
            ],
        },
    ],
}


def _respond(request):
    return {
        "reasoning": reply(reasoning="r", draft="d"),
        "ok": reply(ok="true"),
        "answer": reply(answer="a"),
    }[first_output(request)]


def test_records_follow_the_spec_and_carry_values_and_lm_calls(openai_stub, stub_lm):
    openai_stub.responder = _respond

    with dspex.track_calls() as calls:
        pred = dspex.Pipeline(SPEC)(question="Q", lm=stub_lm)

    assert [(r.id, r.kind, r.path) for r in pred.steps] == [
        ("draft", "module", "steps[0]"),
        (None, "parallel", "steps[1]"),
        ("check", "module", "steps[1].steps[0]"),
        ("final", "module", "steps[1].steps[1]"),
    ]
    draft, _, check, final = pred.steps
    assert draft.module == "chain_of_thought" and draft.inputs == {"question": "Q"}
    assert draft.outputs == {"reasoning": "r", "draft": "d"}
    assert check.outputs == {"ok": True} and final.outputs == {"answer": "a"}
    assert all(r.status == "ok" and r.latency_ms > 0 for r in pred.steps)
    assert [len(r.lm_calls) for r in pred.steps] == [1, 0, 1, 1]
    assert draft.lm_calls[0].outputs == [reply(reasoning="r", draft="d")]
    assert draft.usage["total_tokens"] == draft.lm_calls[0].usage["total_tokens"] > 0
    assert len(calls) == 3  # the caller's own tracking still sees every call


def test_records_are_plain_json_for_storage(openai_stub, stub_lm):
    openai_stub.responder = _respond

    pred = dspex.Pipeline(SPEC)(question="Q", lm=stub_lm)

    stored = json.loads(json.dumps([r.to_dict() for r in pred.steps]))
    assert stored[0]["outputs"] == {"reasoning": "r", "draft": "d"}
    assert stored[0]["lm_calls"][0]["model"] == "openai/stub-model"
    assert stored[2]["cost"] is None or stored[2]["cost"] >= 0


def test_module_steps_are_traced_for_optimizers(openai_stub, stub_lm):
    openai_stub.responder = _respond
    pipeline = dspex.Pipeline(SPEC)
    trace: list = []

    with dspex.context(trace=trace):
        pipeline(question="Q", lm=stub_lm)

    names = {id(p): n for n, p in pipeline.named_predictors()}
    assert sorted(names[id(predictor)] for predictor, _, _ in trace) == ["check", "draft.predict", "final"]


def test_a_failed_step_is_recorded_and_reported_with_the_steps_before_it(openai_stub, stub_lm):
    openai_stub.script(reply(reasoning="r", draft="d"), "no sections at all", "still nothing")
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [
            {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
            {"id": "final", "module": "predict", "signature": "question, draft -> answer"},
        ],
    }

    with pytest.raises(dspex.AdapterParseError) as caught:
        dspex.Pipeline(spec)(question="Q", lm=stub_lm)

    records = caught.value.pipeline_steps
    assert [(r.id, r.status) for r in records] == [("draft", "ok"), ("final", "error")]
    assert records[1].error.startswith("AdapterParseError") and len(records[1].lm_calls) == 2
    assert "in pipeline step 'final' (steps[1])" in caught.value.__notes__


def test_pipeline_errors_carry_the_records_too(openai_stub, stub_lm):
    openai_stub.script(reply(reasoning="r", draft="d"))
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [{"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"}],
        "output_map": {"answer": "draft.draft[10]"},
    }

    with pytest.raises(dspex.PipelineError) as caught:
        dspex.Pipeline(spec)(question="Q", lm=stub_lm)

    assert caught.value.path == "output_map.answer"
    assert [r.id for r in caught.value.steps] == ["draft"]
