"""The REST and GraphQL contracts change only on purpose.

The OpenAPI document and the GraphQL SDL generated from the code are compared with the committed
ones (``tests/contracts/``). A deliberate change is committed with ``scripts/contracts`` and listed in
the changelog (docs/changelog.md).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from django.core.management import call_command

HERE = Path(__file__).resolve().parent


def _diff(committed: str, generated: str, name: str) -> str:
    lines = difflib.unified_diff(
        committed.splitlines(), generated.splitlines(), f"committed {name}", f"generated {name}", lineterm=""
    )
    return "\n".join(list(lines)[:200])


@pytest.mark.django_db
def test_the_openapi_document_is_the_committed_one(tmp_path):
    out = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    committed = json.dumps(json.loads((HERE / "openapi.json").read_text()), indent=1, sort_keys=True)
    generated = json.dumps(json.loads(out.read_text()), indent=1, sort_keys=True)
    assert generated == committed, (
        "the OpenAPI document changed (scripts/contracts, then list it):\n"
        + _diff(committed, generated, "openapi.json")
    )


def test_the_graphql_sdl_is_the_committed_one(tmp_path):
    out = tmp_path / "schema.graphql"
    call_command("graphql_schema", "--schema", "dspex_project.schema.schema", "--out", str(out))
    committed = (HERE / "schema.graphql").read_text()
    generated = out.read_text()
    assert generated == committed, "the GraphQL schema changed (scripts/contracts, then list it):\n" + _diff(
        committed, generated, "schema.graphql"
    )
