"""Without configuration, dspy's disk cache goes to ./.dspex/dspy_cache, never ~/.dspy_cache, and
LiteLLM uses its bundled cost map (no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.dspy

ROOT = Path(__file__).resolve().parents[3]


def test_the_default_dspy_cache_is_under_the_working_directory(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DSPY_CACHEDIR", "LITELLM_LOCAL_MODEL_COST_MAP")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    code = (
        "import os, dspex\n"
        "from dspex.hybrid.dspy_bridge import load_dspy\n"
        "dspy = load_dspy()\n"
        "print(dspy.cache.disk_cache.directory)\n"
        "print(os.environ['LITELLM_LOCAL_MODEL_COST_MAP'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    directory, cost_map = result.stdout.split()
    assert directory == str(tmp_path / ".dspex" / "dspy_cache")
    assert cost_map == "True"
    assert not (home / ".dspy_cache").exists()
