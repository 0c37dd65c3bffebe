"""dspex.XMLAdapter reads completions exactly as dspy's XMLAdapter does, and fails where it fails."""

from __future__ import annotations

import pytest

import dspex
from dspex.adapters.xml_adapter import FieldInfoWithName
from tests.engine.adapters.parity_cases import signatures

pytestmark = pytest.mark.dspy

COMPLETIONS = [
    pytest.param("q -> a", "<a>Paris</a>", id="one-field"),
    pytest.param("q -> a, b", "\n<b>B</b>\n<a>A</a>\n", id="any-order"),
    pytest.param("q -> n: int, f: float, ok: bool", "<n>42</n><f>2.5</f><ok>true</ok>", id="scalars"),
    pytest.param("q -> a, b: Optional[int]", "<a>x</a>", id="missing-optional"),
    pytest.param("q -> l: list[int]", "<l><item>1</item><item>2</item></l>", id="list-items"),
    pytest.param("q -> l: list[int]", "<l>[1, 2]</l>", id="list-as-json"),
    pytest.param("q -> l: list[str]", "<l />", id="empty-list"),
    pytest.param("q -> d: dict[str, list[int]]", "<d><x>1</x><x>2</x><y>3</y></d>", id="repeated-keys"),
    pytest.param("q -> d: dict[str, int]", '<d><entry key="two words">2</entry></d>', id="entry-key"),
    pytest.param("q -> p: Point", "<p><x>1</x><y>2.5</y><tags><item>t</item></tags></p>", id="model"),
    pytest.param("q -> p: Point", '<p>{"x": 1, "y": 2.5}</p>', id="model-as-json"),
    pytest.param("q -> p: Optional[Point]", "<p />", id="optional-model-empty"),
    pytest.param("q -> people: list[Person]", "<people><item><name>Ada</name></item></people>", id="models"),
    pytest.param("q -> code", "<code>a &lt;/code> &amp; b</code>", id="escaped-text"),
    pytest.param("q -> text", "<text>some <b>bold</b> words</text>", id="markup-in-text"),
]

FAILURES = [
    pytest.param("q -> a, b", "<a>A</a>", id="missing-field"),
    pytest.param("q -> n: int", "<n>many</n>", id="not-an-int"),
    pytest.param("q -> a", "<a>x</a></a>", id="malformed"),
]


@pytest.mark.parametrize(("spec", "completion"), COMPLETIONS)
def test_parse_matches_dspy(spec, completion):
    import dspy

    theirs_sig, ours_sig = signatures(spec)

    ours = dspex.XMLAdapter().parse(ours_sig, completion)

    assert ours == dspy.XMLAdapter().parse(theirs_sig, completion)


@pytest.mark.parametrize(("spec", "completion"), FAILURES)
def test_parse_fails_where_dspy_fails(spec, completion):
    import dspy

    theirs_sig, ours_sig = signatures(spec)
    with pytest.raises(dspy.utils.exceptions.AdapterParseError):
        dspy.XMLAdapter().parse(theirs_sig, completion)

    with pytest.raises(dspex.AdapterParseError) as info:
        dspex.XMLAdapter().parse(ours_sig, completion)

    assert info.value.adapter_name == "XMLAdapter"


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        pytest.param("q -> l: list[int]", {"l": []}, id="empty-list"),
        pytest.param("q -> d: dict[str, int]", {"d": {"two words": 1, "ok": 2, "-x": 3}}, id="odd-keys"),
        pytest.param("q -> p: Person", {"p": {"name": "Ada", "age": None}}, id="model-with-none"),
        pytest.param("q -> code", {"code": "if a < b & c: pass"}, id="escaped"),
    ],
)
def test_written_outputs_match_dspy_and_read_back(spec, values):
    import dspy

    theirs_sig, ours_sig = signatures(spec)
    ours = dspex.XMLAdapter().format_assistant_message_content(ours_sig, values)

    assert ours == dspy.XMLAdapter().format_assistant_message_content(theirs_sig, values)
    parsed = dspex.XMLAdapter().parse(ours_sig, ours)
    assert {k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in parsed.items()} == {
        k: {**v, "home": None} if spec.endswith("Person") else v for k, v in values.items()
    }


def test_field_info_with_name_pairs_a_name_with_its_field():
    signature = dspex.Signature("q -> a")
    field = FieldInfoWithName(name="a", info=signature.output_fields["a"])

    assert dspex.XMLAdapter().format_field_with_value({field: "x"}) == "<a>\nx\n</a>"
    assert field == ("a", signature.output_fields["a"])


def test_a_completion_cannot_declare_entities():
    completion = '<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'

    with pytest.raises(dspex.AdapterParseError, match="Failed to parse XML"):
        dspex.XMLAdapter().parse(dspex.Signature("q -> a"), completion)
