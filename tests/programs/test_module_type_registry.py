"""Module types come from a registry that is easy to extend (no migration needed)."""

from __future__ import annotations

import pytest

from programs import codecs
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
    assert type(codecs.module_from_version(program.current_version)).__name__ == "ChainOfThought"
