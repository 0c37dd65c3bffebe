"""Pipelines: programs described as JSON data — module steps run in sequence, in parallel, under
a condition or over a list, wired together with a small safe expression language."""

from dspex.pipelines.errors import PipelineError, PipelineIssue, PipelineValidationError
from dspex.pipelines.expressions import Expression, ExpressionError
from dspex.pipelines.expressions import Limits as PipelineLimits
from dspex.pipelines.from_signature import pipeline_from_signature
from dspex.pipelines.pipeline import Pipeline, validate_pipeline
from dspex.pipelines.records import PipelinePrediction, StepRecord

__all__ = [
    "Expression",
    "ExpressionError",
    "Pipeline",
    "PipelineError",
    "PipelineIssue",
    "PipelineLimits",
    "PipelinePrediction",
    "PipelineValidationError",
    "StepRecord",
    "pipeline_from_signature",
    "validate_pipeline",
]
