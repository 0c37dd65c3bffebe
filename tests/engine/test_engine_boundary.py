"""The engine (dspex/) stays pure Python: no Django, DRF, graphene, Celery or platform imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "dspex"
FORBIDDEN = {"django", "rest_framework", "graphene", "graphene_django", "celery",
             "programs", "datasets", "experiments", "evaluations", "dspex_project"}  # fmt: skip


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_imports_nothing_from_the_platform(path: Path) -> None:
    assert not (_imported_roots(path) & FORBIDDEN)


def test_the_boundary_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from django.db import models\nimport celery.app\n")
    assert _imported_roots(bad) & FORBIDDEN == {"django", "celery"}
