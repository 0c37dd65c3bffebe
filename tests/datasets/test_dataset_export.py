"""Exported files import back into an identical version (JSONL and CSV)."""

from __future__ import annotations

import json

import pytest

from datasets.services import dataset_export, dataset_import

pytestmark = pytest.mark.django_db

RECORDS = [
    {"question": "1+1?", "hints": ["add", "carry, maybe"], "answer": 2, "split": "train"},
    {"question": 'Say "hi"\non two lines', "hints": [], "answer": 0, "split": "dev"},
    {"question": "3*3?", "hints": ["multiply"], "answer": 9, "split": "test"},
]


@pytest.fixture
def version(math_dataset):
    return dataset_import(dataset=math_dataset, file="\n".join(json.dumps(r) for r in RECORDS).encode())


def test_jsonl_export_is_the_flat_records_in_order(version):
    text = dataset_export(version=version)
    assert [json.loads(line) for line in text.splitlines()] == RECORDS
    assert [list(json.loads(line)) for line in text.splitlines()] == [list(r) for r in RECORDS]


@pytest.mark.parametrize("format", ["jsonl", "csv"])
def test_an_export_imports_back_with_the_same_content_hash(math_dataset, version, format):
    text = dataset_export(version=version, format=format)
    again = dataset_import(dataset=math_dataset, file=text.encode(), format=format)
    assert again.content_hash == version.content_hash
    assert (again.train_count, again.dev_count, again.test_count) == (1, 1, 1)


def test_csv_export_has_a_header_and_json_encoded_lists(version):
    lines = dataset_export(version=version, format="csv").splitlines()
    assert lines[0] == "question,hints,answer,split"
    assert lines[1] == '1+1?,"[""add"", ""carry, maybe""]",2,train'


def test_one_split_can_be_exported(version):
    text = dataset_export(version=version, split="dev")
    assert [json.loads(line)["split"] for line in text.splitlines()] == ["dev"]
