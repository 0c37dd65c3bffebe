"""Example rows convert to ``dspex.Example`` (inputs marked) and back."""

from __future__ import annotations

import pytest

import dspex
from datasets import gateway
from datasets.services import dataset_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(math_dataset):
    return dataset_import(
        dataset=math_dataset,
        file=b'{"question": "1+1?", "hints": ["add"], "answer": 2}\n'
        b'{"question": "2+2?", "hints": [], "answer": 4, "split": "dev"}\n',
    )


def test_a_row_becomes_an_example_with_its_inputs_marked(version):
    example = gateway.example_from_row(version.examples.get(position=0))
    assert isinstance(example, dspex.Example)
    assert example.inputs().to_dict() == {"question": "1+1?", "hints": ["add"]}
    assert example.labels().to_dict() == {"answer": 2}


def test_a_version_gives_its_examples_in_order_per_split(version):
    assert [e.question for e in gateway.examples_from_version(version)] == ["1+1?", "2+2?"]
    assert [e.question for e in gateway.examples_from_version(version, split="dev")] == ["2+2?"]


def test_an_example_round_trips_to_row_values(version):
    row = version.examples.get(position=0)
    assert gateway.row_values_from_example(gateway.example_from_row(row)) == (row.inputs, row.labels)


def test_an_example_without_marked_inputs_is_refused():
    with pytest.raises(ValueError, match="with_inputs"):
        gateway.row_values_from_example(dspex.Example(question="q", answer="a"))
