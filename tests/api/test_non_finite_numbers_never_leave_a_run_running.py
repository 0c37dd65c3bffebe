"""Infinity and NaN (JSON has neither) never leave an Execution ``running``: outputs holding one
fail the run with a message naming the field, on the REST, background and streaming paths;
step records keep the value spelled as a string; inputs holding one are a 400."""

from __future__ import annotations

import json

import pytest

from programs.models import Execution
from programs.services import program_execute
from tests.api.test_execute_streams_server_sent_events import events_of
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

PIPELINE = {
    "inputs": ["question"],
    "outputs": ["score: float"],
    "steps": [{"id": "rate", "module": "predict", "signature": "question -> score: float"}],
    "output_map": {"score": "rate.score"},
}


@pytest.fixture
def score_program(make_program, user):
    return make_program(user, name="scorer", spec="question -> score: float")


@pytest.fixture
def pipeline_program(make_program, user):
    return make_program(
        user, name="rated", spec="question -> score: float", module_type="pipeline", module_config=PIPELINE
    )


@pytest.fixture
def execute(django_capture_on_commit_callbacks):
    """``execute(client, program, query)``; with ``?async=true`` the task queued on commit runs
    (eagerly, in tests) before this returns."""

    def post(client, program, query=""):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/api/programs/{program.pk}/execute/{query}", {"question": "q"}, format="json"
            )

    return post


@pytest.mark.parametrize("text", ["inf", "-Infinity", "nan"])
def test_a_non_finite_output_is_a_failed_run_naming_the_field(
    ada_api, openai_stub, score_program, text, execute
):
    openai_stub.script(reply(score=text))
    response = execute(ada_api, score_program)
    assert response.status_code == 502, response.content
    body = response.json()
    assert body["status"] == "failed"
    execution = Execution.objects.get(pk=body["execution_id"])
    assert execution.status == "failed" and execution.finished_at is not None
    assert execution.outputs is None
    assert "The output score is not a finite number" in execution.error
    assert execution.lm_calls.count() == 1  # the trace of the call is kept


def test_the_background_path_fails_the_row_the_same_way(ada_api, openai_stub, score_program, execute):
    openai_stub.script(reply(score="inf"))
    response = execute(ada_api, score_program, "?async=true")  # eager tasks: it has run
    assert response.status_code == 202
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.status == "failed"
    assert "not a finite number (inf)" in execution.error


def test_the_stream_ends_with_an_error_event_and_a_failed_row(ada_api, openai_stub, score_program, execute):
    openai_stub.script(reply(score="nan"))
    events = events_of(execute(ada_api, score_program, "?stream=true"))
    kind, data = events[-1]
    assert kind == "error" and data["status"] == "failed"
    assert "not a finite number (nan)" in data["error"]
    assert Execution.objects.get(pk=data["execution_id"]).status == "failed"


def test_a_pipeline_keeps_the_step_record_with_the_value_spelled_out(
    ada_api, openai_stub, pipeline_program, execute
):
    openai_stub.script(reply(score="inf"))
    response = execute(ada_api, pipeline_program)
    assert response.status_code == 502
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.status == "failed"
    assert execution.steps[0]["outputs"] == {"score": "Infinity"}
    json.dumps(execution.steps, allow_nan=False)  # plain JSON


def test_a_pipeline_expression_that_overflows_fails_at_its_step(
    ada_api, openai_stub, make_program, user, execute
):
    spec = {**PIPELINE, "output_map": {"score": "rate.score * 1e308 * 10"}}
    program = make_program(user, name="overflow", spec="question -> score: float", module_type="pipeline",
                           module_config=spec)  # fmt: skip
    openai_stub.script(reply(score="2"))
    for query in ("", "?async=true"):
        response = execute(ada_api, program, query)
        execution = Execution.objects.get(pk=response.json()["execution_id"])
        assert execution.status == "failed"
        assert "output_map.score" in execution.error and "not a finite number" in execution.error
        openai_stub.script(reply(score="2"))


def test_non_finite_inputs_are_refused_naming_the_field(qa_program):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        program_execute(program=qa_program, inputs={"question": float("inf")})
    assert "question" in caught.value.message_dict
    assert not Execution.objects.exists()


def test_a_json_body_with_nan_is_a_400(ada_api, qa_program):
    response = ada_api.post(
        f"/api/programs/{qa_program.pk}/execute/", '{"question": NaN}', content_type="application/json"
    )
    assert response.status_code == 400
    assert not Execution.objects.exists()
