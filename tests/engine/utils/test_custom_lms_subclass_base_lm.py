"""A custom LM subclasses BaseLM with forward() (an OpenAI-shaped completion) or __call__()."""

from __future__ import annotations

import pytest

import dspex
from dspex.lm.base import LM_CLASS_STATE_KEY, BaseLM


@pytest.fixture(autouse=True)
def native():
    dspex.configure(backend="native")


class EchoLM(BaseLM):
    """Answers with the number of messages, in an OpenAI SDK-like dict."""

    def forward(self, prompt=None, messages=None, **kwargs):
        self.seen = kwargs
        content = f"[[ ## answer ## ]]\n{len(messages or [prompt])} messages"
        return {
            "model": "echo-1",
            "choices": [{"message": {"content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 2},
        }


class ListLM(BaseLM):
    """Implements DSPy's other extension point: __call__ returns the output texts."""

    def __call__(self, prompt=None, messages=None, **kwargs):
        return ["[[ ## answer ## ]]\nfrom __call__"]


def test_a_forward_lm_answers_predict_and_records_usage():
    lm = EchoLM("echo", temperature=0.5)
    out = dspex.Predict("question -> answer")(question="hi", lm=lm)
    assert out.answer == "2 messages"  # system + user
    assert lm.seen["temperature"] == 0.5 and "max_tokens" not in lm.seen  # None is not sent
    entry = lm.history[-1]
    assert entry["usage"]["prompt_tokens"] == 7 and entry["response_model"] == "echo-1"


def test_a_call_lm_answers_predict():
    assert dspex.Predict("question -> answer")(question="hi", lm=ListLM("list")).answer == "from __call__"


async def test_async_calls_run_forward_by_default():
    lm = EchoLM("echo")
    assert (await dspex.Predict("question -> answer").acall(question="hi", lm=lm)).answer == "2 messages"


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="forward"):
        BaseLM("bare")("hi")


def test_copy_has_its_own_history_and_kwargs():
    lm = EchoLM("echo", temperature=0.0)
    lm("hi")
    other = lm.copy(temperature=1.0, rollout_id=2)
    assert other.history == [] and len(lm.history) == 1
    assert other.kwargs["temperature"] == 1.0 and other.kwargs["rollout_id"] == 2
    assert lm.kwargs["temperature"] == 0.0 and "rollout_id" not in lm.kwargs
    assert other.dump_state()["model"] == "echo"


def test_state_names_the_class_and_a_custom_class_loads_only_when_allowed():
    state = EchoLM("echo", temperature=0.3).dump_state()
    assert state[LM_CLASS_STATE_KEY] == f"{EchoLM.__module__}.EchoLM"
    assert EchoLM.load_state(state).kwargs["temperature"] == 0.3
    with pytest.raises(ValueError, match="refusing to import the LM class"):
        BaseLM.load_state(state)
    loaded = BaseLM.load_state(state, allow_custom_lm_class=True)
    assert type(loaded) is EchoLM and loaded.model == "echo"


def test_a_state_of_the_builtin_lm_loads_as_dspex_lm():
    state = {LM_CLASS_STATE_KEY: "dspy.clients.lm.LM", "model": "openai/gpt-4o-mini", "temperature": 0.0}
    lm = BaseLM.load_state(state)
    assert isinstance(lm, dspex.LM) and lm.model == "openai/gpt-4o-mini"
