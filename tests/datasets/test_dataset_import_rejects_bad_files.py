"""A bad file gets per-line errors naming the field, and nothing is half-imported."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from datasets.errors import DatasetImportError
from datasets.models import DatasetVersion, Example
from datasets.services import dataset_create, dataset_import

pytestmark = pytest.mark.django_db

BAD_JSONL = b"""{"question": "1+1?", "hints": [], "answer": 2}
{"question": "2+2?", "hints": [], "answer": "four"}
not json at all
{"question": "3+3?", "answer": 6, "colour": "red"}
["a", "list"]
{"hints": "not a list", "answer": 1, "split": "holdout"}
{"question": "4+4?", "hints": [], "answer": 8}
"""


def _errors(exc: DatasetImportError) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in exc.line_errors:
        found.setdefault(error.line, []).append(str(error))
    return found


def test_every_bad_line_is_reported_and_nothing_is_imported(math_dataset):
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file=io.BytesIO(BAD_JSONL))
    errors = _errors(caught.value)
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "field `answer`" in errors[2][0] and "expects int" in errors[2][0]
    assert "invalid JSON" in errors[3][0]
    assert any("field `colour`: unknown field" in e for e in errors[4])
    assert any("field `hints`: missing input" in e for e in errors[4])
    assert "expected a JSON object" in errors[5][0]
    assert any("field `question`" in e for e in errors[6])
    assert any("field `hints`" in e and "expects list[str]" in e for e in errors[6])
    assert any("field `split`" in e and "'holdout'" in e for e in errors[6])
    assert not DatasetVersion.objects.exists()
    assert not Example.objects.exists()


def test_the_error_message_summarises_and_lists_the_lines(math_dataset):
    with pytest.raises(ValidationError) as caught:
        dataset_import(dataset=math_dataset, file=BAD_JSONL)
    messages = caught.value.messages
    assert messages[0].startswith("nothing was imported:")
    assert any(m.startswith("line 2: field `answer`") for m in messages)


def test_a_bad_file_leaves_the_existing_versions_alone(math_dataset):
    good = dataset_import(dataset=math_dataset, file=b'{"question": "q", "hints": [], "answer": 1}')
    with pytest.raises(DatasetImportError):
        dataset_import(dataset=math_dataset, file=BAD_JSONL)
    assert list(DatasetVersion.objects.all()) == [good]
    assert Example.objects.count() == 1


def test_a_csv_row_with_too_many_cells_is_reported(math_dataset):
    text = "question,hints,answer\nq,[],1\nq,[],2,extra\n"
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file=text.encode(), format="csv")
    assert str(caught.value.line_errors[0]) == "line 3: 4 values for 3 columns"


def test_a_csv_file_with_a_duplicate_column_is_refused(math_dataset):
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file=b"question,question,answer\na,b,1\n", format="csv")
    assert "duplicate column" in str(caught.value.line_errors[0])


def test_a_missing_label_is_an_error_by_default(math_dataset):
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file=b'{"question": "q", "hints": []}')
    assert str(caught.value.line_errors[0]) == "line 1: field `answer`: missing label `answer`"


def test_an_empty_file_is_refused(math_dataset):
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file=b"\n\n")
    assert "no examples" in str(caught.value.line_errors[0])


def test_a_file_that_is_not_utf8_is_refused(math_dataset):
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=math_dataset, file='{"question": "Größe"}'.encode("latin-1"))
    assert "not UTF-8" in str(caught.value.line_errors[0])


def test_an_unknown_format_is_refused(math_dataset):
    with pytest.raises(ValidationError) as caught:
        dataset_import(dataset=math_dataset, file=b"", format="xlsx")
    assert "format" in caught.value.message_dict


def test_a_dataset_without_a_signature_needs_one_given(user):
    dataset = dataset_create(name="loose", owner=user)
    with pytest.raises(ValidationError) as caught:
        dataset_import(dataset=dataset, file=b'{"question": "q"}')
    assert "signature" in caught.value.message_dict


def test_a_failure_while_writing_rolls_everything_back(math_dataset, monkeypatch):
    from datasets import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Example.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        dataset_import(dataset=math_dataset, file=b'{"question": "q", "hints": [], "answer": 1}')
    assert not DatasetVersion.objects.exists()
