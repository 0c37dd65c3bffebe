"""Streaming a pipeline: status events for every step, field text from the LM-using steps, then
the same Prediction (and step records) a normal run gives."""

from __future__ import annotations

import dspex
from dspex import Prediction, StatusMessage, StreamChunk
from tests.engine.pipelines.helpers import first_output, reply

SPEC = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
        {
            "kind": "conditional",
            "id": "routed",
            "if": "len(draft.draft) > 3",
            "then": [{"id": "final", "module": "predict", "signature": "question, draft -> answer"}],
            "else": [{"id": "retry", "module": "predict", "signature": "question -> answer"}],
        },
    ],
}


def _respond(request):
    if first_output(request) == "reasoning":
        return reply(reasoning="Recall the map of Europe.", draft="Paris, probably")
    return reply(answer="Paris is the capital of France.")


async def test_status_for_every_step_and_text_for_the_final_answer(openai_stub, stub_lm):
    openai_stub.responder = _respond
    pipeline = dspex.Pipeline(SPEC)

    with dspex.context(lm=stub_lm):
        items = [item async for item in dspex.streamify(pipeline)(question="Capital of France?")]
        plain = await pipeline.acall(question="Capital of France?")

    status = [i.text for i in items if isinstance(i, StatusMessage)]
    assert status == [
        "step draft started",
        "calling draft.predict",
        "step draft finished",
        "step routed started",
        "step final started",
        "calling final",
        "step final finished",
        "step routed finished",
    ]
    answer = "".join(i.chunk for i in items if isinstance(i, StreamChunk) and i.predictor == "final")
    assert answer == "Paris is the capital of France."
    draft = "".join(i.chunk for i in items if isinstance(i, StreamChunk) and i.field == "draft")
    assert draft == "Paris, probably"
    final = items[-1]
    assert isinstance(final, Prediction) and final == plain
    assert [r.to_dict()["outputs"] for r in final.steps] == [r.to_dict()["outputs"] for r in plain.steps]


async def test_only_the_chosen_predictors_stream(openai_stub, stub_lm):
    openai_stub.responder = _respond

    stream = dspex.streamify(dspex.Pipeline(SPEC), predictors=["final"])
    items = [item async for item in stream(question="q", lm=stub_lm)]

    assert {i.predictor for i in items if isinstance(i, StreamChunk)} == {"final"}
    assert items[-1].answer == "Paris is the capital of France."


async def test_map_iterations_report_their_index(openai_stub, stub_lm):
    openai_stub.set_default(reply(out="x"))
    spec = {
        "inputs": ["xs: list[str]"],
        "outputs": ["n: int"],
        "steps": [
            {
                "kind": "map",
                "id": "each",
                "over": "$.xs",
                "max_concurrency": 1,
                "steps": [{"id": "one", "module": "predict", "signature": "item -> out"}],
            }
        ],
        "output_map": {"n": "len(each)"},
    }

    items = [i async for i in dspex.Pipeline(spec).astream(xs=["a", "b"], lm=stub_lm)]

    steps = [(i.text, i.step) for i in items if isinstance(i, StatusMessage) and i.step]
    assert steps == [
        ("step each started", "each"),
        ("step one[0] started", "one[0]"),
        ("step one[0] finished", "one[0]"),
        ("step one[1] started", "one[1]"),
        ("step one[1] finished", "one[1]"),
        ("step each finished", "each"),
    ]
    assert items[-1].n == 2


async def test_a_failing_step_reports_its_failure_then_raises(openai_stub, stub_lm):
    openai_stub.script(reply(reasoning="r", draft="Paris, probably"), {"status": 400})
    seen: list = []

    try:
        async for item in dspex.Pipeline(SPEC).astream(question="q", lm=stub_lm):
            seen.append(item)
    except dspex.LMError as error:
        assert "in pipeline step 'final' (steps[1].then[0])" in error.__notes__
    else:
        raise AssertionError("expected the LM error")

    texts = [i.text for i in seen if isinstance(i, StatusMessage)]
    assert texts[-2:] == ["step final failed", "step routed failed"]
