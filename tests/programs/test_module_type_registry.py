"""Module types come from a registry that is easy to extend (no migration needed)."""

from __future__ import annotations

import pytest

from programs.gateway.modules import module_from_version
from programs.module_types import get_module_type, module_type_choices
from programs.services import program_create

pytestmark = pytest.mark.django_db


def test_the_engine_modules_and_pipelines_are_built_in():
    assert dict(module_type_choices()) == {
        "predict": "Predict",
        "chain_of_thought": "ChainOfThought",
        "pipeline": "Pipeline",
        "react": "ReAct",
        "multi_chain_comparison": "MultiChainComparison",
        "program_of_thought": "ProgramOfThought",
        "best_of_n": "BestOfN",
        "refine": "Refine",
        "parallel": "Parallel (majority vote)",
    }


def test_a_type_added_in_settings_becomes_a_valid_choice(settings, qa_signature):
    settings.DSPEX_MODULE_TYPES = {"cot_again": ("CoT again", "dspex.ChainOfThought")}
    assert get_module_type("cot_again").path == "dspex.ChainOfThought"
    program = program_create(name="p", signature=qa_signature, module_type="cot_again")
    assert type(module_from_version(program.current_version)).__name__ == "ChainOfThought"


def test_a_type_in_the_common_setting_format_is_built(settings, qa_signature):
    settings.DSPEX_MODULE_TYPES = {
        "cot2": "dspex.ChainOfThought",
        "vote3": {"path": "dspex.MajorityVote", "label": "Vote of 3", "wraps": True},
    }
    assert ("vote3", "Vote of 3") in module_type_choices() and ("cot2", "cot2") in module_type_choices()
    plain = program_create(name="plain", signature=qa_signature, module_type="cot2")
    assert type(module_from_version(plain.current_version)).__name__ == "ChainOfThought"
    config = {"module": "predict", "n": 3}
    wrapping = program_create(name="vote", signature=qa_signature, module_type="vote3", module_config=config)
    module = module_from_version(wrapping.current_version)
    assert type(module).__name__ == "MajorityVote"  # built around its inner module: wraps was honoured
