"""streamify(Predict / ChainOfThought) yields field text from the LM's SSE stream, status events,
and finally the same Prediction a normal call gives for the same reply."""

from __future__ import annotations

import pytest

import dspex
from dspex import Prediction, StatusMessage, StreamChunk

COT_REPLY = (
    "[[ ## reasoning ## ]]\nFrance's capital city is well known.\n\n"
    "[[ ## answer ## ]]\nParis, on the Seine.\n\n[[ ## completed ## ]]"
)


async def collect(stream) -> list:
    return [item async for item in stream]


def split(items: list) -> tuple[list[StreamChunk], list[StatusMessage], Prediction]:
    chunks = [i for i in items if isinstance(i, StreamChunk)]
    status = [i for i in items if isinstance(i, StatusMessage)]
    assert isinstance(items[-1], Prediction)
    assert len(chunks) + len(status) == len(items) - 1
    return chunks, status, items[-1]


def joined(chunks: list[StreamChunk]) -> dict[tuple[str, str], str]:
    fields: dict[tuple[str, str], str] = {}
    for chunk in chunks:
        key = (chunk.predictor, chunk.field)
        fields[key] = fields.get(key, "") + chunk.chunk
    return fields


async def test_chain_of_thought_streams_reasoning_then_answer(openai_stub, stub_lm):
    openai_stub.script(COT_REPLY, COT_REPLY)
    cot = dspex.ChainOfThought("question -> answer")

    with dspex.context(lm=stub_lm):
        chunks, status, final = split(await collect(dspex.streamify(cot)(question="Capital of France?")))
        plain = await cot.acall(question="Capital of France?")

    assert len(chunks) > 4  # the stub sends 8-character pieces
    assert joined(chunks) == {
        ("predict", "reasoning"): "France's capital city is well known.",
        ("predict", "answer"): "Paris, on the Seine.",
    }
    fields_in_order = [c.field for c in chunks]
    assert fields_in_order == sorted(fields_in_order, key=["reasoning", "answer"].index)
    assert status == [StatusMessage("calling predict")]
    assert final == plain and final.completions.answer == plain.completions.answer
    streamed, normal = openai_stub.completion_requests()
    assert streamed.json["stream"] is True and "stream" not in normal.json
    assert streamed.json["messages"] == normal.json["messages"]


async def test_typed_outputs_stream_as_text_and_parse_as_values(openai_stub, stub_lm):
    openai_stub.script("[[ ## numbers ## ]]\n[1, 2, 3]\n\n[[ ## ok ## ]]\nTrue\n\n[[ ## completed ## ]]")
    predict = dspex.Predict("question -> numbers: list[int], ok: bool")

    chunks, _, final = split(await collect(predict.astream(question="q", lm=stub_lm)))

    assert joined(chunks) == {("self", "numbers"): "[1, 2, 3]", ("self", "ok"): "True"}
    assert final.numbers == [1, 2, 3] and final.ok is True


async def test_the_call_is_recorded_like_a_normal_one(openai_stub, stub_lm):
    openai_stub.script({"content": COT_REPLY, "usage": {"prompt_tokens": 30, "completion_tokens": 12}})

    with dspex.track_calls() as calls:
        await collect(dspex.ChainOfThought("question -> answer").astream(question="q", lm=stub_lm))

    [call] = calls
    assert call.outputs == [COT_REPLY] and call.usage["completion_tokens"] == 12


async def test_a_cached_reply_streams_in_one_piece(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script(COT_REPLY)
    cot = dspex.ChainOfThought("question -> answer")
    first = split(await collect(cot.astream(question="q", lm=lm)))
    second = split(await collect(cot.astream(question="q", lm=lm)))

    assert joined(second[0]) == joined(first[0]) and second[2] == first[2]
    assert len(openai_stub.completion_requests()) == 1


async def test_predictors_and_status_messages_can_be_filtered(openai_stub, stub_lm):
    openai_stub.script(COT_REPLY)
    stream = dspex.streamify(dspex.ChainOfThought("question -> answer"), predictors=[], status_messages=False)

    items = await collect(stream(question="q", lm=stub_lm))

    assert len(items) == 1 and items[0].answer == "Paris, on the Seine."
    assert "stream" not in openai_stub.completion_requests()[0].json  # not streamed at all


async def test_several_samples_are_not_streamed_but_still_returned(openai_stub, stub_lm):
    openai_stub.script(["[[ ## answer ## ]]\na\n\n[[ ## completed ## ]]", "[[ ## answer ## ]]\nb"])

    items = await collect(dspex.Predict("question -> answer", n=2).astream(question="q", lm=stub_lm))

    assert items[-1].completions.answer == ["a", "b"]
    assert not any(isinstance(i, StreamChunk) for i in items)


async def test_an_unparsable_stream_falls_back_to_the_json_adapter(openai_stub, stub_lm):
    openai_stub.script("I refuse to use the format.", '{"answer": "fine"}')

    items = await collect(dspex.Predict("question -> answer").astream(question="q", lm=stub_lm))

    assert items[-1].answer == "fine"
    assert len(openai_stub.completion_requests()) == 2


async def test_lm_errors_are_raised_from_the_iterator(openai_stub, stub_lm):
    openai_stub.script({"status": 401})

    with pytest.raises(dspex.AuthenticationError):
        await collect(dspex.Predict("question -> answer").astream(question="q", lm=stub_lm))


async def test_leaving_the_stream_early_cancels_the_call(openai_stub, stub_lm):
    openai_stub.script({"content": COT_REPLY * 20, "chunk_delay": 0.02})
    stream = dspex.ChainOfThought("question -> answer").astream(question="q", lm=stub_lm)

    async for item in stream:
        if isinstance(item, StreamChunk):
            break
    await stream.aclose()

    assert stub_lm.history == []  # the call never finished


def test_a_module_without_aforward_still_yields_its_prediction(openai_stub, stub_lm):
    class Wrapper(dspex.Module):
        def __init__(self):
            self.inner = dspex.Predict("question -> answer")

        def forward(self, **kwargs):
            return self.inner(**kwargs)

    openai_stub.script("[[ ## answer ## ]]\nsync\n\n[[ ## completed ## ]]")

    import asyncio

    items = asyncio.run(collect(Wrapper().astream(question="q", lm=stub_lm)))

    assert items[-1].answer == "sync"
