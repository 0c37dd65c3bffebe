"""``mypy --strict`` passes on the engine (``dspex/``), with the settings in pyproject.toml."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None and not os.environ.get("CI"),
    reason="mypy is not installed (pip install -e '.[dev]'); CI always runs this check",
)


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m mypy --strict`` in a child process, with the project's configuration."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_engine_passes_mypy_strict() -> None:
    result = mypy("dspex")

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_fails_on_a_missing_annotation_and_a_wrong_return(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def untyped(x):\n    return x\n\n\ndef wrong() -> int:\n    return 'text'\n")

    result = mypy(str(sample))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "[no-untyped-def]" in result.stdout
    assert "[return-value]" in result.stdout
