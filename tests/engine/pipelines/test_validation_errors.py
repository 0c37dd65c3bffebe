"""A bad spec is refused on construction with every problem, each at its path in the spec."""

from __future__ import annotations

import copy

import pytest

import dspex
from dspex.pipelines import PipelineValidationError, validate_pipeline

BASE = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "draft", "module": "predict", "signature": "question -> draft, confidence: float"},
        {
            "kind": "conditional",
            "id": "routed",
            "if": "draft.confidence > 0.5",
            "then": [{"id": "short", "module": "predict", "signature": "draft -> answer"}],
            "else": [{"id": "long", "module": "chain_of_thought", "signature": "question, draft -> answer"}],
        },
    ],
    "output_map": {"answer": "routed.answer"},
}


def issues_of(spec) -> dict[str, list[str]]:
    with pytest.raises(PipelineValidationError) as caught:
        dspex.Pipeline(spec)
    return caught.value.as_dict()


def changed(path: list, value) -> dict:
    spec = copy.deepcopy(BASE)
    target = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return spec


def test_the_base_spec_is_valid():
    assert validate_pipeline(BASE) == []


def test_an_unknown_module_type_lists_the_known_ones():
    issues = issues_of(changed(["steps", 1, "then", 0, "module"], "predicct"))
    [message] = issues["steps[1].then[0].module"]
    assert "unknown module type 'predicct'" in message
    assert "chain_of_thought, multi_chain_comparison, predict" in message


def test_a_bad_signature_carries_the_signature_errors_message():
    issues = issues_of(changed(["steps", 1, "then", 0, "signature"], "draft -> answer: list[int"))
    [message] = issues["steps[1].then[0].signature"]
    with pytest.raises(dspex.SignatureError) as caught:
        dspex.Signature("draft -> answer: list[int")
    assert message == str(caught.value)


def test_signature_types_are_never_looked_up_in_python_scopes():
    import collections  # noqa: F401  (a name a caller-scope lookup would find)

    issues = issues_of(changed(["steps", 0, "signature"], "question -> draft: collections.OrderedDict"))
    assert "steps[0].signature" in issues


def test_a_reference_to_a_step_that_has_not_run_yet_is_an_error():
    spec = changed(["steps", 0, "signature"], "question -> draft, confidence: float")
    spec["steps"][0]["inputs"] = {"question": "routed.answer"}
    [message] = issues_of(spec)["steps[0].inputs.question"]
    assert "step 'routed' (at steps[1]) is not available here" in message


def test_a_reference_into_a_branch_from_outside_is_an_error():
    spec = changed(["output_map", "answer"], "short.answer")
    [message] = issues_of(spec)["output_map.answer"]
    assert "step 'short' (at steps[1].then[0]) is not available here" in message


def test_a_reference_to_a_missing_output_field_names_the_fields_there_are():
    spec = changed(["steps", 1, "if"], "draft.confidance > 0.5")
    [message] = issues_of(spec)["steps[1].if"]
    assert "step 'draft' has no field 'confidance' (it has: confidence, draft)" in message
    assert "at position 5" in message


def test_chain_of_thought_steps_also_output_their_reasoning():
    spec = changed(["output_map", "answer"], "routed.reasoning")
    [message] = issues_of(spec)["output_map.answer"]
    assert "has no field 'reasoning'" in message  # only the else branch has it
    spec = copy.deepcopy(BASE)
    spec["steps"].append({"id": "explain", "module": "chain_of_thought", "signature": "question -> answer"})
    spec["output_map"] = {"answer": "explain.reasoning"}
    assert validate_pipeline(spec) == []


def test_unknown_names_and_bad_pipeline_input_fields_are_errors():
    spec = changed(["steps", 0, "inputs"], {"question": "questoin"})
    assert (
        "unknown name 'questoin' (available here: question)" in issues_of(spec)["steps[0].inputs.question"][0]
    )
    spec = changed(["steps", 0, "inputs"], {"question": "$.q"})
    assert "the pipeline inputs ($) has no field 'q'" in issues_of(spec)["steps[0].inputs.question"][0]


def test_unknown_step_kinds_and_missing_kinds_are_errors():
    spec = changed(["steps", 1, "kind"], "loop")
    assert "unknown step kind 'loop'" in issues_of(spec)["steps[1].kind"][0]
    spec = changed(["steps", 1], {"id": "x", "steps": []})
    assert "missing step kind" in issues_of(spec)["steps[1].kind"][0]


def test_duplicate_ids_are_errors_even_in_other_branches():
    spec = changed(["steps", 1, "else", 0, "id"], "short")
    [message] = issues_of(spec)["steps[1].else[0].id"]
    assert "duplicate step id 'short' (also at steps[1].then[0])" in message


def test_ids_must_be_plain_names_distinct_from_inputs_and_keywords():
    assert "must be a name" in issues_of(changed(["steps", 0, "id"], "my-step"))["steps[0].id"][0]
    assert "reserved word" in issues_of(changed(["steps", 0, "id"], "null"))["steps[0].id"][0]
    assert "also a pipeline input" in issues_of(changed(["steps", 0, "id"], "question"))["steps[0].id"][0]
    spec = copy.deepcopy(BASE)
    del spec["steps"][0]["id"]
    assert "needs an id" in issues_of(spec)["steps[0].id"][0]


def test_bad_expressions_point_at_their_position():
    spec = changed(["steps", 1, "if"], "draft.confidence >> 0.5")
    [message] = issues_of(spec)["steps[1].if"]
    assert "at position 18" in message and "unexpected '>'" in message
    spec = changed(["steps", 1, "if"], "draft.__class__")
    assert "'__' are not allowed" in issues_of(spec)["steps[1].if"][0]
    spec = changed(["steps", 0, "inputs"], {"question": 42})
    assert "expected an expression string" in issues_of(spec)["steps[0].inputs.question"][0]


def test_step_inputs_must_exist_in_the_signature_and_be_resolvable():
    spec = changed(["steps", 0, "inputs"], {"query": "$.question"})
    assert "has no input `query`" in issues_of(spec)["steps[0].inputs.query"][0]
    spec = changed(["steps", 0, "signature"], "topic -> draft, confidence: float")
    assert "no value for input `topic`" in issues_of(spec)["steps[0].inputs"][0]


def test_outputs_must_be_produced_and_the_output_map_must_name_outputs():
    spec = copy.deepcopy(BASE)
    del spec["output_map"]
    assert validate_pipeline(spec) == []  # wired by name: the conditional's value has `answer`
    spec["outputs"] = ["verdict"]
    assert "no step produces `verdict`" in issues_of(spec)["output_map.verdict"][0]
    spec = changed(["output_map", "extra"], "draft.draft")
    assert "not a pipeline output" in issues_of(spec)["output_map.extra"][0]
    assert "is reserved" in issues_of(changed(["outputs"], ["steps"]))["outputs"][0]


def test_unknown_keys_are_errors_to_catch_typos():
    spec = changed(["steps", 0, "input"], {"question": "$.question"})
    assert "unknown key for a module step" in issues_of(spec)["steps[0].input"][0]
    assert "unknown key" in issues_of(changed(["stepz"], []))["stepz"][0]


def test_config_backend_and_tools_are_checked():
    spec = changed(["steps", 0, "backend"], "fastest")
    assert "expected one of auto, native, dspy" in issues_of(spec)["steps[0].backend"][0]
    spec = changed(["steps", 0, "config"], {"signature": "a -> b"})
    assert "set on the step itself" in issues_of(spec)["steps[0].config.signature"][0]
    spec = changed(["steps", 0, "config"], "fast")
    assert "expected an object" in issues_of(spec)["steps[0].config"][0]
    spec = changed(["steps", 0, "tools"], ["search"])
    assert "does not take tools" in issues_of(spec)["steps[0].tools"][0]


def test_a_conditional_with_an_id_needs_both_branches():
    spec = changed(["steps", 1, "else"], [])
    assert "needs steps in both branches" in issues_of(spec)["steps[1].else"][0]


def test_map_steps_check_their_list_and_loop_variable():
    spec = copy.deepcopy(BASE)
    spec["steps"].insert(
        1,
        {
            "kind": "map",
            "id": "each",
            "over": "draft.draft",
            "as": "draft",
            "max_concurrency": 0,
            "steps": [{"id": "inner", "module": "predict", "signature": "item -> out"}],
        },
    )
    issues = issues_of(spec)
    assert "has the name of a step" in issues["steps[1].as"][0]
    assert "expected a positive integer" in issues["steps[1].max_concurrency"][0]
    spec["steps"][1]["as"] = "item"
    spec["steps"][1]["max_concurrency"] = 2
    spec["output_map"] = {"answer": "each.out"}
    [message] = issues_of(spec)["output_map.answer"]
    assert "map step 'each' is a list: index it" in message


def test_every_problem_is_reported_at_once():
    spec = copy.deepcopy(BASE)
    spec["steps"][0]["module"] = "nope"
    spec["steps"][1]["then"][0]["signature"] = "draft -> "
    spec["steps"][1]["if"] = "draft.confidence >"
    with pytest.raises(PipelineValidationError) as caught:
        dspex.Pipeline(spec)
    paths = [issue.path for issue in caught.value.issues]
    assert paths == ["steps[0].module", "steps[1].if", "steps[1].then[0].signature"]
    assert str(caught.value).startswith("invalid pipeline spec (3 problems):\n  steps[0].module:")


@pytest.mark.parametrize(
    ("spec", "path", "text"),
    [
        ("{not json", "", "not valid JSON"),
        ([], "", "a pipeline spec is a JSON object"),
        ({"inputs": ["q"], "outputs": ["a"], "steps": []}, "steps", "non-empty list of steps"),
        ({"inputs": ["q"], "outputs": [], "steps": [{}]}, "outputs", "at least one output"),
        ({"inputs": "q", "outputs": ["a"], "steps": [{}]}, "inputs", "expected a list of field names"),
        ({"inputs": ["q"], "outputs": ["q"], "steps": [{}]}, "outputs", "on both sides"),
        ({"inputs": ["q: list[int"], "outputs": ["a"], "steps": [{}]}, "inputs[0]", "unbalanced '['"),
        (
            {"inputs": ["q"], "outputs": ["a", "b: Foo"], "steps": [{}]},
            "outputs[1]",
            "invalid field 'b: Foo'",
        ),
        ({"inputs": ["q"], "outputs": ["a"], "steps": ["predict"]}, "steps[0]", "a step is a JSON object"),
    ],
)
def test_malformed_specs_are_reported_not_crashed_on(spec, path, text):
    issues = validate_pipeline(spec)
    assert any(issue.path == path and text in issue.message for issue in issues), issues


def test_deeply_nested_and_oversized_specs_are_refused():
    step: dict = {"id": "leaf", "module": "predict", "signature": "q -> a"}
    for _ in range(12):
        step = {"kind": "parallel", "steps": [step]}
    issues = validate_pipeline({"inputs": ["q"], "outputs": ["a"], "steps": [step]})
    assert any("nested too deeply" in issue.message for issue in issues)
    many = [{"id": f"s{i}", "module": "predict", "signature": "q -> a"} for i in range(201)]
    issues = validate_pipeline({"inputs": ["q"], "outputs": ["a"], "steps": many})
    assert [issue.message for issue in issues] == ["too many steps (201, at most 200)"]
