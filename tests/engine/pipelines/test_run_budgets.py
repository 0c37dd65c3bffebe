"""A pipeline run has budgets of its own: steps run (map iterations count), characters recorded,
the size of every value it builds. A bomb that can be seen in the spec is a validation error."""

from __future__ import annotations

import pytest

import dspex
from dspex.pipelines import PipelineError, PipelineLimits, PipelineValidationError
from tests.engine.pipelines.helpers import reply


def idle_map(over: str, collect: str, item: str = "item", **extra) -> dict:
    """A map whose body makes no LM call (its one step is a conditional that never runs)."""
    never = {
        "kind": "conditional",
        "if": "false",
        "then": [{"id": f"never_{item}", "module": "predict", "signature": f"{item} -> b"}],
    }
    return {"kind": "map", "id": "m", "over": over, "as": item, "steps": [never], "collect": collect, **extra}


def pipeline(*steps: dict, answer: str = "str(len(m))") -> dspex.Pipeline:
    spec = {
        "inputs": ["items", "big"],
        "outputs": ["answer"],
        "steps": list(steps),
        "output_map": {"answer": answer},
    }
    return dspex.Pipeline(spec)


def test_a_constant_bomb_in_the_spec_is_a_validation_error_naming_the_budget():
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [
            {
                "id": "s",
                "module": "predict",
                "signature": "question, context -> answer",
                "inputs": {"context": "str([[1] * 100000] * 100000)"},
            }
        ],
        "output_map": {"answer": "[['x'] * 1000] * 100000"},
    }
    with pytest.raises(PipelineValidationError) as caught:
        dspex.Pipeline(spec)
    problems = caught.value.as_dict()
    assert "max_elements" in " ".join(problems["steps[0].inputs.context"])
    assert "max_elements" in " ".join(problems["output_map.answer"])


def test_constants_within_budget_and_other_constant_errors_are_left_to_the_run():
    spec = {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [{"id": "s", "module": "predict", "signature": "question -> answer"}],
        "output_map": {"answer": "str([0] * 1000) + str(1 / 0 > 1)"},
    }
    dspex.Pipeline(spec)  # division by zero is the run's error, as it always was


def test_a_map_that_collects_a_big_value_per_item_fails_fast_at_the_map():
    with pytest.raises(PipelineError) as caught:
        pipeline(idle_map("$.items", "$.big"))(items=list(range(1000)), big=list(range(5000)))
    error = caught.value
    # It stopped at the map: the records are of the map's 1,000 idle iterations, nothing after.
    assert len(error.steps) <= 1000
    assert error.budget == "max_elements" and error.step_id == "m" and error.path == "steps[0]"
    assert "the value of map m would have 5,001,001 elements" in str(error)


def test_a_map_with_more_iterations_than_the_step_budget_starts_none_of_them(openai_stub, stub_lm):
    spec_step = {
        "kind": "map",
        "id": "m",
        "over": "$.items",
        "steps": [{"id": "p", "module": "predict", "signature": "item -> out"}],
        "collect": "p.out",
    }
    with dspex.context(pipeline_limits={"max_step_runs": 50}), pytest.raises(PipelineError) as caught:
        pipeline(spec_step)(items=list(range(100)), big=[], lm=stub_lm)
    assert caught.value.budget == "max_step_runs"
    assert "100 items in map m" in str(caught.value)
    assert openai_stub.completion_requests() == []


def test_nested_maps_stop_once_the_step_budget_is_spent():
    inner = idle_map("$.items", "inner_item", item="inner_item")
    inner["id"] = "inner"
    outer = {"kind": "map", "id": "m", "over": "$.items", "steps": [inner], "collect": "inner"}
    with (
        dspex.context(pipeline_limits=PipelineLimits(max_step_runs=500)),
        pytest.raises(PipelineError) as caught,
    ):
        pipeline(outer)(items=list(range(100)), big=[])
    assert caught.value.budget == "max_step_runs"
    # It stopped at the budget, not after all 10,100 steps (the records are of the steps that ran).
    assert 0 < len(caught.value.steps) <= 500


def test_step_inputs_count_against_the_runs_recorded_characters(openai_stub, stub_lm):
    openai_stub.set_default(reply(out="ok"))
    step = {
        "kind": "map",
        "id": "m",
        "over": "$.items",
        "max_concurrency": 1,
        "steps": [{"id": "p", "module": "predict", "signature": "big -> out", "inputs": {"big": "$.big"}}],
        "collect": "p.out",
    }
    with dspex.context(pipeline_limits={"max_run_chars": 1_000_000}), pytest.raises(PipelineError) as caught:
        pipeline(step)(items=list(range(10)), big="x" * 300_000, lm=stub_lm)
    assert caught.value.budget == "max_run_chars"
    assert "the inputs of step p[3]" in str(caught.value)
    assert len(openai_stub.completion_requests()) == 3


def test_an_expression_bomb_at_run_time_names_the_step_and_the_budget():
    step = idle_map("$.items", "[$.big] * 1000")
    with pytest.raises(PipelineError) as caught:
        pipeline(step)(items=[1], big=list(range(5000)))
    error = caught.value
    assert error.budget == "max_elements" and error.path == "steps[0].collect"
    assert "max_elements" in str(error) and "steps[0].collect" in str(error)
