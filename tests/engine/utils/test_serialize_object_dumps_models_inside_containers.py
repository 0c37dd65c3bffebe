"""``serialize_object``: pydantic models dumped in JSON mode, inside dicts, lists and tuples."""

from __future__ import annotations

import datetime

import pydantic
import pytest

from dspex.utils import serialize_object


class Stamp(pydantic.BaseModel):
    at: datetime.date
    url: pydantic.HttpUrl


def test_models_are_dumped_in_json_mode_wherever_they_sit() -> None:
    stamp = Stamp(at=datetime.date(2026, 12, 8), url="https://example.com/x")
    value = {"one": stamp, "many": [stamp, 3], "pair": (stamp, "b"), "plain": "text"}
    dumped = {"at": "2026-12-08", "url": "https://example.com/x"}
    assert serialize_object(value) == {
        "one": dumped,
        "many": [dumped, 3],
        "pair": (dumped, "b"),  # a tuple stays a tuple
        "plain": "text",
    }


@pytest.mark.dspy
def test_it_gives_what_dspys_gives() -> None:
    from dspy.predict.predict import serialize_object as dspys

    value = [{"k": (Stamp(at=datetime.date(2020, 1, 2), url="http://a.b/"), None)}]
    assert serialize_object(value) == dspys(value)
