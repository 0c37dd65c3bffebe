"""``manage.py dspex_import_dataset``: a file becomes a dataset version, or nothing is imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset, DatasetVersion, Example
from datasets.services import dataset_create

pytestmark = pytest.mark.django_db

GOOD = """{"question": "Capital of France?", "answer": "Paris"}
{"question": "Capital of Italy?", "answer": "Rome", "split": "dev"}
{"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"}
"""
BAD = """{"question": "Capital of France?", "answer": "Paris"}
{"question": "Capital of Italy?"}
oops
"""


def _run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("dspex_import_dataset", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "capitals.jsonl"
    path.write_text(GOOD)
    return path


def test_it_creates_the_dataset_and_its_first_version(qa_signature, good_file):
    out, err = _run("capitals", str(good_file), "--signature", "qa")
    dataset = Dataset.objects.get(name="capitals")
    assert dataset.signature == qa_signature
    version = dataset.versions.get()
    assert (version.number, version.train_count, version.dev_count) == (1, 1, 2)
    assert version.source == "capitals.jsonl"
    assert "Imported 3 examples into dataset 'capitals' (new) as version 1: 1 train, 2 dev, 0 test" in out
    assert "validating [" in err and "3/3" in err  # the progress bar's final line


def test_importing_again_adds_a_version_and_says_when_nothing_changed(qa_signature, good_file):
    _run("capitals", str(good_file), "--signature", "qa")
    out, _ = _run("capitals", str(good_file))  # the dataset's own signature
    assert Dataset.objects.get(name="capitals").versions.count() == 2
    assert "as version 2" in out and "same content as the previous version" in out


def test_csv_is_read_by_the_file_name_and_the_default_split_applies(qa_signature, tmp_path):
    path = tmp_path / "capitals.csv"
    path.write_text("question,answer\nCapital of Peru?,Lima\n")
    _run("capitals", str(path), "--signature", "qa", "--split", "test")
    assert DatasetVersion.objects.get().test_count == 1


def test_a_bad_file_lists_every_error_and_imports_nothing(qa_signature, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(BAD)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported: 2 error"):
        call_command("dspex_import_dataset", "capitals", str(path), "--signature", "qa", stderr=err)
    assert "line 2: field `answer`: missing label `answer`" in err.getvalue()
    assert "line 3: invalid JSON" in err.getvalue()
    assert not Dataset.objects.exists()  # not even an empty new dataset
    assert not Example.objects.exists()


def test_a_bad_file_leaves_an_existing_dataset_as_it_was(qa_signature, tmp_path, good_file):
    _run("capitals", str(good_file), "--signature", "qa")
    path = tmp_path / "bad.jsonl"
    path.write_text(BAD)
    with pytest.raises(CommandError):
        _run("capitals", str(path))
    assert Dataset.objects.get().versions.count() == 1


def test_a_new_dataset_needs_a_signature(good_file):
    with pytest.raises(CommandError, match="give --signature"):
        _run("capitals", str(good_file))


def test_an_unknown_signature_is_named(good_file):
    with pytest.raises(CommandError, match="no signature named 'nope'"):
        _run("capitals", str(good_file), "--signature", "nope")


def test_a_file_of_unknown_type_needs_a_format(qa_signature, tmp_path):
    path = tmp_path / "capitals.txt"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="--format"):
        _run("capitals", str(path), "--signature", "qa")
    _run("capitals", str(path), "--signature", "qa", "--format", "jsonl")
    assert DatasetVersion.objects.count() == 1


def test_a_missing_file_is_named(qa_signature, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _run("capitals", str(tmp_path / "missing.jsonl"), "--signature", "qa")


def test_the_owner_picks_between_datasets_of_the_same_name(qa_signature, user, other_user, good_file):
    dataset_create(name="capitals", signature=qa_signature, owner=user)
    dataset_create(name="capitals", signature=qa_signature, owner=other_user)
    with pytest.raises(CommandError, match="pick one with --owner"):
        _run("capitals", str(good_file))
    _run("capitals", str(good_file), "--owner", other_user.username)
    assert DatasetVersion.objects.get().dataset.owner == other_user
