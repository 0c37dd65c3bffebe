"""``Program.execute`` / ``Program.execute_async`` work from ``manage.py shell``."""

from __future__ import annotations

import pytest

from programs.models import Execution, Program
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_execute_returns_a_prediction_with_attribute_access(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    prediction = Program.objects.get(name="qa").execute(question="Capital of France?")
    assert prediction.answer == "Paris"
    assert Execution.objects.get().status == Execution.Status.SUCCEEDED


def test_execute_async_returns_the_execution_id(openai_stub, qa_program, django_capture_on_commit_callbacks):
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True):
        execution_id = qa_program.execute_async(question="Capital of France?")
    execution = Execution.objects.get(pk=execution_id)
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Paris"}
