"""Downloads of an evaluation's results, streamed (shared by the API and the admin).

- ``csv``: one line per example: ``position, example_id, input.<field>..., label.<field>...,
  prediction.<field>..., score, metric.<name>..., error, latency_ms, prompt_tokens,
  completion_tokens, cost`` (non-text values as JSON);
- ``json``: ``{"evaluation": {...summary...}, "results": [{...}, ...]}`` with nested values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils.text import slugify

from core.streaming import csv_lines, json_document, streaming_download
from evaluations.metrics import metric_spec_names
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_export_rows
from programs.gateway.signatures import signature_from_row

__all__ = ["EXPORT_FORMATS", "evaluation_export_response", "evaluation_summary", "export_columns"]

EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _fields(evaluation: Evaluation) -> tuple[list[str], list[str], list[str]]:
    first = evaluation.dataset_version.examples.filter(split=evaluation.split).order_by("position").first()
    inputs = list(first.inputs) if first is not None else []
    labels = list(first.labels) if first is not None else []
    try:
        outputs = list(signature_from_row(evaluation.program_version.program.signature).output_fields)
    except ValidationError:
        outputs = list(labels)
    return inputs, labels, outputs


def export_columns(evaluation: Evaluation) -> list[str]:
    inputs, labels, outputs = _fields(evaluation)
    return [
        "position",
        "example_id",
        *(f"input.{name}" for name in inputs),
        *(f"label.{name}" for name in labels),
        *(f"prediction.{name}" for name in outputs),
        "score",
        *(f"metric.{name}" for name in metric_spec_names(evaluation.metrics)),
        "error",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "cost",
    ]


def _flat_rows(evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    for row in evaluation_export_rows(evaluation=evaluation):
        flat = {key: row[key] for key in ("position", "example_id", "score", "error", "latency_ms")}
        flat.update({key: row[key] for key in ("prompt_tokens", "completion_tokens", "cost")})
        for prefix, values in (
            ("input", row["inputs"]),
            ("label", row["labels"]),
            ("prediction", row["prediction"]),
        ):
            flat.update({f"{prefix}.{name}": value for name, value in (values or {}).items()})
        flat.update({f"metric.{name}": value for name, value in row["metric_scores"].items()})
        yield flat


def evaluation_summary(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "id": evaluation.pk,
        "program": evaluation.program_version.program.name,
        "program_version": evaluation.program_version.number,
        "dataset": evaluation.dataset_version.dataset.name,
        "dataset_version": evaluation.dataset_version.number,
        "split": evaluation.split,
        "metrics": evaluation.metrics,
        "status": evaluation.status,
        "examples_done": evaluation.examples_done,
        "examples_total": evaluation.examples_total,
        "score": evaluation.score,
        "metric_scores": evaluation.metric_scores,
        "prompt_tokens": evaluation.prompt_tokens,
        "completion_tokens": evaluation.completion_tokens,
        "cost": evaluation.cost,
        "created_at": evaluation.created_at,
        "finished_at": evaluation.finished_at,
    }


def evaluation_export_response(evaluation: Evaluation, fmt: str) -> StreamingHttpResponse:
    """A streamed download of the evaluation's results as ``csv`` or ``json``."""
    name = slugify(f"{evaluation.program_version.program.name}-evaluation-{evaluation.pk}") or "evaluation"
    if fmt == "csv":
        chunks = csv_lines(export_columns(evaluation), _flat_rows(evaluation))
    elif fmt == "json":
        rows = evaluation_export_rows(evaluation=evaluation)
        chunks = json_document({"evaluation": evaluation_summary(evaluation)}, "results", rows)
    else:
        raise ValueError(f"unknown export format {fmt!r} (expected one of: {', '.join(EXPORT_FORMATS)})")
    return streaming_download(chunks, content_type=EXPORT_FORMATS[fmt], filename=f"{name}.{fmt}")
