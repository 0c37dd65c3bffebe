"""A program's ``lm_config`` -> a ``dspex.LM`` on an allow-listed endpoint (``programs.endpoints``),
with the owner's credential and a tenant identity (default model from ``DSPEX_DEFAULT_LM``, read
at call time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

import dspex
from core.users import Caller
from programs import endpoints as lm_endpoints
from programs.credentials import CredentialsUnavailable, decrypt_key

if TYPE_CHECKING:
    from programs.models import Program

__all__ = ["lm_for_program", "lm_from_config", "tenant_identities"]


def _lm_error(message: str, code: str = "invalid_lm_config") -> ValidationError:
    return ValidationError({"lm_config": ValidationError(message, code=code)})


def _identity(*parts: Any) -> str:
    text = "\x1f".join(str(p) for p in parts)
    return "tenant-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _tenant(owner: Caller | None) -> str:
    pk = getattr(owner, "pk", None)
    return f"user:{pk}" if pk is not None else "operator"


def _credential_for(
    endpoint: lm_endpoints.LMEndpoint, credential_id: Any, owner: Caller | None
) -> dspex.Credential | None:
    """The engine credential of a program: one of its owner's stored keys, or the endpoint's
    shared key tagged with the owner as tenant (so tenants never share cache entries, breakers or
    rate budgets), or none for an endpoint without keys."""
    from programs.models import LMCredential

    if credential_id is not None:
        if not endpoint.user_credentials:
            raise _lm_error(
                f"lm_config.credential: endpoint {endpoint.name!r} does not take users' own keys "
                "(it uses the operator's key)"
            )
        row = LMCredential.objects.filter(pk=credential_id, owner_id=getattr(owner, "pk", None)).first()
        if row is None or owner is None:
            raise _lm_error(f"lm_config.credential: you have no credential {credential_id}", "not_found")
        if row.endpoint != endpoint.name:
            raise _lm_error(
                f"lm_config.credential: credential {credential_id} ({row.label!r}) is for endpoint "
                f"{row.endpoint!r}, not {endpoint.name!r}"
            )
        try:
            secret = decrypt_key(row.encrypted_key)
        except CredentialsUnavailable as exc:
            raise _lm_error(f"lm_config.credential: {exc}", "unavailable") from None
        identity = _identity("credential", endpoint.name, row.pk, _tenant(owner))
        return dspex.Credential.from_secret(secret, identity=identity, source=f"credential {row.label!r}")
    if endpoint.key_env is None:
        return dspex.Credential.from_env(None, base_url=endpoint.base_url, tenant=_tenant(owner))
    if not endpoint.shared_key:
        raise _lm_error(
            f"endpoint {endpoint.name!r} has no shared key: store your own key for it "
            "(POST /api/credentials/) and give its id as lm_config.credential",
            "credential_required",
        )
    return dspex.Credential.from_env(endpoint.key_env, base_url=endpoint.base_url, tenant=_tenant(owner))


def lm_from_config(
    lm_config: Mapping[str, Any] | None, *, owner: Caller | None = None, check_address: bool = True
) -> dspex.LM:
    """``{"endpoint", "model", "credential", "params"}`` -> ``dspex.LM`` on the allow-listed
    endpoint, with ``owner``'s credential (or the endpoint's shared key) and ``owner`` as tenant.
    The key itself is read at request time (from the operator's variable) or decrypted now (a
    stored credential); a config naming a URL or a variable never gets here (see validators).

    ``check_address``: refuse an endpoint that resolves to a private address (unless allowed);
    validation of a config skips the lookup, every run does it."""
    from programs.validators import validate_lm_config

    config = dict(lm_endpoints.normalize_lm_config(dict(lm_config or {})))
    validate_lm_config(config)  # rows written around the model's validation are checked again
    params = dict(config.get("params") or {})
    endpoint, model_name = lm_endpoints.resolve_model(config)
    credential = _credential_for(endpoint, config.get("credential"), owner)
    if check_address:
        lm_endpoints.check_endpoint_address(endpoint)
    try:
        return dspex.LM(
            f"{endpoint.provider}/{model_name}", base_url=endpoint.base_url, credential=credential, **params
        )
    except (TypeError, ValueError) as exc:
        raise _lm_error(lm_endpoints.redact_endpoint_urls(str(exc))) from None


def lm_for_program(program: Program, *, check_address: bool = True) -> dspex.LM:
    """The LM of ``program``: its ``lm_config``, with its owner's credentials."""
    return lm_from_config(program.lm_config, owner=program.owner, check_address=check_address)


def tenant_identities(owner: Caller | None) -> set[str]:
    """The credential identities the programs of ``owner`` run with (see ``_credential_for``)."""
    from programs.models import LMCredential

    identities: set[str] = set()
    tenant = _tenant(owner)
    for endpoint in lm_endpoints.lm_endpoints().values():
        identities.add(
            dspex.Credential.from_env(endpoint.key_env, base_url=endpoint.base_url, tenant=tenant).identity
        )
    owner_pk = getattr(owner, "pk", None)
    if owner_pk is not None:
        for pk, name in LMCredential.objects.filter(owner_id=owner_pk).values_list("pk", "endpoint"):
            identities.add(_identity("credential", name, pk, tenant))
    return identities


def keep_global_lm_history(size: int) -> None:
    """How many LM calls the engine keeps in its process-wide history (``dspy.inspect_history``'s
    list): the platform records every call on its Execution, so the default setting is 0."""
    from dspex.lm.history import set_global_history_size

    set_global_history_size(size)
