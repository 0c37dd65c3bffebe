"""Bridged calls run inside dspy.context(...): concurrent threads and tasks with different LMs and
adapters never see each other's dspy settings, and dspy's global settings stay untouched."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

import dspex
from tests.engine.hybrid.helpers import reply
from tests.stubs.server import Reply

pytestmark = pytest.mark.dspy


@pytest.fixture
def echo_model(openai_stub):
    """The stub answers with the model each request named, after a short delay (calls overlap)."""
    openai_stub.responder = lambda request: Reply(content=reply(answer=request.json["model"]), delay=0.05)


def test_threads_with_different_lms_each_reach_their_own_model(echo_model, make_stub_lm):
    import dspy

    lms = [make_stub_lm(model=f"openai/model-{i}") for i in range(4)]
    predict = dspex.Predict("question -> answer")

    def run(index):
        with dspex.context(lm=lms[index % 4]):
            return index % 4, predict(question=f"q{index}", backend="dspy").answer

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(16)))

    assert all(answer == f"model-{index}" for index, answer in results)
    assert dspy.settings.lm is None


async def test_asyncio_tasks_with_different_lms_each_reach_their_own_model(echo_model, make_stub_lm):
    lms = [make_stub_lm(model=f"openai/model-{i}") for i in range(4)]
    predict = dspex.Predict("question -> answer")

    async def run(index):
        with dspex.context(lm=lms[index]):
            return (await predict.acall(question="q", backend="dspy")).answer

    answers = await asyncio.gather(*(run(i) for i in range(4)))
    assert answers == [f"model-{i}" for i in range(4)]


def test_adapters_do_not_leak_between_concurrent_calls(openai_stub, make_stub_lm):
    import dspy

    openai_stub.responder = lambda request: Reply(
        content='{"answer": "json"}'
        if "JSON" in request.json["messages"][0]["content"]
        else reply(answer="chat"),
        delay=0.05,
    )
    lm = make_stub_lm()
    predict = dspex.Predict("question -> answer")

    def run(index):
        adapter = dspex.JSONAdapter() if index % 2 else dspex.ChatAdapter()
        with dspex.context(lm=lm, adapter=adapter):
            return index, predict(question="q", backend="dspy").answer

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(12)))

    assert all(answer == ("json" if index % 2 else "chat") for index, answer in results)
    assert dspy.settings.adapter is None
