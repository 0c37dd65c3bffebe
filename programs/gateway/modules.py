"""A Program (+ a ProgramVersion's state) -> a dspex module, by module type; the checks of a
program's config and of stored states.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

import dspex
from dspex.primitives.module import saved_metadata
from programs.gateway.lms import lm_for_program
from programs.gateway.signatures import jsonable, signature_from_row
from programs.module_types import get_module_type
from programs.rewards import resolve_reward, reward_names
from programs.tools import resolve_tool

if TYPE_CHECKING:
    from programs.models import Program, ProgramVersion

__all__ = [
    "build_module",
    "check_program_config",
    "check_state",
    "fresh_state",
    "module_from_version",
    "saved_file_metadata",
    "stored_state",
]


def _module_class(module_type: str) -> type[dspex.Module]:
    try:
        path = get_module_type(module_type).path
    except KeyError as exc:
        raise ValidationError(
            {"module_type": ValidationError(str(exc.args[0]), code="invalid_choice")}
        ) from None
    try:
        cls: type[dspex.Module] = import_string(path)
    except ImportError as exc:
        raise ValidationError(
            {"module_type": ValidationError(f"module type {module_type!r}: cannot import {path}: {exc}")}
        ) from None
    return cls


def _with_tools(program: Program, module_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """Tool names in a module config become the allow-listed tools (``programs.tools``); a pipeline
    gets a resolver for its steps' tool names."""
    if module_type == "pipeline":
        config["tool_resolver"] = lambda name: resolve_tool(name, program)
    elif "tools" in config:
        names = config["tools"]
        if not isinstance(names, list):
            raise ValidationError({"module_config": "tools must be a list of tool names"})
        config["tools"] = [resolve_tool(name, program) for name in names]
    return config


def _wrapped_arguments(
    program: Program, module_type: str, config: dict[str, Any], signature: type[dspex.Signature], where: str
) -> tuple[dspex.Module, dict[str, Any]]:
    """For a wrapping type: its inner module (built from ``module`` and ``module_config``) and the
    rest of its config, with a named ``reward`` resolved to ``reward_fn``."""
    inner_type = config.pop("module", "predict")
    if not isinstance(inner_type, str) or inner_type == "pipeline":
        message = f"{where}module: a module type other than pipeline, got {inner_type!r}"
        raise ValidationError({"module_config": message})
    try:
        get_module_type(inner_type)
    except KeyError as exc:
        raise ValidationError({"module_config": f"{where}module: {exc.args[0]}"}) from None
    inner_config = config.pop("module_config", {})
    inner = _construct(program, inner_type, inner_config, signature, f"{where}{inner_type}: ")
    if "reward_fn" in config:
        message = f"{where}name the reward with 'reward', not 'reward_fn'"
        raise ValidationError({"module_config": message})
    if "reward" in config:
        config["reward_fn"] = resolve_reward(config.pop("reward"), program)
    elif module_type in ("best_of_n", "refine"):
        message = f"{where}{module_type} needs a reward (allowed: {', '.join(reward_names())})"
        raise ValidationError({"module_config": message})
    return inner, config


def _construct(
    program: Program, module_type: str, config: Any, signature: type[dspex.Signature], where: str = ""
) -> dspex.Module:
    """``module_type`` built on ``signature`` from ``config``; a wrapping type builds its inner
    module first (``where`` names the nesting in error messages)."""
    if not isinstance(config, Mapping):
        raise ValidationError({"module_config": f"{where}module_config must be a JSON object"})
    cls = _module_class(module_type)
    # Each module type has its own constructor (a signature, or the module it wraps, and options).
    construct: Callable[..., dspex.Module] = cls
    config = dict(config)
    try:
        if get_module_type(module_type).wraps:
            inner, rest = _wrapped_arguments(program, module_type, config, signature, where)
            return construct(inner, **rest)
        return construct(signature, **_with_tools(program, module_type, config))
    except dspex.PipelineValidationError as exc:
        problems = [str(issue) for issue in exc.issues]
        raise ValidationError(
            {"module_config": [ValidationError(p, code="invalid_pipeline") for p in problems]}
        ) from None
    except (TypeError, ValueError, dspex.SignatureError) as exc:
        raise ValidationError(
            {"module_config": ValidationError(f"{where}{cls.__name__} does not accept this config: {exc}")}
        ) from None


def build_module(program: Program, state: Mapping[str, Any] | None = None) -> dspex.Module:
    """A fresh module for ``program`` (type, signature, module_config), with ``state`` loaded."""
    signature = signature_from_row(program.signature)
    # A pipeline checks its constant expressions against the budgets the runs will have.
    with dspex.context(pipeline_limits=getattr(settings, "DSPEX_PIPELINE_LIMITS", None)):
        module = _construct(program, program.module_type, program.module_config or {}, signature)
    cls = type(module)
    if program.backend and program.backend != "auto":
        # The hybrid router's per-instance preference, which Module does not declare.
        setattr(module, "backend", program.backend)  # noqa: B010
    if state is not None and not isinstance(state, Mapping):
        raise ValidationError({"state": ValidationError("state must be a JSON object", code="invalid")})
    if state:
        state = _without_lms({k: v for k, v in state.items() if k != "metadata"})
        expected = module.dump_state()
        unknown = sorted(set(state) - set(expected))
        if unknown:  # e.g. a ChainOfThought state given to a Predict program
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"the state does not fit this {cls.__name__}: unknown key(s) {', '.join(unknown)} "
                        f"(expected: {', '.join(expected)})",
                        code="invalid",
                    )
                }
            )
        try:
            module.load_state(state)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"the state does not fit this {cls.__name__}: {exc}", code="invalid"
                    )
                }
            ) from None
    return module


def _predictor_entries(state: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(path, entry)`` of the predictors of a state (a lone predictor's state is flat)."""
    if "signature" in state and "demos" in state:
        return [("", state)]
    return [(f"{name}.", entry) for name, entry in state.items() if isinstance(entry, Mapping)]


def check_state(state: Any) -> None:
    """Refuse a state whose LM entries choose an endpoint or a key (``base_url``, ``api_base``,
    ``api_key_env``, ...): a program's LM comes from its ``lm_config`` only. The errors are on
    ``state``, naming the entry."""
    if not isinstance(state, Mapping):
        return
    for path, entry in _predictor_entries(state):
        lm_state = entry.get("lm") if isinstance(entry, Mapping) else None
        if not isinstance(lm_state, Mapping):
            continue
        found = sorted(k for k in lm_state if k in dspex.lm.CONNECTION_KEYS)
        if found:
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"state.{path}lm.{found[0]} is not accepted: a stored state cannot choose "
                        "where requests go or which key they carry (the program's lm_config decides; "
                        "set the lm entries to null)",
                        code="invalid",
                    )
                }
            )


def _without_lms(state: Mapping[str, Any]) -> dict[str, Any]:
    """``state`` with every predictor's ``lm`` set to ``None`` (runs use the program's LM)."""
    state = dict(state)
    if "signature" in state and "demos" in state:
        return {**state, "lm": None} if "lm" in state else state
    return {
        name: ({**entry, "lm": None} if isinstance(entry, Mapping) and "lm" in entry else entry)
        for name, entry in state.items()
    }


def stored_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON a ProgramVersion stores: ``state`` without LM entries (they would show the
    endpoint's URL, and are never used: a run takes the program's LM)."""
    stored: dict[str, Any] = jsonable(_without_lms(state))
    return stored


def saved_file_metadata() -> dict[str, Any]:
    """The ``metadata`` entry the engine writes into a saved program file."""
    return saved_metadata()


def module_from_version(version: ProgramVersion) -> dspex.Module:
    return build_module(version.program, version.state)


def fresh_state(program: Program) -> dict[str, Any]:
    """``dump_state()`` of a new module for ``program`` (no demos, default instructions), as JSON."""
    state: dict[str, Any] = json.loads(json.dumps(jsonable(build_module(program).dump_state())))
    return state


def check_program_config(program: Program) -> None:
    """Raise ValidationError unless the engine accepts the program's type, config and LM config."""
    if program.signature_id is None:
        raise ValidationError({"signature": ValidationError("a program needs a signature", code="required")})
    build_module(program)
    lm_for_program(program, check_address=False)
