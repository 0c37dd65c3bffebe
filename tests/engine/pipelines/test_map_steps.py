"""A map step runs its body once per item, concurrently; its value is the list of results."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.pipelines.helpers import first_output, reply, sent_inputs

PER_ITEM = {
    "inputs": ["topic"],
    "outputs": ["summary"],
    "steps": [
        {"id": "split", "module": "predict", "signature": "topic -> items: list[str]"},
        {
            "kind": "map",
            "id": "facts",
            "over": "split.items",
            "as": "item",
            "index": "position",
            "steps": [
                {
                    "id": "fact",
                    "module": "predict",
                    "signature": "topic, item, rank: int -> fact",
                    "inputs": {"rank": "position + 1"},
                }
            ],
            "collect": "fact.fact",
        },
        {
            "id": "summarize",
            "module": "predict",
            "signature": "facts: list[str] -> summary",
            "inputs": {"facts": "facts"},
        },
    ],
}


def _respond(request):
    field = first_output(request)
    if field == "items":
        return reply(items='["cats", "dogs", "owls"]')
    if field == "fact":
        inputs = sent_inputs(request)
        return reply(fact=f"{inputs['rank']}:{inputs['item']} are nice")
    return reply(summary="all are nice")


def test_the_body_runs_per_item_and_results_keep_item_order(openai_stub, stub_lm):
    openai_stub.responder = _respond

    pred = dspex.Pipeline(PER_ITEM)(topic="pets", lm=stub_lm)

    assert pred.summary == "all are nice"
    summarize = next(r for r in openai_stub.completion_requests() if first_output(r) == "summary")
    assert sent_inputs(summarize)["facts"] == '["1:cats are nice", "2:dogs are nice", "3:owls are nice"]'
    facts = [r for r in pred.steps if r.id == "fact"]
    assert [(r.index, r.inputs["item"], r.outputs["fact"]) for r in facts] == [
        (0, "cats", "1:cats are nice"),
        (1, "dogs", "2:dogs are nice"),
        (2, "owls", "3:owls are nice"),
    ]
    assert next(r for r in pred.steps if r.id == "facts").outputs == {"count": 3}


async def test_the_body_runs_per_item_async(openai_stub, stub_lm):
    openai_stub.responder = _respond

    pred = await dspex.Pipeline(PER_ITEM).acall(topic="pets", lm=stub_lm)

    assert pred.summary == "all are nice"
    assert len(openai_stub.completion_requests()) == 5


def test_without_collect_each_result_is_the_last_body_step(openai_stub, stub_lm):
    spec = {
        "inputs": ["words: list[str]"],
        "outputs": ["first", "count: int"],
        "steps": [
            {
                "kind": "map",
                "id": "echoes",
                "over": "$.words",
                "as": "word",
                "steps": [{"id": "echo", "module": "predict", "signature": "word -> loud"}],
            }
        ],
        "output_map": {"first": "echoes[0].loud", "count": "len(echoes)"},
    }
    openai_stub.responder = lambda request: reply(loud=sent_inputs(request)["word"].upper())

    pred = dspex.Pipeline(spec)(words=["a", "b"], lm=stub_lm)

    assert (pred.first, pred.count) == ("A", 2)


def _concurrent_map(parties: int, max_concurrency: int, timeout: float = 5.0) -> dict:
    return {
        "inputs": ["xs: list[str]"],
        "outputs": ["out"],
        "steps": [
            {
                "kind": "map",
                "id": "each",
                "over": "$.xs",
                "as": "x",
                "max_concurrency": max_concurrency,
                "steps": [
                    {
                        "id": "meet",
                        "module": "rendezvous",
                        "signature": "x -> y",
                        "config": {"parties": parties, "timeout": timeout},
                    }
                ],
                "collect": "meet.y",
            }
        ],
        "output_map": {"out": "join(each, ',')"},
    }


@pytest.mark.parametrize("run", ["sync", "async"])
async def test_items_are_in_flight_at_the_same_time(rendezvous_module, run):
    pipeline = dspex.Pipeline(_concurrent_map(parties=3, max_concurrency=3))
    if run == "sync":
        pred = pipeline(xs=["a", "b", "c"])
    else:
        pred = await pipeline.acall(xs=["a", "b", "c"])
    assert pred.out == "a,b,c"


def test_max_concurrency_bounds_the_items_in_flight(rendezvous_module):
    pipeline = dspex.Pipeline(_concurrent_map(parties=3, max_concurrency=2, timeout=0.5))

    with pytest.raises(Exception) as caught:  # the third party never arrives
        pipeline(xs=["a", "b", "c"])

    assert type(caught.value).__name__ == "BrokenBarrierError"


def test_mapping_over_something_that_is_not_a_list_is_a_pipeline_error(openai_stub, stub_lm):
    spec = {
        "inputs": ["text"],
        "outputs": ["out"],
        "steps": [
            {
                "kind": "map",
                "id": "each",
                "over": "$.text",
                "steps": [{"id": "step", "module": "predict", "signature": "item -> out"}],
            }
        ],
        "output_map": {"out": "str(each)"},
    }

    with pytest.raises(dspex.PipelineError, match=r"steps\[0\]\.over: `over` must give a list, got str"):
        dspex.Pipeline(spec)(text="abc", lm=stub_lm)


def test_an_empty_list_runs_nothing_and_gives_an_empty_list(openai_stub, stub_lm):
    spec = {
        "inputs": ["xs: list[str]"],
        "outputs": ["n: int"],
        "steps": [
            {
                "kind": "map",
                "id": "each",
                "over": "$.xs",
                "steps": [{"id": "step", "module": "predict", "signature": "item -> out"}],
            }
        ],
        "output_map": {"n": "len(each)"},
    }

    assert dspex.Pipeline(spec)(xs=[], lm=stub_lm).n == 0
    assert openai_stub.completion_requests() == []


def test_max_items_caps_the_list(openai_stub, stub_lm):
    spec = {
        "inputs": ["xs: list[str]"],
        "outputs": ["n: int"],
        "steps": [
            {
                "kind": "map",
                "id": "each",
                "over": "$.xs",
                "max_items": 2,
                "steps": [{"id": "step", "module": "predict", "signature": "item -> out"}],
            }
        ],
        "output_map": {"n": "len(each)"},
    }

    with pytest.raises(dspex.PipelineError, match="3 items, more than max_items=2"):
        dspex.Pipeline(spec)(xs=["a", "b", "c"], lm=stub_lm)
    assert openai_stub.completion_requests() == []
