"""Callbacks are told when modules, LMs, adapters, tools and evaluations start and end."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

import dspex
from dspex.callbacks import ACTIVE_CALL_ID, BaseCallback, with_callbacks
from dspex.tools import Tool
from dspex.utils import DummyLM


class Recorder(BaseCallback):
    def __init__(self):
        self.events = []

    def _start(self, kind):
        def handler(call_id, instance, inputs):
            self.events.append((f"{kind}_start", call_id, ACTIVE_CALL_ID.get(), instance, inputs))

        return handler

    def _end(self, kind):
        def handler(call_id, outputs, exception=None):
            self.events.append((f"{kind}_end", call_id, outputs, exception))

        return handler

    def __getattribute__(self, name):
        for kind in ("module", "lm", "adapter_format", "adapter_parse", "tool", "evaluate"):
            if name == f"on_{kind}_start":
                return object.__getattribute__(self, "_start")(kind)
            if name == f"on_{kind}_end":
                return object.__getattribute__(self, "_end")(kind)
        return object.__getattribute__(self, name)

    def names(self):
        return [event[0] for event in self.events]


@pytest.fixture(autouse=True)
def _reset():
    dspex.settings.reset()
    dspex.configure(backend="native")
    yield
    dspex.settings.reset()


def test_a_predict_call_reports_module_format_lm_and_one_parse_per_completion():
    recorder = Recorder()
    dspex.configure(lm=DummyLM([{"answer": "a"}] * 2), callbacks=[recorder])

    dspex.Predict("question -> answer", n=2)(question="q")

    assert recorder.names() == [
        "module_start",
        "adapter_format_start",
        "adapter_format_end",
        "lm_start",
        "lm_end",
        "adapter_parse_start",
        "adapter_parse_end",
        "adapter_parse_start",
        "adapter_parse_end",
        "module_end",
    ]
    assert recorder.events[0][4] == {"question": "q"}
    lm_start = recorder.events[3]
    assert lm_start[4]["messages"][-1]["role"] == "user"
    assert recorder.events[-1][2].answer == "a"


def test_nested_calls_see_the_enclosing_calls_id_and_it_is_restored():
    recorder = Recorder()

    class Child(dspex.Module):
        def forward(self):
            return "child"

    class Parent(dspex.Module):
        def __init__(self):
            super().__init__()
            self.child = Child()

        def forward(self):
            return self.child()

    dspex.configure(callbacks=[recorder])
    Parent()()

    parent_start, child_start = recorder.events[0], recorder.events[1]
    assert parent_start[2] is None
    assert child_start[2] == parent_start[1]
    assert ACTIVE_CALL_ID.get() is None


def test_a_modules_own_callbacks_see_only_its_calls():
    recorder = Recorder()

    class Echo(dspex.Module):
        def forward(self, x):
            return x

    assert Echo(callbacks=[recorder])(x=1) == 1
    Echo()(x=2)

    assert [(e[0], e[4] if e[0].endswith("start") else e[2]) for e in recorder.events] == [
        ("module_start", {"x": 1}),
        ("module_end", 1),
    ]


def test_the_exception_of_the_call_reaches_the_end_handler_and_propagates():
    recorder = Recorder()

    class Fails(dspex.Module):
        def forward(self):
            raise KeyError("nope")

    with pytest.raises(KeyError):
        Fails(callbacks=[recorder])()

    assert recorder.events[-1][0] == "module_end"
    assert isinstance(recorder.events[-1][3], KeyError)


def test_a_failing_handler_is_logged_and_the_call_goes_on(caplog):
    class Broken(BaseCallback):
        def on_module_start(self, call_id, instance, inputs):
            raise RuntimeError("observer bug")

    class Echo(dspex.Module):
        def forward(self, x):
            return x

    assert Echo(callbacks=[Broken()])(x=3) == 3
    assert "observer bug" in caplog.text


def test_tools_and_direct_lm_calls_are_reported(openai_stub, stub_lm):
    recorder = Recorder()
    openai_stub.script("pong")
    with dspex.context(callbacks=[recorder]):
        assert Tool(lambda word: word.upper(), name="shout")(word="hi") == "HI"
        assert stub_lm("ping") == ["pong"]

    assert recorder.names() == ["tool_start", "tool_end", "lm_start", "lm_end"]
    assert recorder.events[0][4] == {"word": "hi"}
    assert recorder.events[2][4]["prompt"] == "ping"
    assert recorder.events[3][2] == ["pong"]


def test_an_evaluation_is_reported_once_with_its_program_and_result():
    recorder = Recorder()
    dspex.configure(lm=DummyLM({"q": {"answer": "a"}}), callbacks=[recorder])
    program = dspex.Predict("question -> answer")
    devset = [dspex.Example(question="q", answer="a").with_inputs("question")]

    result = dspex.Evaluate(devset=devset, metric=lambda e, p, t=None: e.answer == p.answer)(program)

    starts = [e for e in recorder.events if e[0] == "evaluate_start"]
    ends = [e for e in recorder.events if e[0] == "evaluate_end"]
    assert len(starts) == len(ends) == 1
    assert starts[0][4]["program"] is program
    assert ends[0][2] is result and result.score == 100.0
    module_start = next(e for e in recorder.events if e[0] == "module_start")
    assert module_start[2] == starts[0][1]  # the program's call is a child of the evaluation


async def test_with_callbacks_wraps_sync_and_async_methods():
    recorder = Recorder()

    class Thing:
        callbacks = [recorder]

        @with_callbacks
        def add(self, a, b=1, **extra):
            return a + b

        @with_callbacks
        async def wait(self):
            await asyncio.sleep(0)
            return "done"

    assert Thing().add(1, b=2, c=3) == 3
    assert await Thing().wait() == "done"
    assert recorder.events[0][4] == {"a": 1, "b": 2, "c": 3}
    assert [e[2] for e in recorder.events if e[0] == "module_end"] == [3, "done"]


def test_module_calls_go_through_no_callback_hook_until_a_callback_appears():
    script = (
        "import dspex\n"
        "from dspex.primitives import call_hooks\n"
        "from dspex.primitives.callback_hook import CALLBACK_HOOK\n"
        "assert CALLBACK_HOOK not in call_hooks()\n"
        "dspex.Predict('q -> a')\n"
        "assert CALLBACK_HOOK not in call_hooks()\n"
        "dspex.configure(callbacks=[dspex.callbacks.BaseCallback()])\n"
        "assert CALLBACK_HOOK in call_hooks()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_predictors_own_callbacks_are_not_lm_parameters():
    recorder = Recorder()
    lm = DummyLM([{"answer": "a"}])
    predict = dspex.Predict("question -> answer", callbacks=[recorder])

    with dspex.context(lm=lm):
        predict(question="q")

    assert "callbacks" not in predict.config
    assert recorder.names()[0] == "module_start" and recorder.names()[-1] == "module_end"
    assert "callbacks" not in lm.history[0]["params"]
