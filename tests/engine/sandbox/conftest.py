"""Fixtures for the sandbox tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory anyone may write to and read from (pytest's tmp_path is root's only), so that a
    file the sandbox did not write is missing because of the sandbox, not because of permissions."""
    path = Path(tempfile.mkdtemp(prefix="dspex-sandbox-test-", dir="/tmp"))
    path.chmod(0o777)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def secret_file(open_dir: Path) -> Path:
    """A file anyone could read, holding a secret that must not leave it."""
    path = open_dir / "secret.txt"
    path.write_text("s3cret-contents")
    path.chmod(0o644)
    return path
