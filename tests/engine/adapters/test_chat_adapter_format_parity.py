"""dspex.ChatAdapter().format produces exactly the messages dspy's ChatAdapter produces."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.adapters.parity_cases import (
    FORMAT_CASES,
    QA_DEMOS,
    dspex_demos,
    dspy_demos,
    signatures,
)

pytestmark = pytest.mark.dspy


@pytest.mark.parametrize(("spec", "inputs", "demos"), FORMAT_CASES)
def test_format_matches_dspy_byte_for_byte(spec, inputs, demos):
    import dspy

    theirs_sig, ours_sig = signatures(spec)

    theirs = dspy.ChatAdapter().format(theirs_sig, dspy_demos(demos, "example"), inputs)
    ours = dspex.ChatAdapter().format(ours_sig, dspex_demos(demos, "dict"), inputs)

    assert ours == theirs


@pytest.mark.parametrize(
    ("ours_kind", "theirs_kind"), [("example", "dict"), ("dict", "dict"), ("example", "example")]
)
def test_demos_as_examples_or_dicts_format_the_same(ours_kind, theirs_kind):
    import dspy

    spec, inputs, demos = "question -> answer", {"question": "Q"}, QA_DEMOS
    theirs_sig, ours_sig = signatures(spec)

    theirs = dspy.ChatAdapter().format(theirs_sig, dspy_demos(demos, theirs_kind), inputs)
    ours = dspex.ChatAdapter().format(ours_sig, dspex_demos(demos, ours_kind), inputs)

    assert ours == theirs
    assert len(ours) == 1 + 2 * 3 + 1  # system, three demo pairs, request


@pytest.mark.parametrize(("spec", "inputs", "demos"), FORMAT_CASES)
def test_output_requirements_match_dspy(spec, inputs, demos):
    import dspy

    theirs_sig, ours_sig = signatures(spec)

    assert dspex.ChatAdapter().user_message_output_requirements(
        ours_sig
    ) == dspy.ChatAdapter().user_message_output_requirements(theirs_sig)


@pytest.mark.parametrize(("spec", "inputs", "demos"), [c for c in FORMAT_CASES if c.values[2]])
def test_assistant_message_content_matches_dspy(spec, inputs, demos):
    import dspy

    theirs_sig, ours_sig = signatures(spec)
    for demo in demos:
        assert dspex.ChatAdapter().format_assistant_message_content(
            ours_sig, demo, missing_field_message="MISSING"
        ) == dspy.ChatAdapter().format_assistant_message_content(
            theirs_sig, demo, missing_field_message="MISSING"
        )
