"""Label-balanced orderings and samples, for optimizers given ``balance_by="<field>"``."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["group_by", "interleave_by", "stratified_sample"]

T = TypeVar("T")


def group_by(items: Sequence[T], key: Callable[[T], Any]) -> dict[Any, list[T]]:
    """Items grouped by ``key``, groups in order of first appearance, items in their order."""
    groups: dict[Any, list[T]] = {}
    for item in items:
        value = key(item)
        groups.setdefault(value if value is None or isinstance(value, str) else repr(value), []).append(item)
    return groups


def _round_robin(groups: list[list[T]]) -> list[T]:
    merged: list[T] = []
    for position in range(max((len(g) for g in groups), default=0)):
        merged.extend(group[position] for group in groups if position < len(group))
    return merged


def interleave_by(items: Sequence[T], key: Callable[[T], Any]) -> list[T]:
    """``items`` reordered to take one of each ``key`` value in turn (a, b, a, b, ..., then the
    rest of the larger groups); the order within a value is kept."""
    return _round_robin(list(group_by(items, key).values()))


def stratified_sample(items: Sequence[T], k: int, key: Callable[[T], Any], rng: random.Random) -> list[T]:
    """``k`` items (at most all of them), as evenly spread over the ``key`` values as the groups
    allow: each group is shuffled by ``rng``, then values take turns."""
    groups = list(group_by(items, key).values())
    for group in groups:
        rng.shuffle(group)
    return _round_robin(groups)[: max(0, k)]
