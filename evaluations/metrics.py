"""The registry of metrics an Evaluation can use, by name.

Each metric names an engine callable by dotted path (Django's pluggable-backend style), so this
module imports nothing from the engine; ``evaluations.codecs`` resolves the path. A function is
called as ``metric(example, prediction, trace=None, **options)``; a class is instantiated with the
options once per run and the instance is called the same way (like ``dspex.SemanticF1``).

Built in: ``exact_match``, ``passage_match``, ``f1``. Add one in code with one line::

    register_metric("semantic_f1", "dspex.SemanticF1")

or allow-list your own in settings (names users may then put in ``metrics``)::

    DSPEX_METRICS = {"contains": "myproject.metrics.contains"}     # by name
    DSPEX_METRICS = ["myproject.metrics.contains"]                  # by its dotted path

Only registered or allow-listed paths are ever imported: a dotted path typed by a user is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "DEFAULT_METRIC",
    "MetricType",
    "get_metric_type",
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


_REGISTRY: dict[str, MetricType] = {}


def register_metric(key: str, path: str, *, description: str = "", answer_field: bool = False) -> MetricType:
    """Make ``key`` a metric name evaluations may use (``path``: the engine callable or class)."""
    if not key or any(ch.isspace() for ch in key):
        raise ValueError(f"metric names have no spaces, got {key!r}")
    metric = MetricType(key, path, description, answer_field)
    _REGISTRY[key] = metric
    return metric


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


def _configured() -> dict[str, MetricType]:
    value: Any = getattr(settings, "DSPEX_METRICS", None) or {}
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = [(path, path) for path in value]
    else:
        raise ImproperlyConfigured("DSPEX_METRICS must be a dict {name: dotted path} or a list of paths")
    metrics = {}
    for key, path in items:
        if not isinstance(key, str) or not isinstance(path, str) or "." not in path:
            raise ImproperlyConfigured(f"DSPEX_METRICS: {key!r} -> {path!r} is not a name and a dotted path")
        metrics[key] = MetricType(key, path, f"configured: {path}")
    return metrics


def metric_types() -> dict[str, MetricType]:
    """The built-in and registered metrics plus those allow-listed in ``DSPEX_METRICS``."""
    return {**_REGISTRY, **_configured()}


def get_metric_type(key: str) -> MetricType:
    types = metric_types()
    try:
        return types[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r} (known: {', '.join(types)})") from None


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
