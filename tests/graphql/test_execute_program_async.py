"""executeProgramAsync: a pending execution at once; the (eager) Celery task completes it on commit."""

from __future__ import annotations

import pytest

from programs.models import Execution
from tests.graphql.conftest import gid
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

EXECUTE_ASYNC = """mutation($id: ID!, $inputs: JSON!) { executeProgramAsync(id: $id, inputs: $inputs) {
    execution { id status } status errors { field message code } } }"""
EXECUTION = """query($id: ID!) { execution(id: $id) { status outputs error lmCalls { totalCount } } }"""


def test_it_returns_a_pending_execution_that_the_task_completes(
    graphql, openai_stub, qa_program, django_capture_on_commit_callbacks, settings
):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payload = graphql(EXECUTE_ASYNC, {"id": gid(qa_program), "inputs": {"question": "Capital?"}}).data[
            "executeProgramAsync"
        ]
        assert payload["errors"] == []
        assert payload["status"] == "pending"
        assert payload["execution"]["status"] == "pending"
        assert openai_stub.completion_requests() == []  # nothing runs before the commit
    assert len(callbacks) == 1
    execution = graphql(EXECUTION, {"id": payload["execution"]["id"]}).data["execution"]
    assert execution == {
        "status": "succeeded",
        "outputs": {"answer": "Paris"},
        "error": "",
        "lmCalls": {"totalCount": 1},
    }


def test_a_failing_run_is_recorded_on_the_execution(
    graphql, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script({"status": 400})
    with django_capture_on_commit_callbacks(execute=True):
        payload = graphql(EXECUTE_ASYNC, {"id": gid(qa_program), "inputs": {"question": "q"}}).data[
            "executeProgramAsync"
        ]
    execution = graphql(EXECUTION, {"id": payload["execution"]["id"]}).data["execution"]
    assert execution["status"] == "failed"
    assert "BadRequestError" in execution["error"]


def test_bad_inputs_enqueue_nothing(graphql, openai_stub, qa_program, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payload = graphql(EXECUTE_ASYNC, {"id": gid(qa_program), "inputs": {"query": "q"}}).data[
            "executeProgramAsync"
        ]
    assert payload["execution"] is None
    assert {error["field"] for error in payload["errors"]} >= {"inputs.query"}
    assert callbacks == []
    assert not Execution.objects.exists()
    assert openai_stub.completion_requests() == []


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_eager_task_has_run_by_the_time_of_the_response(graphql, openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    payload = graphql(EXECUTE_ASYNC, {"id": gid(qa_program), "inputs": {"question": "q"}}).data[
        "executeProgramAsync"
    ]
    assert payload["status"] == "succeeded"
    assert payload["execution"]["status"] == "succeeded"
