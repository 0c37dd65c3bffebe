"""capabilities() lists which types run natively, on dspy, or both; registering is one line."""

from __future__ import annotations

import json
import subprocess
import sys

import dspex
from dspex.hybrid import registry


def test_capabilities_is_json_and_lists_every_type():
    caps = json.loads(json.dumps(dspex.hybrid.capabilities()))

    modules, optimizers = caps["modules"], caps["optimizers"]
    assert modules["predict"] == {"native": True, "dspy": True, "backends": ["native", "dspy"]}
    assert modules["chain_of_thought"]["backends"] == ["native", "dspy"]
    for name in ("react", "best_of_n", "refine", "multi_chain_comparison"):
        assert modules[name] == {"native": True, "dspy": True, "backends": ["native", "dspy"]}
    # LM-written code runs only in dspex's sandbox, so ProgramOfThought has no dspy backend.
    assert modules["program_of_thought"] == {"native": True, "dspy": False, "backends": ["native"]}
    assert modules["pipeline"] == {"native": True, "dspy": False, "backends": ["native"]}
    for name in (
        "labeled_few_shot",
        "bootstrap_few_shot",
        "bootstrap_few_shot_with_random_search",
        "knn_few_shot",
        "copro",
        "ensemble",
    ):
        assert optimizers[name] == {"native": True, "dspy": True, "backends": ["native", "dspy"]}
    for name in ("mipro_v2", "gepa", "simba"):
        assert optimizers[name]["backends"] == ["dspy"]
    assert caps["dspy_installed"] is True


def test_registering_a_native_implementation_is_one_line():
    class NativeReAct(dspex.Module):
        def forward(self, **kwargs):
            return dspex.Prediction(answer="native")

    dspex.hybrid.register_native("react", NativeReAct)
    try:
        assert dspex.hybrid.capabilities()["modules"]["react"]["backends"] == ["native", "dspy"]
        assert type(dspex.hybrid.module("react")) is NativeReAct
        assert dspex.hybrid.attempts_of(NativeReAct()())[0]["backend"] == "native"
    finally:
        registry.unregister("react", "native")
    assert dspex.hybrid.capabilities()["modules"]["react"]["backends"] == ["dspy"]


def test_type_names_are_checked():
    import pytest

    with pytest.raises(ValueError, match="snake_case"):
        dspex.hybrid.register_dspy("Chain Of Thought", "dspy:ChainOfThought")


def test_importing_dspex_does_not_import_dspy():
    code = (
        "import sys, dspex; dspex.hybrid.capabilities(); dspex.Predict('q -> a'); "
        "print(sorted(m for m in ('dspy', 'litellm') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
