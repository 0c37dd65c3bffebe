"""Metrics by name, for places that store a metric as text (the platform's experiments and
evaluations, command lines).

The built-in names compare every *label* field of the example (its non-input fields) with the
prediction's field of the same name, so they work for any signature, not only ``answer``:

- ``exact_match``: 1.0 when every label matches after SQuAD normalisation, else 0.0;
- ``f1``: the mean token F1 over the label fields;
- ``passage_match``: DSPy's ``answer_passage_match`` (``example.answer`` in ``pred.context``).

Add one with :func:`register_metric` (``register_metric("semantic_f1", SemanticF1)`` where the
value is a metric or a zero-argument factory of one, flagged with ``factory=True``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dspex.evaluate.metrics import answer_passage_match, normalize_text, token_f1

__all__ = [
    "NamedMetric",
    "UnknownMetric",
    "get_metric",
    "labels_exact_match",
    "labels_f1",
    "metric_names",
    "register_metric",
]

Metric = Callable[..., Any]


class UnknownMetric(KeyError):
    """No metric is registered under that name."""

    def __str__(self) -> str:
        return str(self.args[0])


def _label_pairs(example: Any, pred: Any) -> list[tuple[str, str]]:
    labels = example.labels() if hasattr(example, "labels") else example
    names = list(labels.keys())
    if not names:
        raise ValueError("the example has no label fields to compare with the prediction")
    pairs = []
    for name in names:
        gold = labels[name]
        got = pred.get(name) if hasattr(pred, "get") else getattr(pred, name, None)
        pairs.append((str(gold), "" if got is None else str(got)))
    return pairs


def labels_exact_match(example: Any, pred: Any, trace: Any = None) -> float:
    """1.0 when every label field of ``example`` equals the prediction's field (normalised)."""
    pairs = _label_pairs(example, pred)
    return float(all(normalize_text(gold) == normalize_text(got) for gold, got in pairs))


def labels_f1(example: Any, pred: Any, trace: Any = None) -> float:
    """Mean token F1 of the prediction's fields against the example's label fields."""
    pairs = _label_pairs(example, pred)
    return sum(token_f1(got, gold) for gold, got in pairs) / len(pairs)


@dataclass(frozen=True)
class NamedMetric:
    name: str
    target: Metric
    factory: bool = False
    description: str = ""

    def build(self) -> Metric:
        """The metric callable (a new instance for factories such as LM judges)."""
        return self.target() if self.factory else self.target


_REGISTRY: dict[str, NamedMetric] = {}


def register_metric(
    name: str, target: Metric, *, factory: bool = False, description: str = ""
) -> NamedMetric:
    """Make ``name`` resolve to ``target`` (a metric, or a factory of one when ``factory``)."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"metric names are letters, digits and underscores, got {name!r}")
    entry = NamedMetric(name, target, factory, description or (target.__doc__ or "").strip().split("\n")[0])
    _REGISTRY[name] = entry
    return entry


def metric_names() -> list[str]:
    return sorted(_REGISTRY)


def get_metric(name: str) -> Metric:
    """The metric registered as ``name`` (ready to call), or :class:`UnknownMetric`."""
    try:
        entry = _REGISTRY[name]
    except KeyError:
        raise UnknownMetric(f"unknown metric {name!r} (known: {', '.join(metric_names())})") from None
    return entry.build()


register_metric("exact_match", labels_exact_match)
register_metric("f1", labels_f1)
register_metric("passage_match", answer_passage_match)
