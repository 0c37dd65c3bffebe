"""``Dataset.split``, one declaration: a new version with seeded train/dev/test splits, reached
from REST, GraphQL, the shell, ``manage.py dspex`` and the admin."""

from __future__ import annotations

import html
import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from datasets.models import DatasetVersion
from tests.actions.conftest import gid


def _splits(version: DatasetVersion) -> list[tuple[str, str]]:
    return [(e.inputs["question"], e.split) for e in version.examples.order_by("position")]


@pytest.mark.django_db
def test_the_same_seed_draws_the_same_split_and_the_old_version_stays(
    rest_as: Any, user: Any, capitals_version: Any
) -> None:
    dataset, before = capitals_version.dataset, _splits(capitals_version)
    url = f"/api/datasets/{dataset.pk}/split/"
    first = rest_as(user).post(url, {"seed": 7, "train": 0.4, "dev": 0.4, "test": 0.2}, format="json").json()
    second = (
        rest_as(user)
        .post(url, {"seed": 7, "train": 0.4, "dev": 0.4, "test": 0.2, "version": 1}, format="json")
        .json()
    )
    assert (first["number"], second["number"]) == (2, 3)
    assert first["dev_count"] == 2 and first["test_count"] == 1 and first["train_count"] == 2
    v2, v3 = (DatasetVersion.objects.get(dataset=dataset, number=n) for n in (2, 3))
    assert _splits(v2) == _splits(v3)  # seeded
    assert sorted(q for q, _ in _splits(v2)) == sorted(q for q, _ in before)  # the same examples
    assert _splits(DatasetVersion.objects.get(pk=capitals_version.pk)) == before


@pytest.mark.django_db
def test_fractions_that_do_not_add_up_or_a_missing_version_are_refused(
    rest_as: Any, user: Any, capitals_version: Any
) -> None:
    url = f"/api/datasets/{capitals_version.dataset.pk}/split/"
    wrong = rest_as(user).post(url, {"train": 0.5, "dev": 0.2, "test": 0.2}, format="json")
    assert wrong.status_code == 400 and "must be 1" in wrong.json()["train"][0]
    missing = rest_as(user).post(url, {"version": 9}, format="json")
    assert missing.status_code == 400 and "has no version 9" in missing.json()["version"][0]
    assert capitals_version.dataset.versions.count() == 1


@pytest.mark.django_db
def test_graphql_answers_with_the_new_version(graphql_as: Any, user: Any, capitals_version: Any) -> None:
    query = (
        "mutation($id: ID!) { splitDataset(id: $id, seed: 2) "
        "{ datasetVersion { number trainCount } errors { field } } }"
    )
    payload = graphql_as(user)(query, {"id": gid(capitals_version.dataset)})["data"]["splitDataset"]
    assert payload == {"datasetVersion": {"number": 2, "trainCount": 3}, "errors": []}


@pytest.mark.django_db
def test_the_shell_method_takes_the_arguments_and_returns_the_version(
    user: Any, capitals_version: Any
) -> None:
    version = capitals_version.dataset.split(seed=1, train=0.2, dev=0.4, test=0.4)
    assert (version.number, version.train_count, version.dev_count, version.test_count) == (2, 1, 2, 2)
    with pytest.raises(ValidationError) as refused:
        capitals_version.dataset.split(seed=-3)
    assert "seed" in refused.value.message_dict


@pytest.mark.django_db
def test_the_command_runs_it_as_a_user_and_names_bad_arguments(
    user: Any, other_user: Any, capitals_version: Any
) -> None:
    out = io.StringIO()
    dataset = capitals_version.dataset
    call_command(
        "dspex",
        "run",
        "dataset.split",
        str(dataset.pk),
        "--arg",
        "seed=5",
        "--user",
        user.username,
        stdout=out,
    )
    assert json.loads(out.getvalue())["number"] == 2
    with pytest.raises(CommandError, match="was not found"):
        call_command("dspex", "run", "dataset.split", str(dataset.pk), "--user", other_user.username)
    with pytest.raises(CommandError, match="seed"):
        call_command("dspex", "run", "dataset.split", str(dataset.pk), "--arg", "seed=oops")
    listing = io.StringIO()
    call_command("dspex", "list", stdout=listing)
    assert "dataset.split" in listing.getvalue()


@pytest.mark.django_db
def test_the_admin_shows_a_button_and_a_form_that_makes_the_version(
    django_user_model: Any, capitals_version: Any
) -> None:
    staff = django_user_model.objects.create_superuser(username="boss", password="pw-boss-123")
    dataset = capitals_version.dataset
    dataset.owner = staff
    dataset.save()
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/datasets/dataset/{dataset.pk}/change/").content.decode()
    form_url = f"/admin/datasets/dataset/{dataset.pk}/action/split/"
    assert form_url in page
    assert 'name="seed"' in client.get(form_url).content.decode()
    refused = client.post(form_url, {"train": "0.9", "dev": "0.2", "test": "0.2", "seed": "0"})
    assert "must be 1" in refused.content.decode()
    done = client.post(form_url, {"train": "0.6", "dev": "0.2", "test": "0.2", "seed": "3"})
    assert done.status_code == 200 and '"number": 2' in html.unescape(done.content.decode())
    assert dataset.versions.count() == 2
