"""Pieces shared by the program mutations (inputs of LM configs, program lookup, run checks)."""

from __future__ import annotations

import math
from typing import Any

import graphene
from django.core.exceptions import ValidationError

from core.graphql.mutations import PayloadErrors, get_visible_or_error, validation_errors
from core.graphql.scalars import JSON
from core.graphql.throttling import throttle_wait
from programs import codecs
from programs.graphql.types import ProgramType, ProgramVersionType
from programs.models import Program, ProgramVersion

__all__ = ["LMConfigInput", "check_inputs", "check_throttle", "lm_config_from_input", "program_to_run"]


class LMConfigInput(graphene.InputObjectType):
    """The LM a program calls: an endpoint of this server (``engineCapabilities`` lists yours), a
    model it allows, optionally the id of one of your credentials. Never a URL or a key."""

    endpoint = graphene.String(description="An endpoint of this server (empty: the model's provider)")
    model = graphene.String(description="e.g. gpt-4o-mini or openai/gpt-4o-mini (empty: the default)")
    credential = graphene.Int(description="The id of one of your LM credentials (createLmCredential)")
    params = JSON(description="Generation and client parameters: temperature, max_tokens, cache, ...")
    base_url = graphene.String(
        deprecation_reason="Programs cannot choose URLs: name an endpoint (refused unless it is "
        "exactly an endpoint's URL)"
    )
    api_key_env = graphene.String(
        deprecation_reason="Programs cannot name environment variables: store a credential"
    )


def lm_config_from_input(value: dict[str, Any] | None) -> dict[str, Any]:
    """``LMConfigInput`` -> the ``lm_config`` JSON of a program (unset keys left out)."""
    return {key: item for key, item in (value or {}).items() if item is not None}


def program_to_run(
    user: Any, program_id: str, version_id: str | None
) -> tuple[Program, ProgramVersion | None]:
    """The program (and version, when given) the user may run, or errors on ``id``/``version``."""
    program = get_visible_or_error(ProgramType, program_id, user=user, field="id")
    if version_id is None:
        return program, None
    version = get_visible_or_error(ProgramVersionType, version_id, user=user, field="version")
    if version.program_id != program.pk:
        raise ValidationError(
            {"version": ValidationError(f"{version_id!r} is not a version of this program", code="invalid")}
        )
    return program, version


def check_inputs(program: Program, inputs: Any) -> None:
    """Errors naming each missing, unknown or mistyped input field (``inputs.<field>``), checked
    against the program's signature before anything runs."""
    if not isinstance(inputs, dict):
        raise PayloadErrors(
            [
                {
                    "field": "inputs",
                    "message": 'inputs must be a JSON object of input field values, e.g. {"question": "..."}',
                    "code": "INVALID",
                }
            ]
        )
    signature = codecs.signature_from_row(program.signature)
    try:
        codecs.validate_inputs(signature, inputs)
    except ValidationError as exc:
        raise PayloadErrors(validation_errors(exc, prefix="inputs.", camel_case=False)) from None


def check_throttle(request: Any) -> None:
    """The execute rate limit (shared with REST): an error with code ``THROTTLED`` when exceeded."""
    wait = throttle_wait(request)
    if wait is not None:
        raise PayloadErrors(
            [
                {
                    "field": None,
                    "message": f"Too many executions: try again in {math.ceil(wait)} s.",
                    "code": "THROTTLED",
                }
            ]
        )
