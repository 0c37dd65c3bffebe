"""Executing a program in-process records an Execution with outputs, usage and LM call traces."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programs.errors import ExecutionFailed
from programs.models import Execution, LMCallTrace
from programs.services import program_create, program_execute, program_version_create, signature_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_it_returns_the_outputs_and_records_a_succeeded_execution(openai_stub, qa_program, user):
    openai_stub.script(reply(answer="Paris"))
    execution = program_execute(program=qa_program, inputs={"question": "Capital of France?"}, user=user)
    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Paris"}
    assert execution.inputs == {"question": "Capital of France?"}
    assert execution.program_version == qa_program.current_version
    assert execution.backend == "native"
    assert execution.created_by == user
    assert execution.error == ""
    assert execution.latency_ms > 0
    assert execution.started_at <= execution.finished_at


def test_it_records_tokens_and_one_trace_per_lm_call(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    execution = program_execute(program=qa_program, inputs={"question": "Capital of France?"})
    [trace] = LMCallTrace.objects.filter(execution=execution)
    assert trace.position == 0
    assert trace.model == "openai/stub-model"
    assert trace.messages[0]["role"] == "system"
    assert "Capital of France?" in trace.messages[-1]["content"]
    assert trace.outputs == [reply(answer="Paris")]
    assert trace.response == reply(answer="Paris")
    assert trace.usage["prompt_tokens"] > 0
    assert trace.cache_hit is False
    assert trace.latency_ms > 0
    assert execution.prompt_tokens == trace.usage["prompt_tokens"]
    assert execution.completion_tokens == trace.usage["completion_tokens"]
    assert execution.total_tokens == trace.usage["total_tokens"]


def test_the_cost_of_an_unpriced_model_is_unknown(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    execution = program_execute(program=qa_program, inputs={"question": "q"})
    assert execution.cost is None


def test_the_cost_of_a_priced_model_is_recorded_as_a_decimal(openai_stub, qa_signature, stub_lm_config):
    program = program_create(
        name="priced", signature=qa_signature, lm_config={**stub_lm_config, "model": "openai/gpt-4o-mini"}
    )
    openai_stub.script(
        {"content": reply(answer="Paris"), "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
    )
    execution = program_execute(program=program, inputs={"question": "q"})
    execution.refresh_from_db()
    assert isinstance(execution.cost, Decimal)
    assert execution.cost > 0
    assert execution.lm_calls.get().cost == execution.cost


def test_a_chain_of_thought_program_returns_its_reasoning(openai_stub, qa_signature, stub_lm_config):
    program = program_create(
        name="cot", signature=qa_signature, module_type="chain_of_thought", lm_config=stub_lm_config
    )
    openai_stub.script(reply(reasoning="It is the capital.", answer="Paris"))
    execution = program_execute(program=program, inputs={"question": "Capital of France?"})
    assert execution.outputs == {"reasoning": "It is the capital.", "answer": "Paris"}


def test_typed_outputs_are_stored_as_json(openai_stub, user, stub_lm_config):
    signature = signature_create(
        name="add", spec="a: int, b: int -> total: int, parts: list[int]", owner=user
    )
    program = program_create(name="add", signature=signature, lm_config=stub_lm_config)
    openai_stub.script(reply(total="5", parts="[2, 3]"))
    execution = program_execute(program=program, inputs={"a": "2", "b": 3})
    execution.refresh_from_db()
    assert execution.inputs == {"a": 2, "b": 3}
    assert execution.outputs == {"total": 5, "parts": [2, 3]}


def test_it_runs_the_demos_of_the_current_version(openai_stub, qa_program):
    state = qa_program.current_version.state
    program_version_create(
        program=qa_program,
        state={**state, "demos": [{"question": "Capital of Italy?", "answer": "Rome"}]},
    )
    openai_stub.script(reply(answer="Paris"))
    program_execute(program=qa_program, inputs={"question": "Capital of France?"})
    messages = openai_stub.completion_requests()[-1].json["messages"]
    assert any("Capital of Italy?" in m["content"] for m in messages if m["role"] == "user")
    assert any("Rome" in m["content"] for m in messages if m["role"] == "assistant")


def test_it_can_run_an_older_version(openai_stub, qa_program):
    first = qa_program.current_version
    program_version_create(program=qa_program, state=first.state)
    openai_stub.script(reply(answer="Paris"))
    execution = program_execute(program=qa_program, inputs={"question": "q"}, version=first)
    assert execution.program_version == first


@pytest.mark.parametrize(
    "inputs, field, words",
    [
        ({}, "question", "missing required input"),
        ({"question": "q", "colour": "red"}, "colour", "unknown input field"),
    ],
)
def test_bad_inputs_are_rejected_before_any_lm_call(openai_stub, qa_program, inputs, field, words):
    with pytest.raises(ValidationError) as caught:
        program_execute(program=qa_program, inputs=inputs)
    assert words in caught.value.message_dict[field][0]
    assert openai_stub.completion_requests() == []
    assert not Execution.objects.exists()


def test_a_wrongly_typed_input_names_the_field_and_the_type(openai_stub, user, stub_lm_config):
    signature = signature_create(name="count", spec="n: int -> doubled: int", owner=user)
    program = program_create(name="count", signature=signature, lm_config=stub_lm_config)
    with pytest.raises(ValidationError) as caught:
        program_execute(program=program, inputs={"n": "many"})
    [message] = caught.value.message_dict["n"]
    assert "`n` expects int" in message
    assert "'many'" in message
    assert openai_stub.completion_requests() == []


def test_an_lm_error_marks_the_execution_failed_and_raises(openai_stub, qa_program):
    openai_stub.script({"status": 401})
    with pytest.raises(ExecutionFailed) as caught:
        program_execute(program=qa_program, inputs={"question": "q"})
    execution = Execution.objects.get()
    assert caught.value.execution == execution
    assert execution.status == Execution.Status.FAILED
    assert "AuthenticationError" in execution.error
    assert "HTTP 401" in execution.error
    assert execution.outputs is None
    assert execution.finished_at is not None
    assert f"Execution {execution.pk}" in str(caught.value)


def test_an_unparseable_response_fails_with_the_raw_completion_traced(openai_stub, qa_program):
    openai_stub.script("I refuse to follow the format.", "Still no format.")
    with pytest.raises(ExecutionFailed):
        program_execute(program=qa_program, inputs={"question": "q"})
    execution = Execution.objects.get()
    assert execution.status == Execution.Status.FAILED
    assert "Could not parse the LM response" in execution.error
    traces = list(execution.lm_calls.order_by("position"))
    assert traces[0].outputs == ["I refuse to follow the format."]
    assert [t.position for t in traces] == list(range(len(traces)))


def test_no_api_key_is_stored_anywhere(openai_stub, qa_program):
    from tests.stubs.fixtures import STUB_KEY

    openai_stub.script(reply(answer="Paris"))
    execution = program_execute(program=qa_program, inputs={"question": "q"})
    assert openai_stub.completion_requests()[-1].headers["authorization"] == f"Bearer {STUB_KEY}"
    stored = [
        repr(qa_program.lm_config),
        repr(qa_program.current_version.state),
        repr(list(execution.lm_calls.values())),
        repr(Execution.objects.filter(pk=execution.pk).values().get()),
    ]
    assert not any(STUB_KEY in text for text in stored)
