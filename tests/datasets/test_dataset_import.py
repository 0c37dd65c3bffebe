"""Good JSONL and CSV files become a new immutable version with a content hash and counts."""

from __future__ import annotations

import io
import json

import pytest

from datasets.models import DatasetVersion, Example
from datasets.services import content_hash, dataset_import

pytestmark = pytest.mark.django_db

JSONL = "\n".join(
    json.dumps(r)
    for r in [
        {"question": "1+1?", "hints": ["add"], "answer": 2},
        {"question": "2+3?", "hints": [], "answer": "5", "split": "dev"},
        {"inputs": {"question": "3*3?", "hints": ["multiply"]}, "labels": {"answer": 9}, "split": "test"},
    ]
)


def test_a_jsonl_file_becomes_version_1_with_examples_in_order(math_dataset, user):
    version = dataset_import(dataset=math_dataset, file=io.BytesIO(JSONL.encode()), created_by=user)
    assert (version.number, version.created_by) == (1, user)
    assert (version.train_count, version.dev_count, version.test_count) == (1, 1, 1)
    assert version.example_count == 3
    rows = list(version.examples.order_by("position"))
    assert [r.position for r in rows] == [0, 1, 2]
    assert [r.split for r in rows] == ["train", "dev", "test"]
    assert rows[0].inputs == {"question": "1+1?", "hints": ["add"]}
    assert rows[1].labels == {"answer": 5}  # coerced to the declared int
    assert rows[2].labels == {"answer": 9}


def test_the_content_hash_is_the_sha256_of_the_examples(math_dataset):
    version = dataset_import(dataset=math_dataset, file=JSONL.encode())
    items = [(r.split, r.inputs, r.labels) for r in version.examples.order_by("position")]
    assert version.content_hash == content_hash(items)
    assert len(version.content_hash) == 64


def test_importing_again_makes_version_2_with_the_same_hash(math_dataset):
    first = dataset_import(dataset=math_dataset, file=JSONL.encode())
    second = dataset_import(dataset=math_dataset, file=JSONL.encode())
    assert second.number == 2
    assert second.content_hash == first.content_hash
    assert first.examples.count() == second.examples.count() == 3


def test_different_content_has_a_different_hash(math_dataset):
    first = dataset_import(dataset=math_dataset, file=JSONL.encode())
    second = dataset_import(dataset=math_dataset, file=JSONL.replace("1+1?", "1+2?").encode())
    assert first.content_hash != second.content_hash


def test_a_csv_file_is_read_with_typed_cells_decoded(math_dataset):
    text = 'question,hints,answer,split\n1+1?,"[""add""]",2,train\n"2,3 summed?",[],5,dev\n'
    version = dataset_import(dataset=math_dataset, file=io.StringIO(text), format="csv")
    rows = list(version.examples.order_by("position"))
    assert rows[0].inputs == {"question": "1+1?", "hints": ["add"]}
    assert rows[0].labels == {"answer": 2}
    assert rows[1].inputs["question"] == "2,3 summed?"
    assert (version.train_count, version.dev_count) == (1, 1)


def test_a_file_path_and_a_default_split_are_accepted(math_dataset, tmp_path):
    path = tmp_path / "math.jsonl"
    path.write_text('{"question": "1+1?", "hints": [], "answer": 2}\n\n')
    version = dataset_import(dataset=math_dataset, file=path, default_split="dev")
    assert version.dev_count == 1
    assert version.source == "math.jsonl"


def test_a_signature_can_be_given_for_a_dataset_without_one(user):
    from datasets.services import dataset_create
    from programs.services import signature_create

    dataset = dataset_create(name="loose", owner=user)
    signature = signature_create(name="qa", spec="question -> answer", owner=user)
    version = dataset_import(dataset=dataset, file=b'{"question": "q", "answer": "a"}', signature=signature)
    assert version.examples.get().labels == {"answer": "a"}


def test_labels_may_be_left_out_when_not_required(math_dataset):
    version = dataset_import(
        dataset=math_dataset, file=b'{"question": "q", "hints": []}', require_labels=False
    )
    assert version.examples.get().labels == {}


def test_a_utf8_byte_order_mark_is_ignored(math_dataset):
    data = "\ufeff" + '{"question": "Größe?", "hints": [], "answer": 1}'
    version = dataset_import(dataset=math_dataset, file=data.encode("utf-8"))
    assert version.examples.get().inputs["question"] == "Größe?"
    assert DatasetVersion.objects.count() == 1
    assert Example.objects.count() == 1
