"""stream_program: DSPy's streamify shape on the engine's stream — status from a provider (a
callback of this execution only), fields through listeners as StreamResponse pieces, items sent
by user code, sync iteration and server-sent events."""

from __future__ import annotations

import anyio.from_thread
import pytest

import dspex
from dspex import Prediction
from dspex.streaming import (
    StatusMessage,
    StatusMessageProvider,
    StreamListener,
    StreamResponse,
    apply_sync_streaming,
    stream_program,
    streaming_response,
)

ANSWER = "[[ ## answer ## ]]\nThe sky is blue today.\n\n[[ ## completed ## ]]"
COT = "[[ ## reasoning ## ]]\nLight scatters.\n\n[[ ## answer ## ]]\nBlue, mostly.\n\n[[ ## completed ## ]]"


class ToolThenPredict(dspex.Module):
    """A sync program: a tool makes the question, a Predict answers it."""

    def __init__(self) -> None:
        super().__init__()
        self.ask = dspex.Tool(lambda x: f"What color is the {x}?", name="ask")
        self.predict = dspex.Predict("question -> answer")

    def forward(self, x: str) -> Prediction:
        return self.predict(question=self.ask(x=x))


class AsyncCot(dspex.Module):
    def __init__(self) -> None:
        super().__init__()
        self.cot = dspex.ChainOfThought("question -> answer")

    async def aforward(self, question: str) -> Prediction:
        return await self.cot.acall(question=question)


async def collect(stream) -> list:
    return [item async for item in stream]


async def test_the_default_provider_announces_tool_calls_only(openai_stub, stub_lm):
    openai_stub.script(ANSWER)
    with dspex.context(lm=stub_lm):
        items = await collect(stream_program(ToolThenPredict())("sky"))

    status = [i.message for i in items if isinstance(i, StatusMessage)]
    assert status == [
        "Calling tool ask...",
        "Tool calling finished! Querying the LLM with tool calling results...",
    ]
    assert isinstance(items[-1], Prediction) and items[-1].answer == "The sky is blue today."
    assert not any(isinstance(i, StreamResponse) for i in items)  # no listener, no field text


async def test_a_custom_provider_and_the_configured_callbacks_stay_as_they_were(openai_stub, stub_lm):
    class Provider(StatusMessageProvider):
        def tool_start_status_message(self, instance, inputs):
            return f"tool {instance.name} with {inputs}"

        def tool_end_status_message(self, outputs):
            return None  # nothing sent

        def module_start_status_message(self, instance, inputs):
            return f"start {type(instance).__name__}"

        def lm_end_status_message(self, outputs):
            return "lm done"

    openai_stub.script(ANSWER)
    with dspex.context(lm=stub_lm):
        items = await collect(stream_program(ToolThenPredict(), status_message_provider=Provider())("sea"))
    status = [i.message for i in items if isinstance(i, StatusMessage)]
    assert status == [
        "start ToolThenPredict",
        "tool ask with {'x': 'sea'}",
        "start Predict",
        "lm done",
    ]
    assert not dspex.settings.get("callbacks")


async def test_listeners_stream_their_field_and_mark_its_last_piece(openai_stub, stub_lm):
    openai_stub.script(COT)
    program = AsyncCot()
    stream = stream_program(
        program,
        stream_listeners=[StreamListener(signature_field_name="answer")],
        is_async_program=True,
        include_final_prediction_in_output_stream=False,
    )
    with dspex.context(lm=stub_lm):
        items = await collect(stream(question="Why is the sky blue?"))

    assert all(isinstance(i, StreamResponse) for i in items)  # no Prediction, no other field
    assert {(i.predict_name, i.signature_field_name) for i in items} == {("cot.predict", "answer")}
    assert "".join(i.chunk for i in items) == "Blue, mostly."
    assert [i.is_last_chunk for i in items] == [False] * (len(items) - 1) + [True]


async def test_a_listener_follows_one_call_unless_reuse_is_allowed(openai_stub, stub_lm):
    class Twice(dspex.Module):
        def __init__(self) -> None:
            super().__init__()
            self.predict = dspex.Predict("question -> answer")

        async def aforward(self, question: str) -> Prediction:
            await self.predict.acall(question=question)
            return await self.predict.acall(question=question + "?")

    for reuse, calls in ((False, 1), (True, 2)):
        openai_stub.script(ANSWER, ANSWER)
        listener = StreamListener("answer", allow_reuse=reuse)
        stream = stream_program(Twice(), stream_listeners=[listener], is_async_program=True)
        with dspex.context(lm=stub_lm):
            items = await collect(stream(question="Sky?"))
        pieces = [i for i in items if isinstance(i, StreamResponse)]
        assert sum(i.is_last_chunk for i in pieces) == calls
        assert "".join(i.chunk for i in pieces) == "The sky is blue today." * calls
        assert isinstance(items[-1], Prediction)


def test_a_listener_needs_a_predictor_with_its_field():
    with pytest.raises(ValueError, match="nope"):
        stream_program(dspex.Predict("question -> answer"), stream_listeners=[StreamListener("nope")])
    listener = StreamListener("answer")
    stream_program(dspex.Predict("question -> answer"), stream_listeners=[listener])
    assert listener.predict_name == "self"


async def test_code_can_send_its_own_items_from_a_worker_thread():
    class Sends(dspex.Module):
        def forward(self, question: str) -> Prediction:
            anyio.from_thread.run(dspex.settings.get("send_stream").send, {"progress": 0.5})
            return Prediction(answer="done")

    items = await collect(stream_program(Sends())(question="q"))
    assert items == [{"progress": 0.5}, Prediction(answer="done")]


def test_sync_iteration_keeps_the_callers_settings_and_raises_the_programs_error(openai_stub, stub_lm):
    openai_stub.script(ANSWER)
    with dspex.context(lm=stub_lm):
        items = list(stream_program(ToolThenPredict(), async_streaming=False)("sky"))
    assert [type(i) for i in items] == [StatusMessage, StatusMessage, Prediction]

    class Fails(dspex.Module):
        def forward(self, x: str) -> Prediction:
            raise RuntimeError("broken program")

    with pytest.raises(RuntimeError, match="broken program"):
        list(apply_sync_streaming(stream_program(Fails())("x")))


async def test_streaming_response_writes_server_sent_events():
    async def source():
        yield 'data: {"already": true}\n\n'
        yield Prediction(answer="Hi")

    events = await collect(streaming_response(source()))
    assert events == [
        'data: {"already": true}\n\n',
        'data: {"prediction":{"answer":"Hi"}}\n\n',
        "data: [DONE]\n\n",
    ]

    async def bad():
        yield 42

    with pytest.raises(ValueError, match="42"):
        await collect(streaming_response(bad()))


@pytest.mark.parametrize(
    ("text", "adapter", "could"),
    [
        ("so [", "ChatAdapter", True),
        ("so [[ ## compl", "ChatAdapter", True),
        ("so far", "ChatAdapter", False),
        ('so "', "JSONAdapter", True),
        ('so "}', "JSONAdapter", True),
        ("so far", "JSONAdapter", False),
        ("so </ans", "XMLAdapter", True),
        ("so </other", "XMLAdapter", False),
    ],
)
def test_a_listener_knows_what_may_start_a_field_end(text, adapter, could):
    assert StreamListener("answer")._could_form_end_identifier(text, adapter) is could


async def test_the_finish_tool_is_not_announced():
    class Finishes(dspex.Module):
        def forward(self) -> Prediction:
            dspex.Tool(lambda: "Completed.", name="finish")()
            return Prediction(answer="ok")

    items = await collect(stream_program(Finishes())())
    assert items == [Prediction(answer="ok")]


def test_a_sync_program_streams_its_predictors_fields(openai_stub, stub_lm):
    """The common DSPy shape: a sync forward calling a Predict; its field text still streams."""
    openai_stub.script(ANSWER)
    stream = stream_program(
        ToolThenPredict(), stream_listeners=[StreamListener("answer")], async_streaming=False
    )
    with dspex.context(lm=stub_lm):
        items = list(stream("sky"))
    pieces = [i for i in items if isinstance(i, StreamResponse)]
    assert len(pieces) > 2 and pieces[-1].is_last_chunk
    assert "".join(i.chunk for i in pieces) == "The sky is blue today."
    assert items[-1] == Prediction(answer="The sky is blue today.")
    assert openai_stub.completion_requests()[0].json["stream"] is True


async def test_native_streamify_streams_a_sync_modules_predictor_too(openai_stub, stub_lm):
    class SyncOnly(dspex.Module):
        def __init__(self) -> None:
            super().__init__()
            self.predict = dspex.Predict("question -> answer")

        def forward(self, question: str) -> Prediction:
            return self.predict(question=question)

    openai_stub.script(ANSWER)
    with dspex.context(lm=stub_lm):
        items = await collect(dspex.streamify(SyncOnly())(question="Sky?"))
    chunks = [i for i in items if isinstance(i, dspex.StreamChunk)]
    assert {(c.predictor, c.field) for c in chunks} == {("predict", "answer")}
    assert "".join(c.chunk for c in chunks) == "The sky is blue today."
    assert StatusMessage("calling predict") in items
    assert items[-1] == Prediction(answer="The sky is blue today.")
