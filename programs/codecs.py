"""The boundary between program rows and the engine: the only module here that imports both.

- ``signature_from_row``: a Signature row -> a ``dspex.Signature`` class (errors become
  ``ValidationError`` naming what is wrong, with the parser's reason and position);
- ``build_module``: a Program (+ a ProgramVersion's state) -> a dspex module, by module type;
- ``lm_for_program`` / ``lm_from_config``: a Program's ``lm_config`` -> a ``dspex.LM`` on an
  allow-listed endpoint (``programs.endpoints``) with the owner's credential and a tenant identity
  (default model from the ``DSPEX_DEFAULT_LM`` setting, read at call time);
- ``validate_inputs`` / ``run_module``: check inputs, then call the module and collect its LM calls;
- ``traces_from_calls``: ``dspex.LMCall`` -> unsaved ``LMCallTrace`` rows.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

import dspex
from core.background import BackgroundRun
from core.safe_input import storable
from dspex.adapters.formatting import jsonable as _jsonable
from dspex.signatures.field import CONSTRAINT_NAMES
from programs import endpoints as lm_endpoints
from programs.credentials import CredentialsUnavailable, decrypt_key
from programs.module_types import get_module_type, module_types
from programs.rewards import describe_rewards, resolve_reward, reward_names
from programs.tools import resolve_tool, tool_names

if TYPE_CHECKING:
    from dspex.lm.tracking import LMCall
    from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature

__all__ = [
    "ModuleRun",
    "ModuleStream",
    "StreamCancelled",
    "build_module",
    "check_program_config",
    "check_state",
    "describe_error",
    "engine_capabilities",
    "fresh_state",
    "jsonable",
    "lm_for_program",
    "lm_from_config",
    "module_from_version",
    "prediction_from_outputs",
    "run_module",
    "signature_from_row",
    "stored_state",
    "stream_module",
    "tenant_identities",
    "traces_from_calls",
    "usage_totals",
    "validate_inputs",
]

_FIELD_KEYS = frozenset({"name", "kind", "type", "desc", "prefix", "constraints"})
_COST_PLACES = Decimal("0.00000001")


def jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value`` (engine values: pydantic models, tuples, ...)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return _jsonable(value)


# -- signatures ------------------------------------------------------------------------------------
def _signature_error(exc: dspex.SignatureError, field_name: str, where: str = "") -> ValidationError:
    if exc.position is not None:
        message = "Invalid signature%(where)s at position %(position)s: %(reason)s"
    else:
        message = "Invalid signature%(where)s: %(reason)s"
    return ValidationError(
        {
            field_name: ValidationError(
                message,
                code="invalid_signature",
                params={"reason": exc.reason, "position": exc.position, "where": where},
            )
        }
    )


def signature_from_spec(spec: str, instructions: str | None = None) -> type[dspex.Signature]:
    """``"question -> answer"`` -> a Signature class; a malformed spec is a ValidationError on ``spec``."""
    try:
        return dspex.make_signature(spec, instructions or None)
    except dspex.SignatureError as exc:
        raise _signature_error(exc, "spec") from None


def _field_list_error(message: str, **params: Any) -> ValidationError:
    return ValidationError({"fields": ValidationError(message, code="invalid", params=params)})


def signature_from_fields(fields: Any, instructions: str | None = None) -> type[dspex.Signature]:
    """A field list (see ``Signature`` model) -> a Signature class, errors naming the field."""
    if not isinstance(fields, list) or not fields:
        raise _field_list_error("fields must be a non-empty list of field objects")
    inputs: list[tuple[int, str]] = []
    outputs: list[tuple[int, str]] = []
    for index, item in enumerate(fields):
        if not isinstance(item, dict):
            raise _field_list_error("fields[%(index)s] must be an object", index=index)
        unknown = sorted(set(item) - _FIELD_KEYS)
        if unknown:
            raise _field_list_error(
                "fields[%(index)s] has unknown key(s) %(keys)s (allowed: %(allowed)s)",
                index=index,
                keys=", ".join(unknown),
                allowed=", ".join(sorted(_FIELD_KEYS)),
            )
        name, kind, type_ = item.get("name"), item.get("kind"), item.get("type")
        if not isinstance(name, str) or not name:
            raise _field_list_error("fields[%(index)s] needs a name", index=index)
        if kind not in ("input", "output"):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): kind must be 'input' or 'output', got %(kind)r",
                index=index,
                name=name,
                kind=kind,
            )
        if type_ is not None and (not isinstance(type_, str) or not type_.strip()):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): type must be a string", index=index, name=name
            )
        constraints = item.get("constraints") or {}
        if not isinstance(constraints, dict) or set(constraints) - set(CONSTRAINT_NAMES):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): constraints must be an object with keys among %(allowed)s",
                index=index,
                name=name,
                allowed=", ".join(CONSTRAINT_NAMES),
            )
        (inputs if kind == "input" else outputs).append((index, f"{name}: {type_}" if type_ else name))

    # Build the equivalent spec string, remembering where each field's text starts, so that a
    # parser error can name the field it is in.
    spec, spans = "", []
    for side, items in ((0, inputs), (1, outputs)):
        if side:
            spec += " -> "
        for n, (index, text) in enumerate(items):
            if n:
                spec += ", "
            spans.append((len(spec), len(spec) + len(text), index))
            spec += text
    try:
        signature = dspex.make_signature(spec, instructions or None)
    except dspex.SignatureError as exc:
        where = ""
        for start, end, index in spans:
            if exc.position is not None and start <= exc.position <= end:
                where = f" in fields[{index}] ({fields[index]['name']!r})"
                exc.position -= start
                break
        else:
            exc.position = None
        raise _signature_error(exc, "fields", where) from None
    for item in fields:
        changes = {key: item[key] for key in ("desc", "prefix") if item.get(key) is not None}
        changes.update(item.get("constraints") or {})
        if changes:
            try:
                signature = signature.with_updated_fields(item["name"], **changes)
            except (dspex.SignatureError, TypeError, ValueError) as exc:
                raise _field_list_error(
                    "field %(name)s: %(error)s", name=item["name"], error=str(exc)
                ) from None
    return signature


def signature_from_row(row: Signature) -> type[dspex.Signature]:
    """The engine signature of a Signature row (its ``spec`` or its ``fields``)."""
    has_spec, has_fields = bool(row.spec and row.spec.strip()), bool(row.fields)
    if has_spec and has_fields:
        raise ValidationError(
            {"spec": ValidationError("give either a spec or a field list, not both", code="invalid")}
        )
    if not has_spec and not has_fields:
        raise ValidationError(
            {
                "spec": ValidationError(
                    "give a spec (like 'question -> answer') or a field list", code="required"
                )
            }
        )
    if has_spec:
        return signature_from_spec(row.spec, row.instructions)
    return signature_from_fields(row.fields, row.instructions)


# -- LMs and modules -------------------------------------------------------------------------------
def _lm_error(message: str, code: str = "invalid_lm_config") -> ValidationError:
    return ValidationError({"lm_config": ValidationError(message, code=code)})


def _identity(*parts: Any) -> str:
    text = "\x1f".join(str(p) for p in parts)
    return "tenant-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _tenant(owner: Any) -> str:
    pk = getattr(owner, "pk", None)
    return f"user:{pk}" if pk is not None else "operator"


def _credential_for(
    endpoint: lm_endpoints.LMEndpoint, credential_id: Any, owner: Any
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
    lm_config: Mapping[str, Any] | None, *, owner: Any = None, check_address: bool = True
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


def _module_class(module_type: str) -> type[dspex.Module]:
    try:
        path = get_module_type(module_type).path
    except KeyError as exc:
        raise ValidationError(
            {"module_type": ValidationError(str(exc.args[0]), code="invalid_choice")}
        ) from None
    try:
        return import_string(path)
    except ImportError as exc:
        raise ValidationError(
            {"module_type": ValidationError(f"module type {module_type!r}: cannot import {path}: {exc}")}
        ) from None


def _with_tools(program: Program, module_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """Tool names in a module config become the allow-listed tools (``programs.tools``); a pipeline
    gets a resolver for its steps' tool names."""
    if module_type == "pipeline":
        config["tool_resolver"] = lambda name: resolve_tool(name, program)
    elif "tools" in config:
        names = config["tools"]
        if not isinstance(names, list):
            raise ValidationError({"module_config": "tools must be a list of tool names"})
        config["tools"] = [resolve_tool(name, program) for name in names]
    return config


def _wrapped_arguments(
    program: Program, module_type: str, config: dict[str, Any], signature: type[dspex.Signature], where: str
) -> tuple[dspex.Module, dict[str, Any]]:
    """For a wrapping type: its inner module (built from ``module`` and ``module_config``) and the
    rest of its config, with a named ``reward`` resolved to ``reward_fn``."""
    inner_type = config.pop("module", "predict")
    if not isinstance(inner_type, str) or inner_type == "pipeline":
        message = f"{where}module: a module type other than pipeline, got {inner_type!r}"
        raise ValidationError({"module_config": message})
    try:
        get_module_type(inner_type)
    except KeyError as exc:
        raise ValidationError({"module_config": f"{where}module: {exc.args[0]}"}) from None
    inner_config = config.pop("module_config", {})
    inner = _construct(program, inner_type, inner_config, signature, f"{where}{inner_type}: ")
    if "reward_fn" in config:
        message = f"{where}name the reward with 'reward', not 'reward_fn'"
        raise ValidationError({"module_config": message})
    if "reward" in config:
        config["reward_fn"] = resolve_reward(config.pop("reward"), program)
    elif module_type in ("best_of_n", "refine"):
        message = f"{where}{module_type} needs a reward (allowed: {', '.join(reward_names())})"
        raise ValidationError({"module_config": message})
    return inner, config


def _construct(
    program: Program, module_type: str, config: Any, signature: type[dspex.Signature], where: str = ""
) -> dspex.Module:
    """``module_type`` built on ``signature`` from ``config``; a wrapping type builds its inner
    module first (``where`` names the nesting in error messages)."""
    if not isinstance(config, Mapping):
        raise ValidationError({"module_config": f"{where}module_config must be a JSON object"})
    cls = _module_class(module_type)
    config = dict(config)
    try:
        if get_module_type(module_type).wraps:
            inner, rest = _wrapped_arguments(program, module_type, config, signature, where)
            return cls(inner, **rest)
        return cls(signature, **_with_tools(program, module_type, config))
    except dspex.PipelineValidationError as exc:
        problems = [str(issue) for issue in exc.issues]
        raise ValidationError(
            {"module_config": [ValidationError(p, code="invalid_pipeline") for p in problems]}
        ) from None
    except (TypeError, ValueError, dspex.SignatureError) as exc:
        raise ValidationError(
            {"module_config": ValidationError(f"{where}{cls.__name__} does not accept this config: {exc}")}
        ) from None


def build_module(program: Program, state: Mapping[str, Any] | None = None) -> dspex.Module:
    """A fresh module for ``program`` (type, signature, module_config), with ``state`` loaded."""
    signature = signature_from_row(program.signature)
    # A pipeline checks its constant expressions against the budgets the runs will have.
    with dspex.context(pipeline_limits=getattr(settings, "DSPEX_PIPELINE_LIMITS", None)):
        module = _construct(program, program.module_type, program.module_config or {}, signature)
    cls = type(module)
    if program.backend and program.backend != "auto":
        module.backend = program.backend  # the hybrid router's per-instance preference
    if state is not None and not isinstance(state, Mapping):
        raise ValidationError({"state": ValidationError("state must be a JSON object", code="invalid")})
    if state:
        state = _without_lms({k: v for k, v in state.items() if k != "metadata"})
        expected = module.dump_state()
        unknown = sorted(set(state) - set(expected))
        if unknown:  # e.g. a ChainOfThought state given to a Predict program
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"the state does not fit this {cls.__name__}: unknown key(s) {', '.join(unknown)} "
                        f"(expected: {', '.join(expected)})",
                        code="invalid",
                    )
                }
            )
        try:
            module.load_state(state)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"the state does not fit this {cls.__name__}: {exc}", code="invalid"
                    )
                }
            ) from None
    return module


def _predictor_entries(state: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(path, entry)`` of the predictors of a state (a lone predictor's state is flat)."""
    if "signature" in state and "demos" in state:
        return [("", state)]
    return [(f"{name}.", entry) for name, entry in state.items() if isinstance(entry, Mapping)]


def check_state(state: Any) -> None:
    """Refuse a state whose LM entries choose an endpoint or a key (``base_url``, ``api_base``,
    ``api_key_env``, ...): a program's LM comes from its ``lm_config`` only. The errors are on
    ``state``, naming the entry."""
    if not isinstance(state, Mapping):
        return
    for path, entry in _predictor_entries(state):
        lm_state = entry.get("lm") if isinstance(entry, Mapping) else None
        if not isinstance(lm_state, Mapping):
            continue
        found = sorted(k for k in lm_state if k in dspex.lm.CONNECTION_KEYS)
        if found:
            raise ValidationError(
                {
                    "state": ValidationError(
                        f"state.{path}lm.{found[0]} is not accepted: a stored state cannot choose "
                        "where requests go or which key they carry (the program's lm_config decides; "
                        "set the lm entries to null)",
                        code="invalid",
                    )
                }
            )


def _without_lms(state: Mapping[str, Any]) -> dict[str, Any]:
    """``state`` with every predictor's ``lm`` set to ``None`` (runs use the program's LM)."""
    state = dict(state)
    if "signature" in state and "demos" in state:
        return {**state, "lm": None} if "lm" in state else state
    return {
        name: ({**entry, "lm": None} if isinstance(entry, Mapping) and "lm" in entry else entry)
        for name, entry in state.items()
    }


def stored_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON a ProgramVersion stores: ``state`` without LM entries (they would show the
    endpoint's URL, and are never used: a run takes the program's LM)."""
    return jsonable(_without_lms(state))


def module_from_version(version: ProgramVersion) -> dspex.Module:
    return build_module(version.program, version.state)


def fresh_state(program: Program) -> dict[str, Any]:
    """``dump_state()`` of a new module for ``program`` (no demos, default instructions), as JSON."""
    return json.loads(json.dumps(jsonable(build_module(program).dump_state())))


def check_program_config(program: Program) -> None:
    """Raise ValidationError unless the engine accepts the program's type, config and LM config."""
    if program.signature_id is None:
        raise ValidationError({"signature": ValidationError("a program needs a signature", code="required")})
    build_module(program)
    lm_for_program(program, check_address=False)


# -- running ---------------------------------------------------------------------------------------
def validate_inputs(signature: type[dspex.Signature], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce ``inputs`` to the signature's input fields; missing, unknown or mistyped fields are a
    ValidationError keyed by the field's name."""
    if not isinstance(inputs, Mapping):
        raise ValidationError({"inputs": "inputs must be an object of field values"}, code="invalid")
    try:
        return signature.validate_inputs(inputs)
    except dspex.FieldValidationError as exc:
        raise ValidationError({exc.field: ValidationError(str(exc), code="invalid_input")}) from None


@dataclass
class ModuleRun:
    """The outcome of :func:`run_module`: outputs or an error, and every LM call either way."""

    outputs: dict[str, Any] | None
    calls: list[LMCall]
    latency_ms: float
    error: BaseException | None = None
    error_message: str = ""
    backend: str = "native"
    steps: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)


def describe_error(exc: BaseException) -> str:
    """A one-paragraph description of an engine failure, for an Execution's ``error``."""
    return lm_endpoints.redact_endpoint_urls(_describe(exc))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, dspex.LMError):
        return f"LM call failed ({type(exc).__name__}): {exc}"
    if isinstance(exc, dspex.AdapterParseError):
        return f"Could not parse the LM response: {exc}"
    if isinstance(exc, dspex.NoLMConfiguredError):
        return f"No LM configured: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _sandbox_settings() -> dict[str, Any]:
    """The engine settings of the ProgramOfThought sandbox, from the Django settings."""
    return {"sandbox_allow_unconfined": bool(getattr(settings, "DSPEX_SANDBOX_ALLOW_UNCONFINED", False))}


def run_module(module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any]) -> ModuleRun:
    """Call ``module(**inputs)`` on ``lm``, recording every LM call; never raises for engine errors."""
    module.set_lm(lm)  # the program's LM config wins over an LM a loaded state might carry
    start = perf_counter()
    allow_pot = settings.DSPEX_ALLOW_PROGRAM_OF_THOUGHT
    limits = getattr(settings, "DSPEX_PIPELINE_LIMITS", None)
    with (
        dspex.context(
            lm=lm, allow_program_of_thought=allow_pot, pipeline_limits=limits, **_sandbox_settings()
        ),
        dspex.track_calls() as calls,
        dspex.track_steps() as events,
        dspex.hybrid.record_attempts() as attempts,
    ):
        try:
            prediction = module(**inputs)
        except Exception as exc:
            latency = (perf_counter() - start) * 1000
            records = getattr(exc, "pipeline_steps", None) or getattr(exc, "steps", None)
            steps = _step_records(records, events)
            run = ModuleRun(None, list(calls), latency, exc, describe_error(exc), steps=steps)
            return _with_attempts(run, attempts)
    latency = (perf_counter() - start) * 1000
    steps = _step_records(getattr(prediction, "steps", None), events)
    return _with_attempts(
        ModuleRun(jsonable(prediction.to_dict()), list(calls), latency, steps=steps), attempts
    )


def _with_attempts(run: ModuleRun, attempts: list[dict[str, Any]]) -> ModuleRun:
    """Which backend ran the program (the last attempt of its outermost routed call), and every
    attempt when the native path failed over to dspy."""
    if attempts:
        run.backend = str(attempts[-1].get("backend") or run.backend)
        run.attempts = [jsonable(a) for a in attempts]
    return run


def _step_records(records: Any, events: list[Any]) -> list[dict[str, Any]]:
    """JSON of a pipeline run's step records, else of the module events (``dspex.track_steps``:
    ReAct steps, BestOfN/Refine attempts, vote samples, ...) of the run."""
    if not isinstance(records, list):
        records = events
    return [jsonable(r.to_dict()) for r in records if hasattr(r, "to_dict")]


def engine_capabilities(user: Any = None) -> dict[str, Any]:
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


def tenant_identities(owner: Any) -> set[str]:
    """The credential identities the programs of ``owner`` run with (see ``_credential_for``)."""
    from programs.models import LMCredential

    identities: set[str] = set()
    tenant = _tenant(owner)
    for endpoint in lm_endpoints.lm_endpoints().values():
        identities.add(
            dspex.Credential.from_env(endpoint.key_env, base_url=endpoint.base_url, tenant=tenant).identity
        )
    if getattr(owner, "pk", None) is not None:
        for pk, name in LMCredential.objects.filter(owner_id=owner.pk).values_list("pk", "endpoint"):
            identities.add(_identity("credential", name, pk, tenant))
    return identities


class ModuleStream:
    """``module`` run with ``dspex.streamify`` on a helper thread (see :func:`stream_module`)."""

    def __init__(
        self, module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any], *, keepalive: float = 0.0
    ) -> None:
        module.set_lm(lm)
        self.keepalive = keepalive
        allow_pot = settings.DSPEX_ALLOW_PROGRAM_OF_THOUGHT
        limits = getattr(settings, "DSPEX_PIPELINE_LIMITS", None)

        async def consume(emit: Callable[[Any], None]) -> ModuleRun:
            start = perf_counter()
            with (
                dspex.context(
                    lm=lm, allow_program_of_thought=allow_pot, pipeline_limits=limits, **_sandbox_settings()
                ),
                dspex.track_calls() as calls,
                dspex.track_steps() as events,
            ):
                try:
                    async for item in dspex.streamify(module)(**inputs):
                        if isinstance(item, dspex.StreamChunk):
                            chunk = {"predictor": item.predictor, "field": item.field, "chunk": item.chunk}
                            emit(("chunk", chunk))
                        elif isinstance(item, dspex.StatusMessage):
                            emit(("status", {"text": item.text, "step": item.step}))
                        elif isinstance(item, dspex.Prediction):
                            latency = (perf_counter() - start) * 1000
                            steps = _step_records(getattr(item, "steps", None), events)
                            return ModuleRun(jsonable(item.to_dict()), list(calls), latency, steps=steps)
                except asyncio.CancelledError:  # the stream was closed: keep what was done so far
                    latency = (perf_counter() - start) * 1000
                    error = StreamCancelled("the stream was closed before the run finished")
                    return ModuleRun(
                        None, list(calls), latency, error, str(error), steps=_step_records(None, events)
                    )
                except Exception as exc:
                    latency = (perf_counter() - start) * 1000
                    steps = _step_records(None, events)
                    return ModuleRun(None, list(calls), latency, exc, describe_error(exc), steps=steps)
            error = RuntimeError("the stream ended without a prediction")
            return ModuleRun(None, list(calls), (perf_counter() - start) * 1000, error, describe_error(error))

        self.background = BackgroundRun.of_coroutine(consume, name="dspex-stream")

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """``("chunk" | "status", {...})`` as they happen, ``("ping", {})`` every ``keepalive``
        seconds without them (0: never), then ``("done", ModuleRun)``. Never raises for engine
        errors."""
        quiet_since = perf_counter()
        for item in self.background:
            if item is not None:
                quiet_since = perf_counter()
                yield item
            elif self.keepalive and perf_counter() - quiet_since >= self.keepalive:
                quiet_since = perf_counter()
                yield "ping", {}
        self.background.raise_failure()
        yield "done", self.background.result

    def cancel(self, wait: float = 10.0) -> ModuleRun:
        """Stop the run (its coroutine is cancelled, its LM requests closed) and wait up to
        ``wait`` seconds for it; the run as far as it got, its error a :class:`StreamCancelled`."""
        self.background.stop()
        finished = self.background.join(wait)
        result = self.background.result if finished else None
        if isinstance(result, ModuleRun):
            if result.error is None:  # it finished just now: what it produced is not returned
                result.error = StreamCancelled("the stream was closed before the run finished")
                result.error_message = str(result.error)
            return result
        error = StreamCancelled("the stream was closed before the run started or stopped")
        return ModuleRun(None, [], 0.0, error, str(error))


class StreamCancelled(Exception):
    """A streamed run stopped because its stream was closed (the client went away)."""


def stream_module(
    module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any], *, keepalive: float = 0.0
) -> ModuleStream:
    """Run ``module`` with ``dspex.streamify`` on a helper thread: iterate the result for
    ``("chunk", {...})``, ``("status", {...})`` (and ``("ping", {})`` keep-alives) as they happen,
    then ``("done", ModuleRun)``; :meth:`ModuleStream.cancel` stops it early."""
    return ModuleStream(module, lm, inputs, keepalive=keepalive)


def prediction_from_outputs(outputs: Mapping[str, Any] | None) -> dspex.Prediction:
    """A ``dspex.Prediction`` from an Execution's stored outputs."""
    return dspex.Prediction(**dict(outputs or {}))


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_COST_PLACES)


def usage_totals(calls: list[LMCall]) -> tuple[int, int, Decimal | None]:
    """Prompt tokens, completion tokens and cost (``None`` when a call's cost is unknown)."""
    prompt = sum(int(call.usage.get("prompt_tokens", 0)) for call in calls)
    completion = sum(int(call.usage.get("completion_tokens", 0)) for call in calls)
    costs = [call.cost for call in calls]
    cost = None if any(c is None for c in costs) else _decimal(sum(costs))
    return prompt, completion, cost


def traces_from_calls(execution: Execution, calls: list[LMCall]) -> list[LMCallTrace]:
    """Unsaved ``LMCallTrace`` rows, in call order."""
    from django.utils.dateparse import parse_datetime

    from programs.models import LMCallTrace

    return [
        LMCallTrace(
            execution=execution,
            position=position,
            model=call.model,
            messages=storable(jsonable(call.messages)),
            params=storable(jsonable(call.params)),
            outputs=storable(list(call.outputs)),
            usage=dict(call.usage),
            finish_reasons=list(call.finish_reasons or []),
            latency_ms=call.latency_ms,
            cache_hit=bool(call.cache_hit),
            cost=_decimal(call.cost),
            created_at=parse_datetime(call.timestamp) if call.timestamp else None,
        )
        for position, call in enumerate(calls)
    ]
