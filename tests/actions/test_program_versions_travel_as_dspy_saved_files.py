"""``program.validate``, ``program.export`` and ``program.import``: a program checked without a run,
and its versions carried to and from real dspy as the JSON files ``program.save()`` writes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import ProgramVersion
from tests.actions.conftest import gid


def _dspy() -> Any:
    dspy = pytest.importorskip("dspy")
    return dspy


def _dspy_saved_file(tmp_path: Path) -> Path:
    """A ``Predict`` with one demo, saved by real dspy."""
    dspy = _dspy()
    predictor = dspy.Predict("question -> answer")
    predictor.demos = [dspy.Example(question="Capital of Spain?", answer="Madrid")]
    path = tmp_path / "from-dspy.json"
    predictor.save(str(path))
    return path


def _upload(path: Path) -> io.BytesIO:
    upload = io.BytesIO(path.read_bytes())
    upload.name = path.name
    return upload


@pytest.mark.django_db
def test_a_file_saved_by_dspy_becomes_the_current_version(
    rest_as: Any, user: Any, qa_program: Any, tmp_path: Path
) -> None:
    path = _dspy_saved_file(tmp_path)
    response = rest_as(user).post(
        f"/api/programs/{qa_program.pk}/import/", {"file": _upload(path)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["source"], body["is_current"]) == (2, "import", True)
    assert body["note"] == "imported from from-dspy.json"
    assert response["Location"].endswith(f"/api/programs/{qa_program.pk}/versions/2/")
    version = ProgramVersion.objects.get(program=qa_program, number=2)
    assert [dict(d) for d in version.state["demos"]] == [
        {"question": "Capital of Spain?", "answer": "Madrid"}
    ]
    assert "metadata" not in version.state


@pytest.mark.django_db
def test_an_export_loads_into_real_dspy_with_its_demos(
    rest_as: Any, user: Any, qa_program: Any, tmp_path: Path
) -> None:
    dspy = _dspy()
    rest_as(user).post(
        f"/api/programs/{qa_program.pk}/import/",
        {"file": _upload(_dspy_saved_file(tmp_path)), "make_current": "false"},
        format="multipart",
    )
    response = rest_as(user).get(f"/api/programs/{qa_program.pk}/export/", {"version": 2})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="qa-v2.json"'
    document = json.loads(response.content)
    assert document["metadata"]["version"] == 2 and document["metadata"]["program"] == "qa"
    saved = tmp_path / "exported.json"
    saved.write_bytes(response.content)
    loaded = dspy.Predict("question -> answer")
    loaded.load(str(saved))
    assert [(d["question"], d["answer"]) for d in loaded.demos] == [("Capital of Spain?", "Madrid")]
    current = json.loads(rest_as(user).get(f"/api/programs/{qa_program.pk}/export/").content)
    assert current["metadata"]["version"] == 1  # make_current=false kept version 1 current
    assert current["demos"] == []


@pytest.mark.django_db
def test_files_that_are_not_saved_programs_are_refused_on_file(
    rest_as: Any, user: Any, qa_program: Any
) -> None:
    url = f"/api/programs/{qa_program.pk}/import/"
    state = {"demos": [], "signature": {"instructions": "x", "fields": []}, "traces": [], "train": []}
    cases = {
        "pickle.pkl": b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.",
        "list.json": b"[1, 2]",
        "wrong.json": json.dumps({"generate": state}).encode(),  # a ChainOfThought's layout
        "endpoint.json": json.dumps({**state, "lm": {"model": "m", "api_base": "http://evil"}}).encode(),
    }
    for name, content in cases.items():
        upload = io.BytesIO(content)
        upload.name = name
        response = rest_as(user).post(url, {"file": upload}, format="multipart")
        assert response.status_code == 400, (name, response.content)
        assert list(response.json()) == ["file"], (name, response.json())
    assert qa_program.versions.count() == 1


@pytest.mark.django_db
def test_validate_reports_problems_without_running(
    rest_as: Any, user: Any, qa_program: Any, openai_stub: Any
) -> None:
    url = f"/api/programs/{qa_program.pk}/validate/"
    assert rest_as(user).post(url, {}, format="json").json() == {"valid": True, "problems": {}}
    checked = rest_as(user).post(url, {"inputs": {"extra": "x"}}, format="json").json()
    assert checked["valid"] is False and "inputs.extra" in checked["problems"]
    # A stored state that no longer fits the module (written before a config change, say).
    ProgramVersion.objects.create(program=qa_program, number=2, state={"generate": {"demos": []}})
    stale = rest_as(user).post(url, {"version": 2}, format="json").json()
    assert stale["valid"] is False and "does not fit" in stale["problems"]["version"][0]
    assert openai_stub.completion_requests() == []


@pytest.mark.django_db
def test_graphql_imports_the_text_and_validates(
    graphql_as: Any, user: Any, qa_program: Any, tmp_path: Path, settings: Any
) -> None:
    text = _dspy_saved_file(tmp_path).read_text()
    query = (
        "mutation($input: ImportProgramVersionInput!) { importProgramVersion(input: $input) "
        "{ programVersion { number source note } errors { field message code } } }"
    )
    answer = graphql_as(user)(
        query, {"input": {"program": gid(qa_program), "content": text, "fileName": "../x/saved.json"}}
    )["data"]["importProgramVersion"]
    assert answer["errors"] == []
    assert answer["programVersion"] == {"number": 2, "source": "import", "note": "imported from saved.json"}
    bad = graphql_as(user)(query, {"input": {"program": gid(qa_program), "content": "{not json"}})
    [error] = bad["data"]["importProgramVersion"]["errors"]
    assert error["field"] == "content" and "not a saved program's JSON" in error["message"]
    settings.DSPEX_MAX_UPLOAD_BYTES = 10
    large = graphql_as(user)(query, {"input": {"program": gid(qa_program), "content": text}})
    [error] = large["data"]["importProgramVersion"]["errors"]
    assert (error["field"], error["code"]) == ("content", "TOO_LARGE")
    validate = graphql_as(user)(
        "mutation($id: ID!) { validateProgram(id: $id, inputs: {}) { program { name } valid problems "
        "errors { field } } }",
        {"id": gid(qa_program)},
    )["data"]["validateProgram"]
    assert validate["program"] == {"name": "qa"} and validate["valid"] is False
    assert "inputs.question" in validate["problems"]


@pytest.mark.django_db
def test_the_shell_and_the_command_carry_files_both_ways(qa_program: Any, tmp_path: Path) -> None:
    version = qa_program.import_version(str(_dspy_saved_file(tmp_path)), note="from the shell")
    assert (version.number, version.note) == (2, "from the shell")
    exported = json.loads(qa_program.export(version=2))
    assert exported["demos"][0]["answer"] == "Madrid"
    assert qa_program.validate(question="Capital?").valid
    out = io.StringIO()
    path = tmp_path / "again.json"
    path.write_text(qa_program.export())
    call_command("dspex", "run", "program.import", str(qa_program.pk), "--arg", f"file={path}", stdout=out)
    assert json.loads(out.getvalue())["number"] == 3


@pytest.mark.django_db
def test_the_admin_uploads_through_the_generated_form(
    admin_client: Any, qa_program: Any, tmp_path: Path
) -> None:
    url = reverse("admin:programs_program_action", args=[qa_program.pk, "import"])
    page = admin_client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    with _dspy_saved_file(tmp_path).open("rb") as file:
        response = admin_client.post(url, {"file": file, "note": "via admin", "make_current": "on"})
    assert response.status_code == 200 and b"done" in response.content
    assert qa_program.versions.get(number=2).note == "via admin"
