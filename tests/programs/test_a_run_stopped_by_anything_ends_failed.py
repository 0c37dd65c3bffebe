"""Whatever stops a run after its row says ``running`` -- an exception the engine does not
catch, an interruption (``BaseException``), a record that cannot be saved -- the row ends
``failed`` with the reason, on the inline, background and streaming paths."""

from __future__ import annotations

import pytest

import dspex
from programs.models import Execution
from programs.services import execution_run, program_execute, program_execute_async, program_execute_stream

pytestmark = pytest.mark.django_db


class Interrupted(BaseException):
    """What a worker timeout or a signal handler raises into the running code."""


class Interrupts(dspex.Module):
    """A module type whose every call is interrupted."""

    def __init__(self, signature, **config):
        self.signature = dspex.ensure_signature(signature)

    def forward(self, **inputs):
        raise Interrupted("the worker is shutting down")

    async def aforward(self, **inputs):
        raise Interrupted("the worker is shutting down")


@pytest.fixture
def interrupted_program(settings, qa_signature, stub_lm_config, user):
    from programs.services import program_create

    settings.DSPEX_MODULE_TYPES = {"interrupts": ("Interrupts", f"{__name__}.Interrupts")}
    return program_create(
        name="interrupted",
        signature=qa_signature,
        module_type="interrupts",
        lm_config=stub_lm_config,
        owner=user,
    )


def only_execution() -> Execution:
    return Execution.objects.get()


def test_an_interrupted_inline_run_is_failed_not_running(interrupted_program):
    with pytest.raises(Interrupted):
        program_execute(program=interrupted_program, inputs={"question": "q"})
    execution = only_execution()
    assert execution.status == "failed" and execution.finished_at is not None
    assert execution.error == "The run stopped: interrupted"


def test_an_interrupted_background_run_is_failed_not_running(interrupted_program):
    pending = program_execute_async(program=interrupted_program, inputs={"question": "q"})
    with pytest.raises(Interrupted):
        execution_run(execution_id=pending.pk)
    assert only_execution().status == "failed"


def test_an_interrupted_stream_is_failed_not_running(interrupted_program):
    events = program_execute_stream(program=interrupted_program, inputs={"question": "q"})
    with pytest.raises(Interrupted):
        list(events)
    events.close()  # what Django does when the response ends
    execution = only_execution()
    assert execution.status == "failed"
    assert execution.error == "The run stopped: interrupted"


def test_a_stream_closed_before_it_started_is_failed_not_running(openai_stub, qa_program):
    events = program_execute_stream(program=qa_program, inputs={"question": "q"})
    events.close()  # the client went away before the first byte
    execution = only_execution()
    assert execution.status == "failed"
    assert execution.error.startswith("Cancelled: the client closed the stream")
    assert openai_stub.completion_requests() == []
