"""The sync and the async executor share one planning step: the same call routes to the same
backends, with the same attempts, whichever way it is made."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


class Flaky(dspex.ChatAdapter):
    """Formats like ChatAdapter but cannot parse natively (dspy parses with its own adapter)."""

    def parse(self, signature, completion):
        raise RuntimeError("native parser bug")


class TwoSteps(dspex.Module):
    def __init__(self):
        self.first = dspex.Predict("question -> answer")
        self.second = dspex.ChainOfThought("answer -> verdict")

    def forward(self, question):
        return self.second(answer=self.first(question=question).answer)

    async def aforward(self, question):
        first = await self.first.acall(question=question)
        return await self.second.acall(answer=first.answer)


def predict_native(config):
    return dspex.Predict("question -> answer"), {"question": "q"}


def predict_on_dspy(config):
    return dspex.Predict("question -> answer"), {"question": "q", "backend": "dspy"}


def program_on_dspy(config):
    return TwoSteps(), {"question": "q", "backend": "dspy"}


def program_with_an_instance_preference(config):
    program = TwoSteps()
    program.backend = "dspy"
    return program, {"question": "q"}


def chain_of_thought_falling_back(config):
    config(fallback=True, adapter=Flaky(use_json_adapter_fallback=False))
    return dspex.ChainOfThought("question -> answer"), {"question": "q"}


CASES = [
    predict_native,
    predict_on_dspy,
    program_on_dspy,
    program_with_an_instance_preference,
    chain_of_thought_falling_back,
]


def shape(attempts):
    return [(a["type_name"], a["backend"], a["outcome"]) for a in attempts]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_a_call_routes_the_same_sync_and_async(case, openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="a", verdict="v"))
    dspex.configure(lm=make_stub_lm())

    module, inputs = case(dspex.configure)
    with dspex.hybrid.record_attempts() as sync_attempts:
        sync_result = module(**dict(inputs))
    module, inputs = case(dspex.configure)
    with dspex.hybrid.record_attempts() as async_attempts:
        async_result = await module.acall(**dict(inputs))

    assert shape(sync_attempts) == shape(async_attempts)
    assert sync_attempts, "the call was routed"
    assert sync_result.toDict() == async_result.toDict()
