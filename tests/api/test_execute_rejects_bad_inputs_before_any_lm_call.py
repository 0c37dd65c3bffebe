"""Bad inputs to execute are a 400 naming the field; no LM request is made, nothing is recorded."""

from __future__ import annotations

import pytest

from programs.models import Execution

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "inputs, field, words",
    [
        ({}, "question", "missing required input"),
        ({"query": "q"}, "query", "unknown input field"),
        ({"question": "q", "colour": "red"}, "colour", "unknown input field"),
    ],
)
def test_a_missing_or_unknown_field_is_named(ada_api, openai_stub, qa_program, inputs, field, words):
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", inputs, format="json")
    assert response.status_code == 400
    assert words in response.json()[field][0]
    assert openai_stub.completion_requests() == []
    assert not Execution.objects.exists()


def test_a_wrongly_typed_field_names_the_type_and_the_value(ada_api, openai_stub, make_program, user):
    program = make_program(user, name="count", spec="n: int -> doubled: int")
    response = ada_api.post(f"/api/programs/{program.pk}/execute/", {"n": "many"}, format="json")
    assert response.status_code == 400
    [message] = response.json()["n"]
    assert "`n` expects int" in message
    assert "'many'" in message
    assert openai_stub.completion_requests() == []


def test_a_body_that_is_not_an_object_is_rejected(ada_api, openai_stub, qa_program):
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", ["q"], format="json")
    assert response.status_code == 400
    assert "must be a JSON object" in response.json()["non_field_errors"][0]
    assert openai_stub.completion_requests() == []


def test_a_form_encoded_body_is_unsupported(ada_api, openai_stub, qa_program):
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"})
    assert response.status_code == 415
    assert openai_stub.completion_requests() == []


def test_bad_inputs_queue_nothing_in_async_mode(
    ada_api, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/?async=true", {"q": 1}, format="json")
    assert response.status_code == 400
    assert "q" in response.json()
    assert callbacks == []
    assert not Execution.objects.exists()


def test_a_bad_async_flag_is_named(ada_api, openai_stub, qa_program):
    response = ada_api.post(
        f"/api/programs/{qa_program.pk}/execute/?async=maybe", {"question": "q"}, format="json"
    )
    assert response.status_code == 400
    assert "async" in response.json()
    assert openai_stub.completion_requests() == []
