"""dspex.compat.dspy holds dspy's names as engine objects; an unmapped name says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dspex
import dspex.compat.dspy as dspy
from dspex.utils import DummyLM

ROOT = Path(__file__).resolve().parents[3]


def test_names_are_the_engine_objects():
    assert dspy.Predict is dspex.Predict
    assert dspy.predict.predict.Predict is dspex.Predict
    assert dspy.teleprompt.BootstrapFewShot is dspex.BootstrapFewShot
    assert dspy.utils.DummyLM is DummyLM
    assert dspy.utils.dummies.DummyVectorizer is dspy.utils.DummyVectorizer
    assert dspy.settings is dspex.settings


def test_the_custom_types_are_the_engine_types():
    assert dspy.Image is dspex.Image is dspy.adapters.types.image.Image
    assert dspy.adapters.types.Type is dspex.types.Type
    assert dspy.adapters.types.tool.Tool is dspex.Tool
    assert dspy.ToolCalls is dspy.adapters.types.tool.ToolCalls is dspex.ToolCalls
    assert dspy.experimental.Citations is dspex.types.Citations
    assert dspy.experimental.Document is dspy.adapters.types.document.Document
    assert dspy.adapters.types.base_type.CUSTOM_TYPE_START_IDENTIFIER == "<<CUSTOM-TYPE-START-IDENTIFIER>>"


def test_a_dspy_program_runs_through_the_namespace():
    dspy.configure(lm=dspy.utils.DummyLM([{"answer": "Paris"}]), backend="native")

    class QA(dspy.Signature):
        """Answer the question."""

        question: str = dspy.InputField()
        answer: str = dspy.OutputField()

    assert dspy.Predict(QA)(question="Capital of France?").answer == "Paris"


@pytest.mark.parametrize(
    "module, name", [(dspy, "GEPA"), (dspy.utils, "magicattr"), (dspy.teleprompt, "MIPROv2")]
)
def test_an_unmapped_name_says_it_is_not_supported_yet(module, name):
    with pytest.raises(
        AttributeError, match=rf"{module.__name__.removeprefix('dspex.compat.')}\.{name} is not supported"
    ):
        getattr(module, name)
    assert not hasattr(module, name)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_alias_makes_import_dspy_resolve_to_the_namespace():
    proc = _run(
        """
        from dspex.compat import alias
        alias.install()
        import dspy, dspy.utils.dummies
        from dspy.predict.predict import Predict
        import dspex
        assert dspy.__name__ == "dspex.compat.dspy" and Predict is dspex.Predict
        assert dspy.utils.dummies.DummyLM is dspex.utils.DummyLM
        try:
            import dspy.teleprompt.gepa
        except ModuleNotFoundError as error:
            print(error)
        alias.uninstall()
        import dspy
        print(dspy.__name__, hasattr(dspy, "GEPA"))
        """
    )
    assert proc.returncode == 0, proc.stderr
    missing, real = proc.stdout.splitlines()
    assert "dspy.teleprompt.gepa is not supported by dspex yet" in missing
    assert real == "dspy True"  # after uninstall the real dspy imports again


def test_the_alias_refuses_once_the_real_dspy_is_imported():
    proc = _run(
        """
        import dspy
        from dspex.compat import alias
        try:
            alias.install()
        except RuntimeError as error:
            print(error)
        print(alias.installed())
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "the real dspy is already imported; install the alias before anything imports it",
        "False",
    ]
