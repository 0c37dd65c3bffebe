"""DummyLM given an XMLAdapter answers with XML elements, so an XML program runs end to end."""

from __future__ import annotations

import dspex
from dspex.utils import DummyLM


def test_a_dummy_lm_for_the_xml_adapter_answers_in_elements_the_adapter_reads():
    lm = DummyLM([{"answer": "a < b & c", "count": 3}], adapter=dspex.XMLAdapter())

    with dspex.context(lm=lm, adapter=dspex.XMLAdapter()):
        result = dspex.Predict("question -> answer, count: int")(question="?")

    assert (result.answer, result.count) == ("a < b & c", 3)
    assert lm.history[0]["outputs"] == ["<answer>\na &lt; b &amp; c\n</answer>\n\n<count>\n3\n</count>"]
