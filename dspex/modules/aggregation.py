"""``majority``: the most common value of a field across completions (self-consistency)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from dspex.primitives.prediction import Completions, Prediction

__all__ = ["default_normalize", "majority", "normalize_text"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize_text(text: str) -> str:
    """SQuAD-style normalisation: NFD, lower case, no punctuation, no articles, single spaces."""
    text = unicodedata.normalize("NFD", str(text)).lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def default_normalize(value: Any) -> str | None:
    """SQuAD-style normalisation; ``None`` (ignored in the vote) for an empty result."""
    return normalize_text(str(value)) or None


def majority(
    prediction_or_completions: Prediction | Completions | list[Any],
    normalize: Callable[[Any], Any] | None = default_normalize,
    field: str | None = None,
) -> Prediction:
    """The completion whose ``field`` value (normalised) is the most common.

    ``field`` defaults to the last field of the completions. Values that normalise to ``None``
    do not vote (unless none is left). Ties go to the value seen first. Returns a
    :class:`Prediction` holding that completion.
    """
    completions: Completions | list[Any] | tuple[Any, ...]
    if isinstance(prediction_or_completions, Prediction):
        completions = prediction_or_completions.completions
    elif isinstance(prediction_or_completions, Completions | list | tuple):
        completions = prediction_or_completions
    else:
        raise TypeError(
            "majority() takes a Prediction, Completions or a list, "
            f"got {type(prediction_or_completions).__name__}"
        )
    items = [_as_dict(completions[i]) for i in range(len(completions))]
    if not items:
        raise ValueError("majority() needs at least one completion")
    if field is None:
        field = list(items[0])[-1]
    missing = [i for i, item in enumerate(items) if field not in item]
    if missing:
        raise ValueError(f"completion {missing[0]} has no field {field!r}")
    norm = normalize or (lambda value: value)
    values = [norm(item[field]) for item in items]
    voting = [v for v in values if v is not None] or values
    counts: dict[Any, int] = {}
    for value in voting:
        counts[value] = counts.get(value, 0) + 1
    winner = max(counts, key=counts.__getitem__)  # the first value with the top count
    chosen = next(item for item, value in zip(items, values, strict=True) if value == winner)
    return Prediction.from_completions([chosen])


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    if hasattr(item, "to_dict"):
        as_dict: dict[str, Any] = item.to_dict()
        return as_dict
    raise TypeError(f"a completion must be a dict or a Prediction, got {type(item).__name__}")
