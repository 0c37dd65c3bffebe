"""Program versions: listed newest first under their program, created as the next number (and
made current), never changed or deleted through the API."""

from __future__ import annotations

import pytest

from programs.models import ProgramVersion

pytestmark = pytest.mark.django_db


def url(program, suffix=""):
    return f"/api/programs/{program.pk}/versions/{suffix}"


def test_a_new_program_has_version_1_as_current(ada_api, qa_program):
    body = ada_api.get(url(qa_program)).json()
    [version] = body["results"]
    assert version["number"] == 1
    assert version["is_current"] is True
    assert version["parent"] is None
    assert version["source"] == "manual"
    assert "demos" in version["state"]
    assert ada_api.get(f"/api/programs/{qa_program.pk}/").json()["current_version"] == 1


def test_a_version_with_demos_becomes_current(ada_api, qa_program):
    state = {
        **qa_program.current_version.state,
        "demos": [{"question": "Capital of Italy?", "answer": "Rome"}],
    }
    response = ada_api.post(url(qa_program), {"state": state, "note": "one demo"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["parent"], body["note"], body["is_current"]) == (2, 1, "one demo", True)
    assert body["created_by"] == "ada"
    assert body["state"]["demos"] == [{"question": "Capital of Italy?", "answer": "Rome"}]
    assert ada_api.get(f"/api/programs/{qa_program.pk}/").json()["current_version"] == 2
    assert [v["number"] for v in ada_api.get(url(qa_program)).json()["results"]] == [2, 1]
    assert ada_api.get(url(qa_program, "1/")).json()["is_current"] is False


def test_an_empty_body_is_a_fresh_state_and_make_current_can_be_off(ada_api, qa_program):
    response = ada_api.post(url(qa_program), {"make_current": False}, format="json")
    assert response.status_code == 201
    assert response.json()["is_current"] is False
    qa_program.refresh_from_db()
    assert qa_program.current_version.number == 1


def test_a_parent_is_given_by_number(ada_api, qa_program):
    ada_api.post(url(qa_program), {}, format="json")
    response = ada_api.post(url(qa_program), {"parent": 1}, format="json")
    assert response.json()["parent"] == 1
    response = ada_api.post(url(qa_program), {"parent": 9}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["program 'qa' has no version 9"]}


def test_a_state_that_does_not_fit_the_module_is_a_400_naming_state(ada_api, qa_program):
    response = ada_api.post(url(qa_program), {"state": {"predict": {"demos": []}}}, format="json")
    assert response.status_code == 400
    assert "the state does not fit this Predict" in response.json()["state"][0]
    assert ProgramVersion.objects.count() == 1


def test_a_state_that_is_not_an_object_is_a_shape_error(ada_api, qa_program):
    response = ada_api.post(url(qa_program), {"state": [1, 2]}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_versions_cannot_be_changed_or_deleted(ada_api, qa_program, method):
    response = getattr(ada_api, method)(url(qa_program, "1/"), {"note": "x"}, format="json")
    assert response.status_code == 405
    assert ProgramVersion.objects.get().note == "Initial version"


def test_versions_filter_by_source(ada_api, qa_program):
    assert ada_api.get(url(qa_program), {"source": "manual"}).json()["count"] == 1
    assert ada_api.get(url(qa_program), {"source": "experiment"}).json()["count"] == 0
