"""A client that closes its event stream (``?stream=true``) cancels the run: against a live
server over real HTTP, the LM request in flight is abandoned, no later step is started, and the
Execution is ``failed`` with "Cancelled: the client closed the stream ..." within seconds."""

from __future__ import annotations

import time

import httpx
import pytest
from rest_framework.authtoken.models import Token

from programs.models import Execution
from programs.services import program_create, signature_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db(transaction=True)

TWO_STEPS = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "draft", "module": "predict", "signature": "question -> draft"},
        {"id": "final", "module": "predict", "signature": "question, draft -> answer"},
    ],
    "output_map": {"answer": "final.answer"},
}


@pytest.fixture
def slow_pipeline(user, stub_lm_config):
    signature = signature_create(name="qa", spec="question -> answer", owner=user)
    return program_create(
        name="slow",
        signature=signature,
        module_type="pipeline",
        module_config=TWO_STEPS,
        lm_config=stub_lm_config,
        owner=user,
    )


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_closing_the_stream_stops_the_run_and_fails_its_row(
    live_server, settings, openai_stub, slow_pipeline, user
):
    settings.DSPEX_SSE_KEEPALIVE = 0.2  # an idle stream writes often, so the server notices soon
    # The first step's answer streams for ~10 s; the second step would be a second request.
    openai_stub.script({"content": reply(draft="word " * 200), "chunk_delay": 0.3}, reply(answer="late"))
    token = Token.objects.create(user=user).key
    url = f"{live_server.url}/api/programs/{slow_pipeline.pk}/execute/?stream=true"

    with httpx.Client(timeout=10) as client:
        headers = {"Authorization": f"Token {token}"}
        with client.stream("POST", url, json={"question": "q"}, headers=headers) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            assert next(lines) == "event: execution"
            execution_id = int(next(lines).split('"execution_id": ')[1].rstrip("}"))
            for line in lines:  # read on until the first step's answer is streaming
                if line == "event: chunk":
                    break
        closed_at = time.monotonic()  # leaving the block closed the connection

    row = Execution.objects.filter(pk=execution_id)
    wait_for(lambda: row.get().status != "running", 8.0, "the run to stop")
    stopped_after = time.monotonic() - closed_at
    execution = row.get()
    assert execution.status == "failed"
    assert execution.error.startswith("Cancelled: the client closed the stream")
    assert execution.finished_at is not None
    assert stopped_after < 5.0
    assert [step["id"] for step in execution.steps] == []  # the first step never finished
    time.sleep(1.0)  # nothing goes on behind the failed row
    requests = openai_stub.completion_requests()
    assert len(requests) == 1 and requests[0].json["stream"] is True
    assert openai_stub.pending_replies == 1  # the second step never asked


def test_a_stream_read_to_the_end_still_succeeds(live_server, settings, openai_stub, slow_pipeline, user):
    settings.DSPEX_SSE_KEEPALIVE = 0.2
    openai_stub.script({"content": reply(draft="d"), "delay": 0.6}, reply(answer="Paris"))
    token = Token.objects.create(user=user).key
    url = f"{live_server.url}/api/programs/{slow_pipeline.pk}/execute/?stream=true"
    response = httpx.post(
        url, json={"question": "q"}, headers={"Authorization": f"Token {token}"}, timeout=10
    )
    assert response.status_code == 200
    assert ": ping" in response.text  # keep-alive comments, which SSE clients ignore
    assert "event: prediction" in response.text
    assert Execution.objects.get().status == "succeeded"
