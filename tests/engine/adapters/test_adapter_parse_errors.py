"""AdapterParseError carries the raw completion, what was parsed and a readable message."""

from __future__ import annotations

import pytest

import dspex
from dspex import AdapterParseError


class Scored(dspex.Signature):
    """Score it."""

    text: str = dspex.InputField()
    label: str = dspex.OutputField()
    score: int = dspex.OutputField(ge=0, le=10)


def test_a_missing_output_names_expected_and_parsed_fields():
    completion = "[[ ## label ## ]]\ngood\n\n[[ ## completed ## ]]"

    with pytest.raises(AdapterParseError) as info:
        dspex.ChatAdapter().parse(Scored, completion)

    error = info.value
    assert error.lm_response == completion
    assert error.parsed_result == {"label": "good"}
    assert "Expected output fields: ['label', 'score']" in str(error)
    assert "Parsed fields: ['label']" in str(error)
    assert str(error).endswith(f"LM response:\n{completion}")


def test_a_value_that_cannot_be_coerced_names_the_field_and_value():
    completion = "[[ ## label ## ]]\ngood\n[[ ## score ## ]]\nten"

    with pytest.raises(AdapterParseError) as info:
        dspex.ChatAdapter().parse(Scored, completion)

    assert "Failed to parse field score with value 'ten'" in str(info.value)
    assert info.value.parsed_result == {"label": "good"}
    assert info.value.lm_response == completion


@pytest.mark.parametrize("adapter", [dspex.ChatAdapter(), dspex.JSONAdapter()], ids=["chat", "json"])
def test_an_output_outside_its_constraints_is_a_parse_error(adapter):
    completion = (
        '{"label": "good", "score": 11}'
        if isinstance(adapter, dspex.JSONAdapter)
        else "[[ ## label ## ]]\ngood\n[[ ## score ## ]]\n11"
    )

    with pytest.raises(AdapterParseError, match="less than or equal to 10") as info:
        adapter.parse(Scored, completion)

    assert info.value.lm_response == completion


def test_outputs_inside_their_constraints_parse():
    parsed = dspex.ChatAdapter().parse(Scored, "[[ ## label ## ]]\ngood\n[[ ## score ## ]]\n10")

    assert parsed == {"label": "good", "score": 10}


def test_a_json_reply_that_is_not_an_object_is_a_parse_error():
    with pytest.raises(AdapterParseError, match="not a JSON object") as info:
        dspex.JSONAdapter().parse(Scored, "[1, 2, 3]")

    assert info.value.lm_response == "[1, 2, 3]"
    assert info.value.adapter_name == "JSONAdapter"


def test_an_empty_completion_is_a_parse_error():
    with pytest.raises(AdapterParseError, match="empty response") as info:
        dspex.ChatAdapter().parse_outputs(Scored, [""])

    assert info.value.lm_response == ""


def test_a_very_long_completion_is_shortened_in_the_message_but_kept_whole():
    completion = "x" * 5000

    with pytest.raises(AdapterParseError) as info:
        dspex.ChatAdapter().parse(Scored, completion)

    assert info.value.lm_response == completion
    assert len(str(info.value)) < 2500


def test_defaults_fill_missing_outputs():
    class WithDefault(dspex.Signature):
        question: str = dspex.InputField()
        answer: str = dspex.OutputField()
        lang: str = dspex.OutputField(default="en")

    assert dspex.ChatAdapter().parse(WithDefault, "[[ ## answer ## ]]\nhi") == {"answer": "hi", "lang": "en"}
    assert dspex.JSONAdapter().parse(WithDefault, '{"answer": "hi"}') == {"answer": "hi", "lang": "en"}
