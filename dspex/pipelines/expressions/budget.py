"""Budgets of pipeline values and work: sizes are checked before a value is built.

A value's *size* counts what serializing it would write, not what it occupies in memory:
``[[1] * 1000] * 1000`` holds one inner list a thousand times (a few kilobytes), but written as
JSON, compared or joined it is a million elements. So sizes count a shared sub-value as often as
it occurs, and they are computed from the operands' sizes *before* an operation allocates
anything (``list * n`` is refused when ``n`` times the list's size is over the budget).

Two kinds of budget, both in :class:`Limits`:

- **per value** (every result of every expression, every map result, the pipeline's outputs):
  ``max_elements`` (list items, object fields and scalars, counted recursively),
  ``max_chars`` (characters of the value written as JSON) and ``max_depth`` (levels of nesting);
- **per evaluation** (one expression): ``max_work`` units (an element built, compared, copied or
  measured is one unit) and ``max_seconds`` of wall-clock time;
- **per run** (one pipeline call): ``max_step_runs`` steps executed (each map iteration's steps
  count), ``max_run_chars`` characters of step inputs, step outputs and pipeline outputs
  together (what the run's records hold), and ``max_run_work`` units over all its expressions.

Exceeding a budget raises :class:`BudgetFailure` naming it; the evaluator turns that into an
``ExpressionError`` whose ``budget`` attribute is the budget's name.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pydantic

from dspex.pipelines.expressions.values import Failure
from dspex.primitives.example import Example

__all__ = ["Budget", "BudgetFailure", "Limits", "Meter", "scalar_size"]

# How often (in work units) the budgets and the wall clock are checked during one evaluation.
_CHECK_EVERY = 256


@dataclass(frozen=True, slots=True)
class Limits:
    """The budgets of pipeline values and runs (see the module docstring). Every field is a
    positive number; ``Limits.from_mapping({"max_elements": 10_000})`` changes some of them."""

    max_elements: int = 1_000_000
    max_chars: int = 10_000_000
    max_depth: int = 100
    max_work: int = 10_000_000
    max_seconds: float = 1.0
    max_step_runs: int = 10_000
    max_run_chars: int = 50_000_000
    max_run_work: int = 100_000_000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not value > 0 or (isinstance(value, float) and not math.isfinite(value)):
                raise ValueError(f"pipeline limit {item.name} must be a positive number, got {value!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Limits:
        """``Limits`` with the defaults replaced by ``values`` (unknown names are a ValueError)."""
        values = dict(values or {})
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown pipeline limit(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        return cls(**values)

    @classmethod
    def coerce(cls, value: Limits | Mapping[str, Any] | None) -> Limits:
        """``value`` as ``Limits``: itself, a mapping of overrides, or ``None`` for the defaults."""
        if isinstance(value, Limits):
            return value
        if not value:
            return _DEFAULT_LIMITS
        return cls.from_mapping(value)


_DEFAULT_LIMITS = Limits()


class BudgetFailure(Failure):
    """A budget would be exceeded; ``budget`` names it (``max_elements``, ``max_work``, ...)."""

    def __init__(self, message: str, budget: str):
        super().__init__(message)
        self.budget = budget


def scalar_size(value: Any) -> tuple[int, int] | None:
    """``(elements, JSON characters)`` of a scalar, ``None`` for a container."""
    if value is None:
        return 1, 4
    kind = type(value)
    if kind is str:
        return 1, len(value) + 2
    if kind is bool:
        return 1, 5
    if kind is int:
        return 1, value.bit_length() * 30103 // 100000 + 2  # decimal digits (+ sign)
    if kind is float:
        return 1, 24
    if isinstance(value, list | tuple | Mapping | Example | pydantic.BaseModel):
        return None
    if isinstance(value, str):
        return 1, len(value) + 2
    if isinstance(value, int | float):
        return 1, 24
    return 1, 16  # an opaque leaf: written as a short string


def _children(value: Any) -> tuple[list[Any], int]:
    """The sub-values of a container and the characters of its own punctuation and keys."""
    if isinstance(value, list | tuple):
        return list(value), 2 + max(len(value) - 1, 0)
    if isinstance(value, Example):
        value = value._store
    elif isinstance(value, pydantic.BaseModel):
        value = value.model_dump()
    items = list(value.items())
    keys = sum(len(str(key)) + 3 for key, _ in items)  # "key":
    return [item for _, item in items], 2 + keys + max(len(items) - 1, 0)


class Budget:
    """The budget of one pipeline run (or of one standalone evaluation).

    It counts steps run, characters recorded and expression work, and remembers the size of
    every value measured during the run (keyed by identity, holding the value so the identity
    stays valid): a large input read by many steps is measured once.
    """

    def __init__(self, limits: Limits | Mapping[str, Any] | None = None):
        self.limits = Limits.coerce(limits)
        self.work = 0
        self.step_runs = 0
        self.run_chars = 0
        self.sizes: dict[int, tuple[Any, int, int, int]] = {}

    def meter(self) -> Meter:
        """A meter for one evaluation (its own work and time budget)."""
        return Meter(self)

    def size(self, value: Any) -> tuple[int, int]:
        """``(elements, characters)`` of ``value``, measured outside any evaluation."""
        meter = self.meter()
        size = meter.size(value)
        meter.finish(value)
        return size

    def admit(self, value: Any, what: str) -> tuple[int, int]:
        """The size of ``value``, which must fit the per-value budget (``what`` names it)."""
        meter = self.meter()
        elements, chars, height = meter.measure(value, what)
        meter.admit(elements, chars, what, height)
        meter.finish(value)
        return elements, chars

    def expect_steps(self, count: int, what: str = "") -> None:
        """Raise unless ``count`` more steps fit the run's step budget (nothing is counted)."""
        if self.step_runs + count > self.limits.max_step_runs:
            where = f" ({what})" if what else ""
            raise BudgetFailure(
                f"the run would execute more than {self.limits.max_step_runs:,} steps{where} (max_step_runs)",
                "max_step_runs",
            )

    def step_run(self, count: int = 1, what: str = "") -> None:
        """Count ``count`` steps about to run."""
        self.expect_steps(count, what)
        self.step_runs += count

    def record(self, chars: int, what: str) -> None:
        """Count ``chars`` characters the run's records will hold (step inputs and outputs)."""
        if self.run_chars + chars > self.limits.max_run_chars:
            raise BudgetFailure(
                f"{what} would bring the run's recorded values to {self.run_chars + chars:,} "
                f"characters, more than the budget of {self.limits.max_run_chars:,} (max_run_chars)",
                "max_run_chars",
            )
        self.run_chars += chars


class Meter:
    """Work, time and sizes of one evaluation. Sizes computed here are kept in the run's
    :class:`Budget` only for the evaluation's result (intermediate values are let go)."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.limits = budget.limits
        self.work = 0
        self.started = time.monotonic()
        self.next_check = min(
            _CHECK_EVERY, self.limits.max_work + 1, self.limits.max_run_work - budget.work + 1
        )
        self.sizes: dict[int, tuple[Any, int, int, int]] = {}

    # -- work and time ------------------------------------------------------------------------
    def charge(self, units: int) -> None:
        """Count ``units`` of work; raise once the evaluation's or the run's budget is spent.
        (Cheap when nothing is due: the checks run every few hundred units.)"""
        self.work += units
        if self.work >= self.next_check:
            self.check()

    def check(self) -> None:
        """Check the work and time budgets now, and when to check next."""
        if self.work > self.limits.max_work:
            raise BudgetFailure(
                f"the expression needs more than {self.limits.max_work:,} units of work "
                "(max_work; one unit per element built, compared or measured)",
                "max_work",
            )
        run_left = self.limits.max_run_work - self.budget.work
        if self.work > run_left:
            raise BudgetFailure(
                f"the run's expressions need more than {self.limits.max_run_work:,} units of work "
                "(max_run_work)",
                "max_run_work",
            )
        self.check_clock()
        self.next_check = min(self.work + _CHECK_EVERY, self.limits.max_work + 1, run_left + 1)

    def check_clock(self) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > self.limits.max_seconds:
            raise BudgetFailure(
                f"the expression ran for more than {self.limits.max_seconds:g} s (max_seconds)",
                "max_seconds",
            )

    def finish(self, result: Any) -> None:
        """End the evaluation: its work counts for the run; its result's size is remembered."""
        self.budget.work += self.work
        entry = self.sizes.get(id(result))
        if entry is not None and entry[0] is result:
            self.budget.sizes[id(result)] = entry

    # -- sizes --------------------------------------------------------------------------------
    def known(self, value: Any) -> tuple[int, int, int] | None:
        """``(elements, characters, height)`` of a container already measured, else ``None``."""
        for table in (self.sizes, self.budget.sizes):
            entry = table.get(id(value))
            if entry is not None and entry[0] is value:
                return entry[1], entry[2], entry[3]
        return None

    def remember(self, value: Any, elements: int, chars: int, height: int) -> None:
        """Note the size of a container this evaluation built (computed, not measured)."""
        if scalar_size(value) is None:
            self.sizes[id(value)] = (value, elements, chars, height)

    def admit(self, elements: int, chars: int, what: str, height: int = 0) -> None:
        """Raise unless a value of this size fits the per-value budget."""
        if elements > self.limits.max_elements:
            raise BudgetFailure(
                f"{what} would have {elements:,} elements, more than the budget of "
                f"{self.limits.max_elements:,} (max_elements)",
                "max_elements",
            )
        if chars > self.limits.max_chars:
            raise BudgetFailure(
                f"{what} would be {chars:,} characters as JSON, more than the budget of "
                f"{self.limits.max_chars:,} (max_chars)",
                "max_chars",
            )
        if height > self.limits.max_depth:
            raise BudgetFailure(
                f"{what} would be nested {height} levels deep, more than the budget of "
                f"{self.limits.max_depth} (max_depth)",
                "max_depth",
            )

    def size(self, value: Any, what: str = "the value") -> tuple[int, int]:
        """``(elements, characters)`` of ``value`` (see :meth:`measure`)."""
        elements, chars, _ = self.measure(value, what)
        return elements, chars

    def height(self, value: Any) -> int:
        """Levels of nesting of ``value`` (0 for a scalar, 1 for a flat list)."""
        return self.measure(value)[2]

    def measure(self, value: Any, what: str = "the value") -> tuple[int, int, int]:
        """``(elements, characters, height)`` of ``value``, counting shared sub-values every
        time they occur. Each distinct container is walked once, without recursion; the walk
        stops as soon as a part is over the per-value budget (so measuring is bounded too)."""
        scalar = scalar_size(value)
        if scalar is not None:
            return scalar[0], scalar[1], 0
        known = self.known(value)
        if known is not None:
            return known
        open_ids: set[int] = set()
        # (container, its children once expanded, its own characters)
        stack: list[tuple[Any, list[Any] | None, int]] = [(value, None, 0)]
        while stack:
            node, children, own = stack.pop()
            if children is None:
                if self.known(node) is not None:
                    continue
                if id(node) in open_ids:
                    raise BudgetFailure("the value contains itself", "max_elements")
                if len(open_ids) >= self.limits.max_depth:  # the open containers are its ancestors
                    self.admit(0, 0, what, len(open_ids) + 1)
                open_ids.add(id(node))
                children, own = _children(node)
                self.charge(len(children) + 1)
                stack.append((node, children, own))
                stack.extend((child, None, 0) for child in children if scalar_size(child) is None)
                continue
            elements, chars, height = 1, own, 0
            for child in children:
                scalar = scalar_size(child)
                if scalar is not None:
                    elements += scalar[0]
                    chars += scalar[1]
                    continue
                size = self.known(child)
                assert size is not None  # children are measured before their parent
                elements += size[0]
                chars += size[1]
                height = max(height, size[2])
            open_ids.discard(id(node))
            self.sizes[id(node)] = (node, elements, chars, height + 1)
            self.admit(elements, chars, what, height + 1)
        known = self.known(value)
        assert known is not None
        return known
