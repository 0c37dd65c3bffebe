"""Every resource has an owner: a user sees and changes only their own (others' are 404, like
missing ones); staff see everything; what a user creates is theirs."""

from __future__ import annotations

import pytest

from datasets.models import Dataset
from evaluations.services import evaluation_create
from experiments.services import experiment_create
from programs.models import Execution, Program, Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def adas_world(user, make_program, make_dataset):
    """One of each resource, owned by ada."""
    program = make_program(user, name="adas-program")
    dataset = make_dataset(
        user, name="adas-dataset", lines=[{"question": "q", "answer": "a", "split": "dev"}]
    )
    version = dataset.versions.get()
    execution = Execution.objects.create(program_version=program.current_version, inputs={"question": "q"})
    experiment = experiment_create(
        program_version=program.current_version,
        dataset_version=version,
        optimizer="BootstrapFewShot",
        owner=user,
    )
    evaluation = evaluation_create(
        program_version=program.current_version, dataset_version=version, owner=user
    )
    return {
        "signature": program.signature,
        "program": program,
        "execution": execution,
        "dataset": dataset,
        "experiment": experiment,
        "evaluation": evaluation,
    }


def detail_urls(world):
    program, dataset = world["program"], world["dataset"]
    return [
        f"/api/signatures/{world['signature'].pk}/",
        f"/api/programs/{program.pk}/",
        f"/api/programs/{program.pk}/versions/",
        f"/api/programs/{program.pk}/versions/1/",
        f"/api/executions/{world['execution'].pk}/",
        f"/api/datasets/{dataset.pk}/",
        f"/api/datasets/{dataset.pk}/versions/",
        f"/api/datasets/{dataset.pk}/versions/1/",
        f"/api/datasets/{dataset.pk}/versions/1/examples/",
        f"/api/datasets/{dataset.pk}/versions/1/examples/0/",
        f"/api/datasets/{dataset.pk}/export/",
        f"/api/experiments/{world['experiment'].pk}/",
        f"/api/experiments/{world['experiment'].pk}/trials/",
        f"/api/evaluations/{world['evaluation'].pk}/",
        f"/api/evaluations/{world['evaluation'].pk}/results/",
    ]


# ada's rows per list (the dataset brings a signature of its own)
LISTS = {"signatures": 2, "programs": 1, "executions": 1, "datasets": 1, "experiments": 1, "evaluations": 1}


def test_the_owner_sees_every_one_of_their_resources(ada_api, adas_world):
    for url in detail_urls(adas_world):
        assert ada_api.get(url).status_code == 200, url
    for name, count in LISTS.items():
        assert ada_api.get(f"/api/{name}/").json()["count"] == count, name


def test_another_user_gets_404_for_each_of_them(grace_api, adas_world):
    for url in detail_urls(adas_world):
        response = grace_api.get(url)
        assert response.status_code == 404, url
        assert "adas" not in response.content.decode()


def test_another_users_lists_are_empty(grace_api, adas_world):
    for name in LISTS:
        assert grace_api.get(f"/api/{name}/").json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }, name


def test_staff_see_everything(staff_api, adas_world):
    for url in detail_urls(adas_world):
        assert staff_api.get(url).status_code == 200, url
    for name, count in LISTS.items():
        assert staff_api.get(f"/api/{name}/").json()["count"] == count, name


def test_another_user_can_neither_change_nor_delete_nor_execute(grace_api, adas_world, openai_stub):
    program, signature = adas_world["program"], adas_world["signature"]
    assert grace_api.patch(f"/api/programs/{program.pk}/", {"name": "mine"}, format="json").status_code == 404
    assert (
        grace_api.put(f"/api/signatures/{signature.pk}/", {"name": "x", "spec": "a -> b"}).status_code == 404
    )
    assert grace_api.delete(f"/api/programs/{program.pk}/").status_code == 404
    assert grace_api.delete(f"/api/datasets/{adas_world['dataset'].pk}/").status_code == 404
    assert (
        grace_api.post(f"/api/programs/{program.pk}/execute/", {"question": "q"}, format="json").status_code
        == 404
    )
    assert grace_api.post(f"/api/programs/{program.pk}/versions/", {}, format="json").status_code == 404
    assert openai_stub.completion_requests() == []
    program.refresh_from_db()
    assert program.name == "adas-program"
    assert Dataset.objects.filter(pk=adas_world["dataset"].pk).exists()


def test_staff_can_change_what_others_own(staff_api, adas_world):
    program = adas_world["program"]
    response = staff_api.patch(f"/api/programs/{program.pk}/", {"description": "reviewed"}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == "ada"


def test_what_a_user_creates_is_owned_by_them(grace_api, other_user):
    response = grace_api.post("/api/signatures/", {"name": "s", "spec": "a -> b"}, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == "grace"
    assert Signature.objects.get(pk=response.json()["id"]).owner == other_user


def test_the_owner_in_the_body_is_ignored(grace_api, user, other_user):
    response = grace_api.post(
        "/api/signatures/", {"name": "s", "spec": "a -> b", "owner": user.pk}, format="json"
    )
    assert response.status_code == 201
    assert Signature.objects.get().owner == other_user


def test_a_program_cannot_use_another_users_signature(grace_api, adas_world):
    response = grace_api.post(
        "/api/programs/", {"name": "p", "signature": adas_world["signature"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "signature" in response.json()
    assert "does not exist" in response.json()["signature"][0]
    assert not Program.objects.filter(owner__username="grace").exists()


def test_a_dataset_cannot_be_validated_against_another_users_signature(grace_api, adas_world):
    response = grace_api.post(
        "/api/datasets/", {"name": "d", "signature": adas_world["signature"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "signature" in response.json()


def test_executions_filtered_by_another_users_program_are_empty(grace_api, adas_world):
    response = grace_api.get("/api/executions/", {"program": adas_world["program"].pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0
