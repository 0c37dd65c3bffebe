"""configure(track_usage=True): a module call's Prediction carries the tokens it cost."""

from __future__ import annotations

import pytest

import dspex
from dspex.lm.usage import track_usage
from tests.stubs.server import Reply


@pytest.fixture(autouse=True)
def _reset():
    dspex.settings.reset()
    dspex.configure(backend="native")
    yield
    dspex.settings.reset()


def usage(tokens):
    return {"prompt_tokens": tokens, "completion_tokens": 1, "total_tokens": tokens + 1}


class TwoSteps(dspex.Module):
    def __init__(self):
        super().__init__()
        self.first = dspex.Predict("question -> answer")
        self.second = dspex.Predict("question, answer -> verdict")

    def forward(self, question):
        answer = self.first(question=question).answer
        return self.second(question=question, answer=answer)


def test_the_outermost_calls_prediction_has_the_tokens_of_every_lm_call(openai_stub, stub_lm):
    openai_stub.script(
        Reply(content="[[ ## answer ## ]]\nParis", usage=usage(10)),
        Reply(content="[[ ## verdict ## ]]\nright", usage=usage(20)),
    )
    dspex.configure(lm=stub_lm, track_usage=True)

    prediction = TwoSteps()(question="Capital of France?")

    assert prediction.verdict == "right"
    assert prediction.get_lm_usage() == {
        "openai/stub-model": {"prompt_tokens": 30, "completion_tokens": 2, "total_tokens": 32}
    }


async def test_async_calls_get_their_usage_too(openai_stub, stub_lm):
    openai_stub.script(Reply(content="[[ ## answer ## ]]\nParis", usage=usage(4)))
    dspex.configure(lm=stub_lm, track_usage=True)

    prediction = await dspex.Predict("question -> answer").acall(question="q")

    assert prediction.get_lm_usage()["openai/stub-model"]["prompt_tokens"] == 4


def test_without_the_setting_or_inside_a_users_block_there_is_none(openai_stub, stub_lm):
    openai_stub.set_default("[[ ## answer ## ]]\nParis")
    dspex.configure(lm=stub_lm)
    assert dspex.Predict("question -> answer")(question="q").get_lm_usage() is None

    dspex.configure(track_usage=True)
    with track_usage() as mine:
        prediction = dspex.Predict("question -> answer")(question="q")
    assert prediction.get_lm_usage() is None
    assert "openai/stub-model" in mine.usage_data
