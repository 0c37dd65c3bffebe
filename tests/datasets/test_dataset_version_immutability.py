"""Dataset versions and their examples never change once stored."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.immutable import ImmutableRowError
from datasets.models import Example
from datasets.services import dataset_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(math_dataset):
    return dataset_import(dataset=math_dataset, file=b'{"question": "q", "hints": [], "answer": 1}')


def test_saving_a_stored_version_raises(version):
    version.train_count = 99
    with pytest.raises(ImmutableRowError):
        version.save()


def test_saving_a_stored_example_raises(version):
    example = version.examples.get()
    example.labels = {"answer": 2}
    with pytest.raises(ImmutableRowError):
        example.save()


def test_updating_examples_through_a_queryset_raises(version):
    with pytest.raises(ImmutableRowError):
        Example.objects.filter(version=version).update(split="dev")


def test_positions_are_unique_within_a_version(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        Example.objects.create(version=version, inputs={}, labels={}, position=0)
