"""What the engine offers a user: endpoints, module types, tools, rewards, breakers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dspex
from core.users import Caller
from programs import endpoints as lm_endpoints
from programs.gateway.lms import tenant_identities
from programs.gateway.signatures import jsonable
from programs.module_types import module_types
from programs.rewards import describe_rewards
from programs.tools import tool_names

if TYPE_CHECKING:
    pass

__all__ = ["engine_capabilities"]


def engine_capabilities(user: Caller | None = None) -> dict[str, Any]:
    """What the engine can run where (``dspex.hybrid.capabilities()``), the backend stats of this
    process, what programs may name (``program_types``, allow-listed ``tools`` and ``rewards``),
    the LM ``endpoints`` ``user`` may use and the circuit breakers of ``user``'s own credentials.

    Staff see every endpoint with its URL and every breaker; other users see endpoint names only,
    and only the breakers of their own programs' credentials, with URLs replaced by endpoint names.
    """
    from programs.selectors import lm_endpoints_for_user

    staff = bool(getattr(user, "is_staff", False))
    usable = lm_endpoints_for_user(user=user)
    endpoints = []
    for endpoint in usable:
        item: dict[str, Any] = {
            "name": endpoint.name,
            "provider": endpoint.provider,
            "models": list(endpoint.models),
            "shared_key": endpoint.shared_key,
            "user_credentials": endpoint.user_credentials,
        }
        if endpoint.description:
            item["description"] = endpoint.description
        if staff:
            item["base_url"] = endpoint.base_url
            item["key_env"] = endpoint.key_env
            item["allow_private"] = endpoint.allow_private
        endpoints.append(item)
    if staff:
        breakers = dspex.lm.breaker_states()
    else:
        breakers = [_redacted_breaker(b) for b in dspex.lm.breaker_states(tenant_identities(user))]
    return {
        **dspex.hybrid.capabilities(),
        "stats": dspex.hybrid.stats(),
        "endpoints": endpoints,
        "breakers": jsonable(breakers),
        "program_types": [
            {"key": t.key, "label": t.label, "wraps": t.wraps} for t in module_types().values()
        ],
        "tools": tool_names(),
        "rewards": describe_rewards(),
    }


def _redacted_breaker(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A breaker snapshot for its tenant: no URL, no credential identity."""
    shown = {k: v for k, v in snapshot.items() if k not in ("url", "credential")}
    for key in ("endpoint", "last_error"):
        if shown.get(key):
            shown[key] = lm_endpoints.redact_endpoint_urls(str(shown[key]))
    return shown
