"""``/api/schema/`` is a valid OpenAPI 3 document generated without warnings; ``/api/docs/`` is
Swagger UI served from local static files (no CDN: many deployments have no internet)."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "DSPex API"


def test_the_schema_describes_every_resource_and_action(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in [
        "/api/signatures/",
        "/api/programs/{id}/execute/",
        "/api/programs/{program_pk}/versions/",
        "/api/executions/{id}/",
        "/api/datasets/{id}/import/",
        "/api/datasets/{id}/export/",
        "/api/datasets/{dataset_pk}/versions/{version_number}/examples/",
        "/api/experiments/{experiment_pk}/trials/",
        "/api/evaluations/{evaluation_pk}/results/",
        "/api/auth/token/",
    ]:
        assert path in paths, path
    execute = paths["/api/programs/{id}/execute/"]["post"]
    assert set(execute["responses"]) >= {"200", "202", "400", "404", "429", "502"}
    assert "multipart/form-data" in paths["/api/datasets/{id}/import/"]["post"]["requestBody"]["content"]
    assert set(paths["/api/datasets/{id}/export/"]["get"]["responses"]["200"]["content"]) == {
        "application/x-ndjson",
        "text/csv",
    }


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text())["paths"]


def test_the_docs_page_loads_swagger_ui_from_local_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"
    assert 'url: "/api/schema/"' in html


def test_the_docs_page_names_no_external_host(api):
    html = api.get("/api/docs/").content.decode()
    assert not re.search(r"https?://", html), re.search(r"https?://\S+", html)
    for cdn in ("jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert cdn not in html
