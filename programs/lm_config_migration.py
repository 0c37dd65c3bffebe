"""Bring stored LM configurations and version states into the endpoint form.

Before endpoints, a program's ``lm_config`` could name any ``base_url`` and any ``api_key_env``.
:func:`migrate_lm_configs` rewrites every program (and version state) so that it validates:

- a ``base_url`` that is exactly an allow-listed endpoint's URL becomes ``"endpoint": <name>``
  (and an ``api_key_env`` that is that endpoint's own key variable is dropped);
- any other ``base_url`` / ``api_key_env`` is removed: the program then runs on the endpoint of
  its model's provider, or on the default LM (``DSPEX_DEFAULT_LM``) when that does not exist or
  does not allow its model;
- parameters that are connection settings or unknown are removed, numbers above the limits are
  lowered to the limit;
- LM entries of version states (which runs never use) are set to null.

Every change is reported (``LMConfigChange``), URLs shown as scheme://host only. Used by the data
migration ``0005_endpoint_lm_configs`` and by ``manage.py dspex_migrate_lm_configs [--dry-run]``.
Works on historical models (``apps.get_model``) as well as on the real ones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from programs import endpoints
from programs.validators import (
    CONNECTION_KEYS,
    LM_CONFIG_KEYS,
    LM_PARAMS,
    credential_keys,
    validate_lm_config,
)

__all__ = ["LMConfigChange", "migrate_lm_config", "migrate_lm_configs"]


@dataclass
class LMConfigChange:
    """What was (or, in a dry run, would be) changed in one row."""

    model: str
    pk: int
    name: str
    owner: str
    notes: list[str] = field(default_factory=list)
    after: Any = None

    def __str__(self) -> str:
        return f"{self.model} {self.pk} {self.name!r} (owner {self.owner}): " + "; ".join(self.notes)


def _host(url: Any) -> str:
    """``scheme://host[:port]`` of ``url`` (no credentials, no path), for reports."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme or '?'}://{host}{port}"
    except ValueError:
        return "(not a URL)"


def _valid(config: dict[str, Any]) -> bool:
    try:
        validate_lm_config(config)
        endpoints.resolve_model(config)
    except (ValidationError, ImproperlyConfigured):
        return False
    return True


def _clean_params(params: Any, notes: list[str]) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        notes.append("params was not an object: removed")
        return {}
    allowed = LM_PARAMS | set(getattr(settings, "DSPEX_LM_EXTRA_PARAMS", ()))
    limits = dict(getattr(settings, "DSPEX_LM_PARAM_LIMITS", {}) or {})
    clean: dict[str, Any] = {}
    for key, value in params.items():
        if key in CONNECTION_KEYS or any(credential_keys({key: None})):
            notes.append(f"params.{key} removed (a connection setting or credential)")
        elif key not in allowed:
            notes.append(f"params.{key} removed (not a known LM parameter)")
        elif key in limits and isinstance(value, int | float) and not isinstance(value, bool):
            if value > limits[key]:
                notes.append(f"params.{key} lowered from {value} to the limit {limits[key]}")
                value = limits[key]
            clean[key] = value
        else:
            clean[key] = value
    return clean


def migrate_lm_config(config: Any) -> tuple[dict[str, Any], list[str]]:
    """The endpoint form of ``config`` and what changed (an empty list: nothing)."""
    if not isinstance(config, Mapping):
        return {}, ["lm_config was not a JSON object: replaced by {} (the default LM)"]
    notes: list[str] = []
    original = dict(config)
    new = dict(endpoints.normalize_lm_config(original))
    if "endpoint" in new and "endpoint" not in original and "base_url" in original:
        notes.append(f"base_url {_host(original['base_url'])} is endpoint {new['endpoint']!r}")
    if "base_url" in new:
        notes.append(f"base_url {_host(new.pop('base_url'))} is not an allow-listed endpoint: removed")
    if "api_key_env" in new:
        notes.append(f"api_key_env {new.pop('api_key_env')!r} removed (programs cannot name variables)")
    elif "api_key_env" in original and "base_url" not in original:
        notes.append(f"api_key_env {original['api_key_env']!r} is the endpoint's own key: removed")
    for key in [k for k in new if k not in LM_CONFIG_KEYS]:
        new.pop(key)
        notes.append(f"{key} removed (not an lm_config key)")
    if "params" in new:
        params = _clean_params(new["params"], notes)
        if params:
            new["params"] = params
        else:
            new.pop("params")
    if not _valid(new):
        dropped = {k: new.pop(k) for k in ("endpoint", "model", "credential") if k in new}
        if dropped:
            notes.append(
                f"{', '.join(f'{k} {v!r}' for k, v in dropped.items())} not usable here: removed, the "
                "program uses the default LM"
            )
        if not _valid(new):
            new = {}
            notes.append("the config still did not validate: replaced by {} (the default LM)")
    return new, notes


def _without_lm_entries(state: Any) -> tuple[Any, bool]:
    if not isinstance(state, Mapping):
        return state, False
    state = copy.deepcopy(dict(state))
    entries = [state] if "signature" in state and "demos" in state else list(state.values())
    changed = False
    for entry in entries:
        if isinstance(entry, dict) and entry.get("lm") is not None:
            entry["lm"] = None
            changed = True
    return state, changed


def _owner(row: Any, attribute: str) -> str:
    user = getattr(row, attribute, None)
    return getattr(user, "username", None) or "(none)"


def migrate_lm_configs(
    program_model: Any,
    version_model: Any = None,
    *,
    dry_run: bool = False,
    report: Callable[[LMConfigChange], None] | None = None,
) -> list[LMConfigChange]:
    """Rewrite every program's ``lm_config`` (and, with ``version_model``, clear the LM entries
    of every version state); return the changes, each also passed to ``report``. With
    ``dry_run`` nothing is written."""
    changes: list[LMConfigChange] = []

    def record(change: LMConfigChange) -> None:
        changes.append(change)
        if report is not None:
            report(change)

    for program in program_model.objects.select_related("owner").order_by("pk").iterator():
        new, notes = migrate_lm_config(program.lm_config)
        if not notes and new == program.lm_config:
            continue
        record(LMConfigChange("program", program.pk, program.name, _owner(program, "owner"), notes, new))
        if not dry_run:
            # ``update``: the model's validation would check the credential owner again, and the
            # historical model of a migration has no validation at all.
            program_model.objects.filter(pk=program.pk).update(lm_config=new)
    if version_model is None:
        return changes
    for version in version_model.objects.select_related("program").order_by("pk").iterator():
        state, changed = _without_lm_entries(version.state)
        if not changed:
            continue
        notes = ["LM entries of the state set to null (runs use the program's lm_config)"]
        name = f"{version.program.name} v{version.number}"
        record(LMConfigChange("version", version.pk, name, "-", notes))
        if not dry_run:
            # Versions are immutable for users; this one-time security cleanup writes through the
            # base manager, as a migration's historical model does.
            version_model._base_manager.filter(pk=version.pk).update(state=state)
    return changes
