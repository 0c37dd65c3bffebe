"""track_usage: the tokens of every LM call of a block, per LM, in DSPy's layout."""

from __future__ import annotations

import asyncio

import pydantic

import dspex
from dspex.lm.usage import UsageTracker, track_usage
from tests.stubs.server import Reply

MESSAGES = [{"role": "user", "content": "ping"}]


def test_each_call_is_counted_under_its_lm_and_cache_hits_are_not(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    other = make_stub_lm(model="openai/other-model")
    openai_stub.script(
        Reply(content="a", usage={"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}),
        Reply(content="b", usage={"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}),
    )

    with track_usage() as usage:
        lm.request(MESSAGES)
        lm.request(MESSAGES)  # answered from the cache: no tokens spent
        asyncio.run(other.arequest(MESSAGES))

    assert dict(usage.usage_data) == {
        "openai/stub-model": [{"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}],
        "openai/other-model": [{"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}],
    }
    assert usage.get_total_tokens()["openai/stub-model"]["total_tokens"] == 9


def test_the_tracker_is_the_blocks_usage_tracker_setting():
    assert dspex.settings.get("usage_tracker") is None
    with track_usage() as usage:
        assert dspex.settings.get("usage_tracker") is usage
    assert dspex.settings.get("usage_tracker") is None


def test_totals_sum_counts_and_merge_nested_details_and_models():
    class Details(pydantic.BaseModel):
        cached_tokens: int
        audio_tokens: int | None

    tracker = UsageTracker()
    details = Details(cached_tokens=4, audio_tokens=None)
    tracker.add_usage("m", {"prompt_tokens": 10, "prompt_tokens_details": details})
    tracker.add_usage("m", {"prompt_tokens": 5, "prompt_tokens_details": None, "completion_tokens": 1})
    more = {"cached_tokens": 1, "audio_tokens": 2}
    tracker.add_usage("m", {"prompt_tokens_details": more, "is_byok": True})
    tracker.add_usage("m", {})  # nothing to record

    assert len(tracker.usage_data["m"]) == 3
    assert tracker.get_total_tokens() == {
        "m": {
            "prompt_tokens": 15,
            "completion_tokens": 1,
            "prompt_tokens_details": {"cached_tokens": 5, "audio_tokens": 2},
            "is_byok": True,
        }
    }


def test_a_nested_block_hands_entries_added_by_hand_to_the_enclosing_one():
    with track_usage() as outer:
        with track_usage() as inner:
            inner.add_usage("m", {"prompt_tokens": 2})
            assert not outer.usage_data
        assert outer.get_total_tokens() == {"m": {"prompt_tokens": 2}}


def test_each_parallel_pair_gets_its_own_copy_of_the_configured_tracker():
    parent = UsageTracker()

    def spend(tokens: int) -> dict:
        tracker = dspex.settings.get("usage_tracker")
        tracker.add_usage("m", {"prompt_tokens": tokens})
        return tracker.get_total_tokens()

    with dspex.context(usage_tracker=parent):
        results = dspex.Parallel(num_threads=2)([(spend, (5,)), (spend, (8,))])

    assert [r["m"]["prompt_tokens"] for r in results] == [5, 8]
    assert not parent.usage_data
