"""``majority``: the most common answer among several predictions (or completions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dspex.evaluate.metrics import normalize_text
from dspex.primitives.prediction import Completions, Prediction

__all__ = ["default_normalize", "majority"]


def default_normalize(value: Any) -> str | None:
    """SQuAD-style normalisation; an answer that normalises to nothing is not counted."""
    return normalize_text(str(value)) or None


def _records(predictions: Prediction | Completions | Sequence[Any]) -> list[Any]:
    if isinstance(predictions, Prediction):
        predictions = predictions.completions
    if isinstance(predictions, Completions):
        return [predictions[i] for i in range(len(predictions))]
    return list(predictions)


def majority(
    predictions: Prediction | Completions | Sequence[Any],
    field: str | None = None,
    normalize: Callable[[Any], Any] | None = default_normalize,
) -> Prediction:
    """The prediction whose ``field`` holds the most common (normalised) value.

    ``predictions`` is a list of predictions (e.g. the outputs of an ensemble), or one prediction
    whose completions are compared. ``field`` defaults to the last field of the first prediction
    (the final output of a signature). Values that ``normalize`` maps to ``None`` are ignored
    unless nothing else is left; ties go to the value seen first. Returns a copy of the first
    prediction that has the winning value.
    """
    records = _records(predictions)
    if not records:
        raise ValueError("majority() needs at least one prediction")
    if field is None:
        field = list(records[0].keys())[-1]
    missing = [i for i, record in enumerate(records) if field not in record]
    if missing:
        raise KeyError(f"majority(): predictions {missing} have no field {field!r}")
    norm = normalize or (lambda value: value)
    keys = [norm(record[field]) for record in records]
    counted = [key for key in keys if key is not None] or keys
    counts: dict[Any, int] = {}
    for key in counted:
        counts[key] = counts.get(key, 0) + 1
    winner = max(counts, key=lambda key: counts[key])  # max() keeps the first of equal counts
    chosen = records[keys.index(winner)]
    data = chosen.to_dict() if hasattr(chosen, "to_dict") else dict(chosen)
    return Prediction.from_completions([data])
