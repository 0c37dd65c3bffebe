"""The stub servers themselves: control endpoints, embeddings, subprocess mode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.stubs.openai_stub import fake_embedding

ROOT = Path(__file__).resolve().parents[3]


def test_replies_can_be_scripted_and_inspected_over_http(openai_stub, stub_lm):
    with httpx.Client(base_url=openai_stub.url) as client:
        client.post("/_stub/script", json={"replies": ["scripted", {"status": 500}]}).raise_for_status()
        client.post("/_stub/default", json={"content": "new default"}).raise_for_status()

        assert stub_lm.request("one").outputs == ["scripted"]
        assert stub_lm.request("two").outputs == ["new default"]  # the 500 was retried
        recorded = client.get("/_stub/requests").json()["requests"]
        client.post("/_stub/reset").raise_for_status()

    assert [r["json"]["messages"][0]["content"] for r in recorded] == ["one", "two", "two"]
    assert openai_stub.requests == []
    assert stub_lm.request("three").outputs == ["stub response"]


def test_a_responder_computes_replies_from_the_request(openai_stub, stub_lm):
    openai_stub.responder = lambda request: request.json["messages"][-1]["content"].upper()

    assert stub_lm.request("echo me").outputs == ["ECHO ME"]


def test_embeddings_are_deterministic_per_text(openai_stub):
    response = httpx.post(openai_stub.base_url + "/embeddings", json={"model": "e", "input": ["a", "b", "a"]})

    vectors = [item["embedding"] for item in response.json()["data"]]
    assert vectors[0] == vectors[2] == fake_embedding("a")
    assert vectors[0] != vectors[1]
    assert len(vectors[0]) == 16


def test_models_are_listed(openai_stub):
    assert httpx.get(openai_stub.base_url + "/models").json()["data"][0]["id"] == "stub-model"


def test_the_openai_stub_runs_as_a_subprocess(make_stub_lm):
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.stubs.openai_stub", "--port", "0", "--default", "from the subprocess"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("READY http://127.0.0.1:")
        base_url = line.split()[1]
        lm = make_stub_lm(base_url=base_url)

        assert lm.request("hi").outputs == ["from the subprocess"]
        recorded = httpx.get(base_url.removesuffix("/v1") + "/_stub/requests").json()["requests"]
        assert recorded[0]["json"]["messages"] == [{"role": "user", "content": "hi"}]
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
