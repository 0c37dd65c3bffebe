"""Executions record their LM calls on the row; the engine's process-wide history, which would
hold every tenant's prompts, stays empty in the platform (``DSPEX_GLOBAL_LM_HISTORY`` is 0)."""

from __future__ import annotations

import pytest

from dspex.lm import history
from programs.services import program_execute
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_an_execution_leaves_nothing_in_the_global_history(openai_stub, qa_program) -> None:
    openai_stub.script(reply(answer="Paris"))
    before = len(history.GLOBAL_HISTORY)
    execution = program_execute(program=qa_program, inputs={"question": "Capital of France?"})
    assert execution.lm_calls.count() == 1
    assert len(history.GLOBAL_HISTORY) == before == 0
