"""Lists are paginated (``?page``, ``?page_size``), filtered (django-filter), ordered
(``?ordering=``) and searched (``?search=`` on names)."""

from __future__ import annotations

import pytest

from programs.models import Execution

pytestmark = pytest.mark.django_db


def names(response):
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def programs(user, make_program, qa_signature):
    return [
        make_program(user, name="alpha", signature=qa_signature),
        make_program(user, name="beta", signature=qa_signature, module_type="chain_of_thought"),
        make_program(user, name="gamma", backend="native"),
        make_program(user, name="delta", module_type="chain_of_thought", backend="native"),
    ]


def test_pages_have_a_count_and_links(ada_api, programs):
    first = ada_api.get("/api/programs/", {"page_size": 3}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = ada_api.get(first["next"]).json()
    assert [p["name"] for p in second["results"]] == ["gamma"]
    assert second["next"] is None


def test_the_default_page_size_comes_from_settings(ada_api, programs, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}
    body = ada_api.get("/api/programs/").json()
    assert len(body["results"]) == 2
    assert body["count"] == 4


def test_a_page_past_the_end_is_404(ada_api, programs):
    assert ada_api.get("/api/programs/", {"page": 9}).status_code == 404


def test_programs_filter_by_module_type_backend_and_signature(ada_api, programs, qa_signature):
    assert names(ada_api.get("/api/programs/", {"module_type": "chain_of_thought"})) == ["beta", "delta"]
    assert names(ada_api.get("/api/programs/", {"backend": "native"})) == ["delta", "gamma"]
    assert names(ada_api.get("/api/programs/", {"signature": qa_signature.pk})) == ["alpha", "beta"]
    assert names(ada_api.get("/api/programs/", {"module_type": "chain_of_thought", "backend": "native"})) == [
        "delta"
    ]


def test_a_bad_filter_value_is_a_400_naming_it(ada_api, programs):
    response = ada_api.get("/api/programs/", {"backend": "quantum"})
    assert response.status_code == 400
    assert "backend" in response.json()


def test_ordering(ada_api, programs):
    assert names(ada_api.get("/api/programs/")) == ["alpha", "beta", "delta", "gamma"]
    assert names(ada_api.get("/api/programs/", {"ordering": "-name"})) == ["gamma", "delta", "beta", "alpha"]
    assert names(ada_api.get("/api/programs/", {"ordering": "-created_at"})) == [
        "delta",
        "gamma",
        "beta",
        "alpha",
    ]


def test_search_on_names(ada_api, programs):
    assert names(ada_api.get("/api/programs/", {"search": "ALP"})) == ["alpha"]
    assert names(ada_api.get("/api/signatures/", {"search": "gamma"})) == ["gamma-signature"]


def test_executions_filter_by_status_program_and_version(ada_api, programs):
    alpha, beta = programs[0], programs[1]
    rows = [
        (alpha.current_version, Execution.Status.SUCCEEDED),
        (alpha.current_version, Execution.Status.FAILED),
        (beta.current_version, Execution.Status.SUCCEEDED),
    ]
    ids = [Execution.objects.create(program_version=v, status=s, inputs={}).pk for v, s in rows]

    def listed(**query):
        response = ada_api.get("/api/executions/", query)
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert listed(status="succeeded") == [ids[0], ids[2]]
    assert listed(program=alpha.pk) == [ids[0], ids[1]]
    assert listed(program=alpha.pk, status="failed") == [ids[1]]
    assert listed(program_version=beta.current_version.pk) == [ids[2]]
    assert listed(program=beta.pk, version=1) == [ids[2]]
    assert listed(program=beta.pk, version=2) == []
    newest_first = [row["id"] for row in ada_api.get("/api/executions/").json()["results"]]
    assert newest_first == sorted(ids, reverse=True)


def test_examples_filter_by_split(ada_api, user, make_dataset):
    lines = [
        {"question": "q0", "answer": "a0", "split": "train"},
        {"question": "q1", "answer": "a1", "split": "dev"},
        {"question": "q2", "answer": "a2", "split": "dev"},
        {"question": "q3", "answer": "a3", "split": "test"},
    ]
    dataset = make_dataset(user, lines=lines)
    url = f"/api/datasets/{dataset.pk}/versions/1/examples/"
    dev = ada_api.get(url, {"split": "dev"}).json()
    assert [e["inputs"] for e in dev["results"]] == [{"question": "q1"}, {"question": "q2"}]
    assert [e["position"] for e in ada_api.get(url, {"ordering": "-position"}).json()["results"]] == [
        3,
        2,
        1,
        0,
    ]
    assert ada_api.get(url + "3/").json() == {
        "id": dataset.versions.get().examples.get(position=3).pk,
        "position": 3,
        "split": "test",
        "inputs": {"question": "q3"},
        "labels": {"answer": "a3"},
    }
