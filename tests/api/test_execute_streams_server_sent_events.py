"""``POST /api/programs/{id}/execute/?stream=true`` answers with server-sent events: the execution
id, status messages, output field chunks as they arrive, then the prediction (or the error)."""

from __future__ import annotations

import json

import pytest

from programs.models import Execution
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def events_of(response) -> list[tuple[str, dict]]:
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    # ": ping" comment frames (keep-alives of an idle stream) carry no event
    frames = [frame for frame in text.split("\n\n") if frame.strip() and not frame.startswith(":")]
    parsed = []
    for frame in frames:
        kind, data = frame.split("\n")
        parsed.append((kind.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return parsed


def stream(client, program, inputs):
    return client.post(f"/api/programs/{program.pk}/execute/?stream=true", inputs, format="json")


def test_field_text_streams_and_the_run_is_recorded(ada_api, openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris is the capital of France"))
    response = stream(ada_api, qa_program, {"question": "Capital of France?"})
    assert response.status_code == 200
    events = events_of(response)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "execution" and kinds[-1] == "prediction"
    assert "status" in kinds
    chunks = [data for kind, data in events if kind == "chunk"]
    assert len(chunks) > 1  # the stub sends the completion in pieces
    assert "".join(c["chunk"] for c in chunks if c["field"] == "answer") == "Paris is the capital of France"
    final = events[-1][1]
    assert final["outputs"] == {"answer": "Paris is the capital of France"}
    execution = Execution.objects.get(pk=events[0][1]["execution_id"])
    assert execution.status == "succeeded" and execution.outputs == final["outputs"]
    assert execution.lm_calls.count() == 1
    assert openai_stub.completion_requests()[0].json["stream"] is True


def test_bad_inputs_are_a_400_before_any_stream(ada_api, openai_stub, qa_program):
    response = stream(ada_api, qa_program, {"nope": "x"})
    assert response.status_code == 400
    assert not Execution.objects.exists()
    assert openai_stub.completion_requests() == []


def test_an_lm_failure_ends_the_stream_with_an_error_event(ada_api, openai_stub, qa_program):
    openai_stub.script({"status": 400, "body": {"error": {"message": "no such model"}}})
    events = events_of(stream(ada_api, qa_program, {"question": "q"}))
    kind, data = events[-1]
    assert kind == "error" and data["status"] == "failed"
    assert Execution.objects.get(pk=data["execution_id"]).status == "failed"


def test_stream_and_async_exclude_each_other(ada_api, qa_program):
    response = ada_api.post(
        f"/api/programs/{qa_program.pk}/execute/?stream=true&async=true", {"question": "q"}, format="json"
    )
    assert response.status_code == 400
    assert "stream" in response.json()
