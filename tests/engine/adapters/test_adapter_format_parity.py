"""dspex's ChatAdapter, JSONAdapter and XMLAdapter format exactly the messages dspy's adapters of
the same name do."""

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

ADAPTERS = ("ChatAdapter", "JSONAdapter", "XMLAdapter")


def adapters(name):
    """(dspy's adapter, ours) of the same name."""
    import dspy

    return getattr(dspy, name)(), getattr(dspex, name)()


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("spec", "inputs", "demos"), FORMAT_CASES)
def test_format_matches_dspy_byte_for_byte(adapter, spec, inputs, demos):
    theirs_adapter, ours_adapter = adapters(adapter)
    theirs_sig, ours_sig = signatures(spec)

    theirs = theirs_adapter.format(theirs_sig, dspy_demos(demos, "example"), inputs)
    ours = ours_adapter.format(ours_sig, dspex_demos(demos, "dict"), inputs)

    assert ours == theirs


@pytest.mark.parametrize(
    ("ours_kind", "theirs_kind"), [("example", "dict"), ("dict", "dict"), ("example", "example")]
)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_demos_as_examples_or_dicts_format_the_same(adapter, ours_kind, theirs_kind):
    theirs_adapter, ours_adapter = adapters(adapter)
    spec, inputs, demos = "question -> answer", {"question": "Q"}, QA_DEMOS
    theirs_sig, ours_sig = signatures(spec)

    theirs = theirs_adapter.format(theirs_sig, dspy_demos(demos, theirs_kind), inputs)
    ours = ours_adapter.format(ours_sig, dspex_demos(demos, ours_kind), inputs)

    assert ours == theirs
    assert len(ours) == 1 + 2 * 3 + 1  # system, three demo pairs, request


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("spec", "inputs", "demos"), FORMAT_CASES)
def test_output_requirements_match_dspy(adapter, spec, inputs, demos):
    theirs_adapter, ours_adapter = adapters(adapter)
    theirs_sig, ours_sig = signatures(spec)

    assert ours_adapter.user_message_output_requirements(
        ours_sig
    ) == theirs_adapter.user_message_output_requirements(theirs_sig)


@pytest.mark.parametrize(("spec", "inputs", "demos"), [c for c in FORMAT_CASES if c.values[2]])
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_assistant_message_content_matches_dspy(adapter, spec, inputs, demos):
    theirs_adapter, ours_adapter = adapters(adapter)
    theirs_sig, ours_sig = signatures(spec)
    for demo in demos:
        assert ours_adapter.format_assistant_message_content(
            ours_sig, demo, missing_field_message="MISSING"
        ) == theirs_adapter.format_assistant_message_content(
            theirs_sig, demo, missing_field_message="MISSING"
        )
