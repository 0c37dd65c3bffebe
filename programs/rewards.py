"""Reward functions that ``best_of_n`` and ``refine`` programs may use, by name.

A reward is allow-listed by name -> dotted path of a *factory* ``factory(program, **params)``
returning ``reward(inputs, prediction) -> float`` (higher is better; BestOfN and Refine stop at the
program's ``threshold``). Built in: ``non_empty``, ``max_words``, ``one_of`` and ``matches``
(entries of :data:`reward_registry`, a :class:`core.registry.Registry`). Add more with the
``DSPEX_REWARDS`` setting (docs/platform.md, "Named things and their settings")::

    DSPEX_REWARDS = {"cites_source": "myproject.rewards.cites_source"}
    DSPEX_REWARDS = {"cites_source": {"path": "myproject.rewards.cites_source", "description": "..."}}

A program names its reward in ``module_config``, alone or with parameters::

    {"module": "chain_of_thought", "N": 3, "threshold": 1.0, "reward": "non_empty"}
    {"module": "predict", "N": 4, "threshold": 1.0,
     "reward": {"name": "one_of", "params": {"field": "label", "choices": ["positive", "negative"]}}}

Unknown names and parameters are validation errors when the program is saved. User text is never
evaluated: parameters are plain JSON values.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from core.registry import Entry, Registry

if TYPE_CHECKING:
    from programs.models import Program

__all__ = [
    "describe_rewards",
    "matches",
    "max_words",
    "non_empty",
    "one_of",
    "resolve_reward",
    "reward_names",
    "reward_registry",
]

Reward = Callable[[dict[str, Any], Any], float]

BUILTIN_REWARDS = {
    "non_empty": "programs.rewards.non_empty",
    "max_words": "programs.rewards.max_words",
    "one_of": "programs.rewards.one_of",
    "matches": "programs.rewards.matches",
}
MAX_PATTERN_LENGTH = 200

reward_registry: Registry[Entry] = Registry("reward", setting="DSPEX_REWARDS", entry_type=Entry)
for _name, _path in BUILTIN_REWARDS.items():
    reward_registry.register(_name, _path)


def reward_names() -> list[str]:
    """The names a program may give as its ``reward``, sorted."""
    return sorted(reward_registry.names())


def describe_rewards() -> list[dict[str, Any]]:
    """Each reward's name, summary and parameters (for API discovery)."""
    described = []
    for name, entry in sorted(reward_registry.entries().items()):
        try:
            factory = reward_registry.load(name)
        except ImportError:
            described.append({"name": name, "summary": f"(cannot import {entry.path})", "params": []})
            continue
        parameters = list(inspect.signature(factory).parameters.values())[1:]
        described.append(
            {
                "name": name,
                "summary": entry.description or (inspect.getdoc(factory) or "").split("\n")[0],
                "params": [p.name for p in parameters if p.kind is not p.VAR_KEYWORD],
            }
        )
    return described


def _invalid(message: str) -> ValidationError:
    return ValidationError({"module_config": ValidationError(message, code="invalid_reward")})


def resolve_reward(spec: Any, program: Program) -> Reward:
    """The reward ``spec`` (a name, or ``{"name": ..., "params": {...}}``) for ``program``."""
    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - {"name", "params"})
        if unknown:
            raise _invalid(f"reward: unknown key(s) {', '.join(unknown)} (expected name and params)")
        name, params = spec.get("name"), spec.get("params", {})
        params = {} if params is None else params
    else:
        name, params = spec, {}
    entries = reward_registry.entries()
    if not isinstance(name, str) or name not in entries:
        raise _invalid(reward_registry.unknown_message(name, entries))
    if not isinstance(params, Mapping):
        raise _invalid("reward params must be a JSON object")
    factory = reward_registry.load(name)
    try:
        inspect.signature(factory).bind(program, **params)
    except TypeError as exc:
        raise _invalid(f"reward {name!r}: {exc}") from None
    try:
        reward: Callable[[dict[str, Any], Any], float] = factory(program, **params)
        return reward
    except (TypeError, ValueError) as exc:
        raise _invalid(f"reward {name!r}: {exc}") from None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _field(prediction: Any, field: str | None) -> str:
    if field is None:
        keys = list(prediction.keys())
        field = keys[-1] if keys else ""
    return _text(prediction.get(field))


def non_empty(program: Program, fields: list[str] | None = None) -> Reward:
    """The share of output fields (all, or ``fields``) that are not empty: 1.0 when all are filled."""
    wanted = list(fields) if fields else None

    def reward(inputs: dict[str, Any], prediction: Any) -> float:
        names = wanted or list(prediction.keys())
        if not names:
            return 0.0
        return sum(1 for name in names if _text(prediction.get(name))) / len(names)

    return reward


def max_words(program: Program, limit: int, field: str | None = None) -> Reward:
    """1.0 when ``field`` (default: the last output) has at most ``limit`` words, less the longer it is."""
    if int(limit) < 1:
        raise ValueError("limit must be at least 1")
    limit = int(limit)

    def reward(inputs: dict[str, Any], prediction: Any) -> float:
        words = len(_field(prediction, field).split())
        if words == 0:
            return 0.0
        return 1.0 if words <= limit else limit / words

    return reward


def one_of(program: Program, choices: list[str], field: str | None = None) -> Reward:
    """1.0 when ``field`` (default: the last output) is one of ``choices`` (case-insensitive), else 0.0."""
    if not isinstance(choices, list) or not choices:
        raise ValueError("choices must be a non-empty list")
    allowed = {str(choice).strip().lower() for choice in choices}

    def reward(inputs: dict[str, Any], prediction: Any) -> float:
        return 1.0 if _field(prediction, field).lower() in allowed else 0.0

    return reward


def matches(program: Program, pattern: str, field: str | None = None) -> Reward:
    """1.0 when ``field`` (default: the last output) matches the regular expression ``pattern``."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern must be a string of at most {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid pattern: {exc}") from None

    def reward(inputs: dict[str, Any], prediction: Any) -> float:
        return 1.0 if compiled.fullmatch(_field(prediction, field)) else 0.0

    return reward
