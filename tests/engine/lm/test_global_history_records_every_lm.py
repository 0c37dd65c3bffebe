"""GLOBAL_HISTORY holds the calls of every LM; inspect_history prints the last ones."""

from __future__ import annotations

import io

import pytest

from dspex.lm import history
from dspex.lm.history import GLOBAL_HISTORY, MAX_GLOBAL_HISTORY, inspect_history, pretty_print_history
from dspex.utils import DummyLM


@pytest.fixture(autouse=True)
def _empty_history():
    # The engine's default size (the platform, loaded in the same test run, sets 0).
    size = history._global_size
    history.set_global_history_size(MAX_GLOBAL_HISTORY)
    GLOBAL_HISTORY.clear()
    yield
    GLOBAL_HISTORY.clear()
    history.set_global_history_size(size)


def test_calls_of_http_and_python_lms_are_recorded_in_order(openai_stub, stub_lm):
    openai_stub.script("from the server")
    stub_lm("first")
    DummyLM([{"answer": "scripted"}])(messages=[{"role": "user", "content": "second"}])

    assert [entry["messages"][-1]["content"] for entry in GLOBAL_HISTORY] == ["first", "second"]
    assert GLOBAL_HISTORY[0] is stub_lm.history[0]


def test_inspect_history_prints_only_the_last_n_calls(openai_stub, stub_lm):
    for prompt in ("one", "two", "three"):
        openai_stub.script(f"re {prompt}")
        stub_lm(prompt)
    out = io.StringIO()

    text = inspect_history(n=2, file=out)

    assert out.getvalue().strip() == text.strip()
    assert "one" not in text and "re two" in text and "re three" in text


def test_tool_calls_in_messages_and_outputs_are_rendered():
    history = [
        {
            "messages": [
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"function": {"name": "search", "arguments": '{"q":"cats"}'}}],
                },
                {"role": "tool", "content": "found cats"},
            ],
            "outputs": [{"tool_calls": [{"name": "lookup", "args": {"q": "dogs"}}]}],
        }
    ]
    out = io.StringIO()

    text = pretty_print_history(history, n=1, file=out)

    assert 'search: {"q": "cats"}' in text
    assert 'lookup: {"q": "dogs"}' in text
    assert "found cats" in text
    assert "Response:" not in text


def test_an_entry_has_dspys_keys_too(openai_stub, stub_lm):
    openai_stub.script("ok")
    stub_lm("hi", temperature=0.5)

    entry = GLOBAL_HISTORY[-1]
    assert entry["prompt"] is None
    assert entry["kwargs"] == entry["params"] == {"temperature": 0.5}
    assert entry["model_type"] == "chat"
    assert {"messages", "outputs", "usage", "cost", "timestamp", "response_model"} <= set(entry)
