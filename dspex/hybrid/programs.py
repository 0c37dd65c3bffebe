"""Read and write the JSON files dspy's ``program.save("x.json")`` writes.

dspex's ``dump_state`` already has DSPy's layout (one key per predictor path with ``demos``,
``signature`` and ``lm``); what differs is the LM entry (dspy's ``dspy.LM`` arguments) and the
``metadata`` block. Whole-program pickles (``save_program=True``) are refused: JSON state only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from dspex.hybrid.dspy_bridge import from_dspy_state, to_dspy_state
from dspex.primitives.module import Module, Parameter

__all__ = ["export_dspy_program", "import_dspy_program"]


def _read_state(path_or_state: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(path_or_state, Mapping):
        return dict(path_or_state)
    path = Path(path_or_state)
    if path.is_dir() or path.suffix == ".pkl":
        raise ValueError(
            f"{path} is a pickled dspy program (save_program=True or .pkl); only JSON state files "
            "(program.save('x.json')) are imported — pickle is never loaded"
        )
    state = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(state, dict):
        raise ValueError(f"{path} does not hold a program state (a JSON object), got {type(state).__name__}")
    return state


def _program_for(state: Mapping[str, Any], program: Any) -> Module:
    if isinstance(program, Module):
        return program.deepcopy()
    from dspex.modules.chain_of_thought import ChainOfThought
    from dspex.modules.predict import Predict

    keys = sorted(k for k in state if k != "metadata")
    if "signature" in state and "demos" in state:  # a lone predictor's state is flat
        return Predict(program)
    if keys == ["predict"]:
        return ChainOfThought(program)
    raise ValueError(
        f"a state with predictors {keys} needs the program it belongs to: pass a dspex module "
        "(a signature alone only describes a single Predict or ChainOfThought)"
    )


def import_dspy_program(
    path_or_state: str | Path | Mapping[str, Any],
    program: Any,
    *,
    allow_unsafe_lm_state: bool = False,
) -> Module:
    """A copy of ``program`` with the state of a dspy-saved file (or state dict) loaded.

    ``program`` is the dspex program with the same structure (predictor paths), or a signature
    for a file holding one ``Predict`` (key ``"self"``) or ``ChainOfThought`` (key ``"predict"``).
    Predictor paths must match both ways. LM endpoints in the file are ignored unless
    ``allow_unsafe_lm_state=True`` (trusted files only); keys are never read from files.
    """
    state = from_dspy_state(_read_state(path_or_state))
    target = _program_for(state, program)
    flat = "signature" in state and "demos" in state
    if flat != isinstance(target, Parameter):
        raise ValueError(
            f"the state is {'one predictor' if flat else 'a program with predictors ' + str(sorted(state))} "
            f"but {type(target).__name__} is {'a predictor' if not flat else 'a program'}; "
            "was it saved from a different program?"
        )
    if flat:
        return target.load_state(state, allow_unsafe_lm_state=allow_unsafe_lm_state)
    ours = {name for name, _ in target.named_predictors()}
    missing = sorted(ours - set(state))
    if missing:
        raise ValueError(
            f"the state has no entry for predictors {missing} of {type(target).__name__} "
            f"(it has {sorted(state)}); was it saved from a different program?"
        )
    return target.load_state(state, allow_unsafe_lm_state=allow_unsafe_lm_state)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def export_dspy_program(program: Module, path: str | Path) -> Path:
    """Write ``program``'s state as the JSON file dspy's ``program.load("x.json")`` reads."""
    state = to_dspy_state(program.dump_state())
    versions = {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    for package in ("dspy", "cloudpickle"):
        found = _version(package)
        if found is not None:
            versions[package] = found
    state["metadata"] = {"dependency_versions": versions, "dspex_version": _version("dspex") or "0+unknown"}
    path = Path(path)
    path.write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
