"""The apps keep their order (docs/actions.md, "App layers"): core <- actions <- programs <-
datasets <- evaluations <- experiments <- dspex_project. A higher app adds to a lower one by
registering (e.g. experiments declares ``Program.optimize``); a lower app never imports it. And
no app's modules import each other in a circle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', "
    "limit_to_contracts=('app-layers', 'apps-acyclic'), "
    "no_cache=True, no_logo=True))"
)


def test_no_lower_app_imports_a_higher_one() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _LINT], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout, result.stdout
    assert "ignored" not in result.stdout  # no exceptions left


def test_programs_no_longer_defines_optimize_itself() -> None:
    source = (ROOT / "programs" / "models.py").read_text()
    assert (
        "def optimize" not in source
        and "import experiments" not in source
        and "from experiments" not in source
    )
