"""DSPy's LM settings (fine-tuning entries, developer role, callbacks) are kept, never sent."""

from __future__ import annotations

from dspex.callbacks import BaseCallback
from dspex.lm import LM


def test_the_settings_round_trip_through_the_state_and_stay_out_of_the_request(openai_stub, make_stub_lm):
    lm = make_stub_lm(finetuning_model="ft", launch_kwargs={"gpu": 1}, train_kwargs={"epochs": 2})
    openai_stub.script("ok")

    lm("hi")

    body = openai_stub.requests[-1].json
    assert not {"finetuning_model", "launch_kwargs", "train_kwargs", "callbacks"} & set(body)
    state = lm.dump_state()
    assert (state["finetuning_model"], state["launch_kwargs"], state["train_kwargs"]) == (
        "ft",
        {"gpu": 1},
        {"epochs": 2},
    )
    assert LM.load_state(state).train_kwargs == {"epochs": 2}


def test_use_developer_role_sends_system_messages_as_developer(openai_stub, make_stub_lm):
    lm = make_stub_lm(use_developer_role=True)
    openai_stub.script("ok")

    lm(messages=[{"role": "system", "content": "rules"}, {"role": "user", "content": "hi"}])

    assert [m["role"] for m in openai_stub.requests[-1].json["messages"]] == ["developer", "user"]
    assert lm.dump_state()["use_developer_role"] is True


def test_a_copy_keeps_its_own_list_of_the_same_callbacks():
    callback = BaseCallback()
    lm = LM("openai/gpt-4o-mini", callbacks=[callback])

    copy = lm.copy(temperature=0.5)

    assert copy.callbacks == [callback] and copy.callbacks is not lm.callbacks
    assert "callbacks" not in copy.kwargs
