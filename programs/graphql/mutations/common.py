"""Pieces shared by the program mutations (the input of LM configs)."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.scalars import JSON

__all__ = ["LMConfigInput", "lm_config_from_input"]


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
