"""The registry of metrics an Evaluation can use, by name (a :class:`core.registry.Registry`).

Each metric names an engine callable by dotted path (Django's pluggable-backend style), so this
module imports nothing from the engine; ``evaluations.gateway`` resolves the path. A function is
called as ``metric(example, prediction, trace=None, **options)``; a class is instantiated with the
options once per run and the instance is called the same way (like ``dspex.SemanticF1``).

Built in: ``exact_match``, ``passage_match``, ``f1``. Add one in code with one line::

    register_metric("semantic_f1", "dspex.SemanticF1")

or allow-list your own in settings (names users may then put in ``metrics``; docs/platform.md,
"Named things and their settings")::

    DSPEX_METRICS = {"contains": "myproject.metrics.contains"}     # by name
    DSPEX_METRICS = {"contains": {"path": "myproject.metrics.contains", "description": "..."}}
    DSPEX_METRICS = ["myproject.metrics.contains"]                  # by its dotted path (accepted)

Only registered or allow-listed paths are ever imported: a dotted path typed by a user is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.registry import Registry

__all__ = [
    "DEFAULT_METRIC",
    "MetricType",
    "get_metric_type",
    "metric_registry",
    "metric_spec_names",
    "metric_types",
    "register_metric",
]

DEFAULT_METRIC = "exact_match"


@dataclass(frozen=True)
class MetricType:
    key: str
    path: str
    description: str = ""
    # Metrics that compare the `answer` field take a `field` option naming another output field.
    answer_field: bool = False
    label: str = ""


# A list of dotted paths is the setting's older form: each path is allow-listed under its own name.
metric_registry: Registry[MetricType] = Registry(
    "metric", setting="DSPEX_METRICS", entry_type=MetricType, path_list=True
)


def register_metric(key: str, path: str, *, description: str = "", answer_field: bool = False) -> MetricType:
    """Make ``key`` a metric name evaluations may use (``path``: the engine callable or class)."""
    return metric_registry.register(key, path, description=description, answer_field=answer_field)


register_metric(
    "exact_match",
    "dspex.answer_exact_match",
    description="1 when the answer equals a gold answer after normalisation (option frac < 1: token F1)",
    answer_field=True,
)
register_metric(
    "passage_match",
    "dspex.answer_passage_match",
    description="1 when a gold answer appears in one of the predicted context passages",
    answer_field=True,
)
register_metric(
    "f1",
    "dspex.f1_score",
    description="Token-level F1 of the answer against the gold answers",
    answer_field=True,
)
register_metric(
    "semantic_f1", "dspex.SemanticF1", description="LM-judged recall/precision of the key ideas (needs an LM)"
)


def metric_types() -> dict[str, MetricType]:
    """The built-in and registered metrics plus those allow-listed in ``DSPEX_METRICS``."""
    return metric_registry.entries()


def get_metric_type(key: str) -> MetricType:
    """The metric ``key``; a ``KeyError`` (:class:`core.registry.UnknownName`) naming the known ones."""
    return metric_registry.get(key)


def metric_spec_names(metrics: Any) -> list[str]:
    """The names of the metrics in an Evaluation's ``metrics`` JSON (default ``["exact_match"]``),
    main metric first; malformed items are skipped (they are refused when the evaluation is made)."""
    names = []
    for item in metrics or [DEFAULT_METRIC]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            names.append(item["name"])
    return names or [DEFAULT_METRIC]
