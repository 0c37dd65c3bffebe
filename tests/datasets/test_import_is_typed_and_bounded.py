"""An import is typed and bounded: a field declared ``str`` takes text only, JSON may nest at
most ``DSPEX_MAX_JSON_DEPTH`` levels (in a JSONL line or a CSV cell), and every refusal names its
line and field; nothing is imported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datasets.errors import DatasetImportError
from datasets.services import dataset_create, dataset_import
from programs.services import signature_create

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


def make_dataset(user: Any, spec: str) -> Any:
    signature = signature_create(name=f"sig-{abs(hash(spec))}", spec=spec, owner=user)
    return dataset_create(name=f"ds-{abs(hash(spec))}", signature=signature, owner=user)


def import_errors(dataset: Any, text: str, format: str = "jsonl") -> list[tuple[int, str | None, str]]:
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=dataset, file=text.encode(), format=format)
    assert dataset.versions.count() == 0
    return [(error.line, error.field, error.message) for error in caught.value.line_errors]


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ({"a": 1}, 'an object: {"a": 1}'),
        (["x", "y"], 'an array: ["x", "y"]'),
        (5, "a number: 5"),
        (2.5, "a number: 2.5"),
        (True, "a boolean: true"),
        (None, "null: null"),
    ],
)
@pytest.mark.parametrize("field", ["question", "answer"])
def test_a_field_declared_str_refuses_anything_but_text(user: Any, field: str, value: Any, got: str) -> None:
    dataset = make_dataset(user, "question: str -> answer: str")
    record = {"question": "q", "answer": "a", field: value}
    text = json.dumps({"question": "fine", "answer": "fine"}) + "\n" + json.dumps(record) + "\n"
    assert import_errors(dataset, text) == [(2, field, f"expects str (text), got {got}")]


def test_a_structured_record_is_typed_too(user: Any) -> None:
    dataset = make_dataset(user, "question: str -> answer: str")
    text = json.dumps({"inputs": {"question": {"nested": True}}, "labels": {"answer": "a"}}) + "\n"
    assert import_errors(dataset, text) == [
        (1, "question", 'expects str (text), got an object: {"nested": true}')
    ]


def test_untyped_fields_keep_accepting_any_json_like_dspy(user: Any) -> None:
    dataset = make_dataset(user, "question -> answer")
    version = dataset_import(dataset=dataset, file=b'{"question": {"a": 1}, "answer": 4}\n')
    assert version.examples.get().inputs == {"question": {"a": 1}}


def test_a_csv_cell_of_a_str_field_is_text_whatever_it_looks_like(user: Any) -> None:
    dataset = make_dataset(user, "question: str -> answer: str")
    version = dataset_import(dataset=dataset, file=b'question,answer\n"{""a"": 1}",5\n', format="csv")
    assert version.examples.get().inputs == {"question": '{"a": 1}'}
    assert version.examples.get().labels == {"answer": "5"}


def test_a_jsonl_line_nested_too_deep_is_an_error_of_its_line(user: Any) -> None:
    dataset = make_dataset(user, "question -> answer")
    text = '{"question": "q", "answer": "a"}\n{"question": ' + DEEP + ', "answer": "a"}\n'
    assert import_errors(dataset, text) == [
        (2, None, "JSON nested deeper than 64 levels (the limit is DSPEX_MAX_JSON_DEPTH)")
    ]


def test_a_csv_cell_nested_too_deep_is_an_error_of_its_line_and_field(user: Any) -> None:
    dataset = make_dataset(user, "context: list[str], question -> answer")
    text = f'context,question,answer\n"{DEEP}",q,a\n'
    assert import_errors(dataset, text, format="csv") == [
        (2, "context", "JSON nested deeper than 64 levels (the limit is DSPEX_MAX_JSON_DEPTH)")
    ]


def test_a_csv_cell_whose_json_decodes_to_a_nul_is_refused(user: Any) -> None:
    dataset = make_dataset(user, "context: list[str], question -> answer")
    text = 'context,question,answer\n"[""a\\u0000b""]",q,a\n'
    [(line, field, message)] = import_errors(dataset, text, format="csv")
    assert (line, field) == (2, "context")
    assert message == "`context[0]` contains a NUL character (\\u0000), which cannot be stored"


def test_the_depth_limit_is_a_setting(user: Any, settings: Any) -> None:
    dataset = make_dataset(user, "context: list[list[str]], question -> answer")
    line = json.dumps({"context": [["a"]], "question": "q", "answer": "a"}) + "\n"
    settings.DSPEX_MAX_JSON_DEPTH = 2
    assert import_errors(dataset, line)[0][2].startswith("JSON nested deeper than 2 levels")
    settings.DSPEX_MAX_JSON_DEPTH = 3
    assert dataset_import(dataset=dataset, file=line.encode()).example_count == 1
