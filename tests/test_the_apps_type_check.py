"""The apps type-check: mypy with the django-stubs and DRF stubs plugins (``[tool.mypy]`` in
pyproject.toml, its overrides for the apps) finds no error in core, actions, programs, datasets,
evaluations, experiments and dspex_project. And who makes a request is typed
(``core.users.Caller``), never ``Any``."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "actions", "programs", "datasets", "evaluations", "experiments", "dspex_project")
_TOOLS = ("mypy", "mypy_django_plugin", "mypy_drf_plugin")


def _missing_tools() -> list[str]:
    return [name for name in _TOOLS if importlib.util.find_spec(name) is None]


def test_mypy_finds_no_error_in_the_apps() -> None:
    missing = _missing_tools()
    if missing:
        # CI installs the dev extra (scripts/bootstrap), which pins mypy and the stubs: there a
        # missing tool is a broken install, not a reason to skip.
        assert not os.environ.get("CI"), f"not installed in CI: {', '.join(missing)} (the dev extra)"
        pytest.skip(f"not installed: {', '.join(missing)} (pip install -e '.[dev]')")
    # The checkout's apps, whatever an installed copy says; the settings as on a zero-setup machine.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *APPS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout, result.stdout


# A parameter or attribute named for a person (the caller, an owner) annotated ``Any``.
_USER_AS_ANY = re.compile(r"\b(user|owner|created_by|requested_by)\s*:\s*Any\b")


def test_no_user_is_typed_any() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _USER_AS_ANY.search(line)
    ]
    assert found == [], "use core.users.Caller (or User) instead of Any:\n" + "\n".join(found)
