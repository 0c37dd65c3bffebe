"""An Evaluation's ``metrics`` JSON -> scoring callables, checked against the program's signature
(errors are a ``ValidationError`` on ``metrics``, naming the item).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

import dspex
from evaluations.metrics import DEFAULT_METRIC, get_metric_type, metric_types
from programs.gateway.signatures import signature_from_row

if TYPE_CHECKING:
    from programs.models import Program

__all__ = ["ScoringMetric", "check_metrics", "metric_names", "resolve_metrics"]


@dataclass(frozen=True)
class ScoringMetric:
    """A resolved metric: ``score(example, prediction) -> float`` stored under ``name``."""

    name: str
    score: Callable[[Any, Any], float]


class _FieldView:
    """``example``/``prediction`` seen through a metric that reads ``answer``: ``answer`` is
    ``field`` (``exact_match`` on a ``sentence -> label`` program compares ``label``)."""

    __slots__ = ("_field", "_target")

    def __init__(self, target: Any, field: str):
        self._target = target
        self._field = field

    def _key(self, key: str) -> str:
        return self._field if key == "answer" else key

    def __getitem__(self, key: str) -> Any:
        return self._target[self._key(key)]

    def __getattr__(self, key: str) -> Any:
        return getattr(self._target, self._key(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._key(key) in self._target

    def get(self, key: str, default: Any = None) -> Any:
        return self._target.get(self._key(key), default)


def _on_field(metric: Callable[..., Any], field: str) -> Callable[..., Any]:
    if field == "answer":
        return metric

    def viewed(example: Any, prediction: Any, trace: Any = None) -> Any:
        return metric(_FieldView(example, field), _FieldView(prediction, field), trace)

    return viewed


def _item_spec(item: Any, where: str) -> tuple[str, dict[str, Any]]:
    if isinstance(item, str):
        return item, {}
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        return item["name"], {k: v for k, v in item.items() if k != "name"}
    raise ValidationError(
        f'{where}: expected a metric name or an object like {{"name": "exact_match", ...}}, got {item!r}',
        code="invalid",
    )


def _answer_field(name: str, options: dict[str, Any], outputs: Sequence[str], where: str) -> str:
    given = options.pop("field", None)
    if given is not None:
        if given not in outputs:
            raise ValidationError(
                f"{where}: {name} cannot compare {given!r}: not an output field "
                f"(outputs: {', '.join(outputs) or 'none'})",
                code="invalid",
            )
        return str(given)
    if "answer" in outputs:
        return "answer"
    if len(outputs) == 1:
        return outputs[0]
    raise ValidationError(
        f'{where}: {name} compares one output field: say which, e.g. {{"name": "{name}", "field": '
        f'"{outputs[0] if outputs else "answer"}"}} (outputs: {", ".join(outputs) or "none"})',
        code="invalid",
    )


def _build(name: str, target: Any, options: dict[str, Any], where: str) -> Callable[..., Any]:
    """A class is instantiated with the options; a function gets them as keyword arguments."""
    metric_class: Callable[..., Callable[..., Any]] = target  # when a class: its instances are metrics
    if inspect.isclass(target):
        try:
            metric = metric_class(**options)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"{where}: {name} does not accept these options: {exc}", code="invalid"
            ) from None
        return metric
    if not callable(target):
        raise ValidationError(f"{where}: {name} is not callable", code="invalid")
    if options:
        try:
            inspect.signature(target).bind(None, None, **options)
        except TypeError as exc:
            raise ValidationError(
                f"{where}: {name} does not accept these options: {exc}", code="invalid"
            ) from None
        except ValueError:
            pass  # no introspectable signature: the call will tell

        def with_options(example: Any, prediction: Any, trace: Any = None) -> Any:
            return target(example, prediction, trace, **options)

        return with_options
    function: Callable[..., Any] = target
    return function


def resolve_metrics(metrics: Sequence[Any] | None, signature: type[dspex.Signature]) -> list[ScoringMetric]:
    """The scoring metrics of ``metrics`` (default ``["exact_match"]``) for programs of ``signature``.

    Every problem is reported at once, on ``metrics``: unknown names, repeated names, options a
    metric does not take, an answer field the signature lacks.
    """
    if metrics is not None and not isinstance(metrics, list | tuple):
        raise ValidationError({"metrics": ValidationError("metrics must be a JSON list", code="invalid")})
    items = list(metrics or [DEFAULT_METRIC])
    outputs = list(signature.output_fields)
    errors: list[ValidationError] = []
    resolved: list[ScoringMetric] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"metrics[{index}]"
        try:
            name, options = _item_spec(item, where)
            if name in seen:
                raise ValidationError(f"{where}: {name} is listed twice", code="invalid")
            seen.add(name)
            try:
                metric_type = get_metric_type(name)
            except KeyError as exc:
                raise ValidationError(f"{where}: {exc.args[0]}", code="invalid_choice") from None
            try:
                target = import_string(metric_type.path)
            except ImportError as exc:
                raise ValidationError(
                    f"{where}: metric {name} is not available here (cannot import {metric_type.path}: {exc})",
                    code="unavailable",
                ) from None
            field = _answer_field(name, options, outputs, where) if metric_type.answer_field else None
            scorer = _build(name, target, options, where)
            if field is not None:
                scorer = _on_field(scorer, field)
            resolved.append(ScoringMetric(name, scorer))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError({"metrics": errors})
    return resolved


def check_metrics(metrics: Sequence[Any] | None, program: Program) -> list[str]:
    """Raise ``ValidationError`` on ``metrics`` unless they fit ``program``; their names otherwise."""
    return [metric.name for metric in resolve_metrics(metrics, signature_from_row(program.signature))]


def metric_names() -> list[str]:
    """The names users may put in ``metrics`` (registered and allow-listed)."""
    return list(metric_types())
