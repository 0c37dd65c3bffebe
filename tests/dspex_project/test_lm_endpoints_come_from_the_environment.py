"""``DSPEX_LM_ENDPOINTS`` (JSON) adds endpoints to the defaults, replaces them by name, or removes
them with ``null``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from programs.endpoints import lm_endpoints; "
    "print(json.dumps({n: [e.provider, e.base_url, e.key_env, e.shared_key]"
    " for n, e in lm_endpoints().items()}))"
)


def _endpoints(value: object) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DSPEX_LM_ENDPOINTS"}
    env.update(DJANGO_SETTINGS_MODULE="dspex_project.settings", DSPEX_LM_ENDPOINTS=json.dumps(value))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_endpoints_are_added_replaced_and_removed_by_name():
    found = _endpoints(
        {
            "vllm": {"provider": "openai", "base_url": "https://vllm.internal/v1", "key_env": "VLLM_KEY",
                     "allow_private": True},
            "openai": {"provider": "openai", "base_url": "https://api.openai.com/v1",
                       "key_env": "OPENAI_API_KEY", "shared_key": False},
            "anthropic": None,
        }
    )  # fmt: skip
    assert found["vllm"] == ["openai", "https://vllm.internal/v1", "VLLM_KEY", True]
    assert found["openai"][3] is False
    assert "anthropic" not in found
    assert found["local"] == ["local", None, None, True]
