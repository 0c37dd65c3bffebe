"""Writes for signatures, programs, versions and executions (HackSoft style: keyword-only args).

The engine is reached only through ``programs.gateway``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from actions.fields import given_file_name
from core import safe_input
from core.finite import first_non_finite, marked
from core.heartbeat import Heartbeat
from core.ownership import authenticated_or_none
from core.users import Caller
from programs.aliases import version_to_run
from programs.credentials import CredentialsUnavailable, encrypt_key, fingerprint
from programs.endpoints import lm_endpoints
from programs.errors import ExecutionFailed
from programs.gateway.lms import lm_for_program
from programs.gateway.modules import (
    build_module,
    check_program_config,
    check_state,
    fresh_state,
    module_from_version,
    stored_state,
)
from programs.gateway.running import ModuleRun, ModuleStream, describe_error, run_module, stream_module
from programs.gateway.signatures import jsonable, signature_from_row, validate_inputs
from programs.gateway.usage import traces_from_calls, usage_totals
from programs.models import (
    Execution,
    LMCallTrace,
    LMCredential,
    Program,
    ProgramAlias,
    ProgramVersion,
    Signature,
)
from programs.version_files import read_version_file

__all__ = [
    "STREAM_CLOSED",
    "ExecutionEvents",
    "InputFieldSpec",
    "ProgramValidation",
    "check_api_key",
    "execution_mark_lost",
    "execution_run",
    "lm_credential_create",
    "lm_credential_delete",
    "program_check",
    "program_create",
    "program_execute",
    "program_execute_async",
    "program_execute_stream",
    "program_input_fields",
    "program_inputs_clean",
    "program_inputs_from_text",
    "program_update",
    "program_validate",
    "program_version_create",
    "program_version_import",
    "signature_check",
    "signature_create",
    "signature_update",
]

logger = logging.getLogger(__name__)


# -- signatures ------------------------------------------------------------------------------------
def signature_create(
    *,
    name: str,
    spec: str = "",
    fields: list[dict[str, Any]] | None = None,
    instructions: str = "",
    owner: Caller | None = None,
) -> Signature:
    """Create a signature from a spec string or a field list, validated by the engine."""
    signature = Signature(
        name=name,
        spec=spec,
        fields=fields or [],
        instructions=instructions,
        owner=authenticated_or_none(owner),
    )
    signature_check(signature=signature)
    signature.save()
    return signature


def signature_check(*, signature: Signature) -> None:
    """The row's own checks, then its spec or field list through the engine: a ``ValidationError``
    naming what is wrong. Every write of a signature runs it once (services, the admin)."""
    signature.full_clean()
    signature_from_row(signature)


def signature_update(*, signature: Signature, **changes: Any) -> Signature:
    """Change ``name``, ``spec``, ``fields`` or ``instructions`` (validated again)."""
    allowed = {"name", "spec", "fields", "instructions"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"signature_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(signature, name, value)
    signature_check(signature=signature)
    signature.save()
    return signature


# -- LM credentials --------------------------------------------------------------------------------
_MAX_KEY_LENGTH = 4096


def check_api_key(api_key: Any) -> str:
    """The key without surrounding blanks; a ``ValidationError`` on ``api_key`` unless it is 1 to
    4096 printable characters without spaces (it goes into an HTTP header)."""
    secret = api_key.strip() if isinstance(api_key, str) else ""
    if not secret or len(secret) > _MAX_KEY_LENGTH or any(c.isspace() or not c.isprintable() for c in secret):
        raise ValidationError(
            {
                "api_key": ValidationError(
                    f"the key must be 1 to {_MAX_KEY_LENGTH} printable characters without spaces",
                    code="invalid",
                )
            }
        )
    return secret


def lm_credential_create(*, owner: Caller | None, endpoint: str, label: str, api_key: str) -> LMCredential:
    """Store ``owner``'s key for ``endpoint`` encrypted; it is never shown again (only ``label``
    and ``fingerprint``), and only ever sent to ``endpoint``."""
    owner = authenticated_or_none(owner)
    if owner is None:
        raise ValidationError({"owner": ValidationError("sign in to store a credential", code="required")})
    endpoints = lm_endpoints()
    usable = [name for name, e in endpoints.items() if e.user_credentials]
    if endpoint not in usable:
        raise ValidationError(
            {
                "endpoint": ValidationError(
                    f"{endpoint!r} is not an endpoint that takes your own key (allowed: "
                    f"{', '.join(usable) or 'none'})",
                    code="invalid_choice",
                )
            }
        )
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise ValidationError(
            {"label": ValidationError("give a label of 1 to 100 characters", code="invalid")}
        )
    secret = check_api_key(api_key)
    if LMCredential.objects.filter(owner=owner, label=label).exists():
        raise ValidationError(
            {"label": ValidationError(f"you already have a credential labelled {label!r}", code="unique")}
        )
    try:
        token = encrypt_key(secret)
    except CredentialsUnavailable as exc:
        raise ValidationError({"api_key": ValidationError(str(exc), code="unavailable")}) from None
    return LMCredential.objects.create(
        owner=owner, endpoint=endpoint, label=label, encrypted_key=token, fingerprint=fingerprint(secret)
    )


def lm_credential_delete(*, credential: LMCredential) -> None:
    """Forget the key. Programs that named it fail to run (400 on ``lm_config``) until changed."""
    credential.delete()


# -- programs and versions -------------------------------------------------------------------------
def program_create(
    *,
    name: str,
    signature: Signature,
    module_type: str = "predict",
    description: str = "",
    module_config: dict[str, Any] | None = None,
    backend: str = Program.Backend.AUTO,
    lm_config: dict[str, Any] | None = None,
    owner: Caller | None = None,
) -> Program:
    """Create a program and its version 1 (the state of a fresh module: no demos)."""
    program = Program(
        name=name,
        signature=signature,
        module_type=module_type,
        description=description,
        module_config=module_config or {},
        backend=backend,
        lm_config=lm_config or {},
        owner=authenticated_or_none(owner),
    )
    program_check(program=program)
    with transaction.atomic():
        program.save()
        program_version_create(program=program, state=None, created_by=owner, note="Initial version")
    return program


def program_update(*, program: Program, **changes: Any) -> Program:
    """Change the program's settings (name, description, module_config, backend, lm_config, ...)."""
    allowed = {"name", "description", "signature", "module_type", "module_config", "backend", "lm_config"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"program_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(program, name, value)
    program_check(program=program)
    program.save()
    return program


def program_check(*, program: Program) -> None:
    """The row's own checks, then its module and LM config against the engine (the module type can
    be built on the signature, tools, rewards and the endpoint exist): a ``ValidationError`` naming
    the field. Every write of a program runs it once (services, the admin)."""
    program.full_clean()
    check_program_config(program)


def program_version_create(
    *,
    program: Program,
    state: dict[str, Any] | None,
    source: str = ProgramVersion.Source.MANUAL,
    parent: ProgramVersion | None = None,
    created_by: Caller | None = None,
    note: str = "",
    make_current: bool = True,
) -> ProgramVersion:
    """Add the next numbered version (its state must load into the program's module; ``None``
    means the state of a fresh module: no demos, the signature's instructions).

    ``parent`` defaults to the program's current version; the new one becomes current unless
    ``make_current=False``.
    """
    if state is None:
        state = fresh_state(program)
    else:
        check_state(state)  # LM entries never choose an endpoint or a key
        build_module(program, state)  # raises ValidationError when the state does not fit
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        if parent is None:
            parent = locked.current_version
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProgramVersion.objects.create(
            program=locked,
            number=number,
            state=stored_state(state),
            parent=parent,
            source=source,
            created_by=authenticated_or_none(created_by),
            note=note,
        )
        if make_current:
            Program.objects.filter(pk=program.pk).update(current_version=version, updated_at=timezone.now())
            program.current_version = version
    return version


@dataclass(frozen=True)
class ProgramValidation:
    """What :func:`program_validate` found: ``problems`` maps a field (``module_config``,
    ``version``, ``inputs.question``) to its messages; none means the program is ready to run."""

    program: Program
    problems: dict[str, list[str]]

    @property
    def valid(self) -> bool:
        return not self.problems


def _add_problems(problems: dict[str, list[str]], exc: ValidationError, *, key: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = key if key is not None else field
            if key == "inputs" and field != "__all__":
                name = f"inputs.{field}"
            problems.setdefault(name, []).extend(messages)
    else:
        problems.setdefault(key or "__all__", []).extend(exc.messages)


def program_validate(
    *, program: Program, version: ProgramVersion | None = None, inputs: Any = None
) -> ProgramValidation:
    """Check, without running anything, that ``program`` can run: its own fields and module and
    LM config against the engine, the state of ``version`` (default: the current one) loading
    into its module, and, when given, ``inputs`` against its signature."""
    problems: dict[str, list[str]] = {}
    try:
        program_check(program=program)
    except ValidationError as exc:
        _add_problems(problems, exc)
    version = version or program.current_version
    if version is None:
        problems["version"] = ["the program has no version to run"]
    elif not problems:  # a state is only checked against a module that can be built
        try:
            build_module(program, version.state)
        except ValidationError as exc:
            _add_problems(problems, exc, key="version")
    if inputs is not None:
        try:
            program_inputs_clean(program=program, inputs=inputs)
        except ValidationError as exc:
            _add_problems(problems, exc, key="inputs")
    return ProgramValidation(program, problems)


def program_version_import(
    *,
    program: Program,
    file: IO[bytes],
    note: str = "",
    make_current: bool = True,
    created_by: Caller | None = None,
) -> ProgramVersion:
    """A saved program file (``program.save("x.json")`` of dspy or dspex, or an export) as the
    program's next version; errors are on ``file`` (unreadable, or a state that does not fit)."""
    state = read_version_file(file)
    try:
        return program_version_create(
            program=program,
            state=state,
            source=ProgramVersion.Source.IMPORT,
            created_by=created_by,
            note=note or f"imported from {given_file_name(file) or 'a file'}",
            make_current=make_current,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "state" in exc.error_dict:
            raise ValidationError({"file": exc.error_dict["state"]}) from None
        raise


# -- inputs typed by people (admin "Try it" form, ``manage.py dspex_execute --input k=v``) ----------
@dataclass(frozen=True)
class InputFieldSpec:
    """One input field of a program's signature, described for a form or a command line.

    ``text``: values are plain text (``str``, untyped and string ``Literal`` fields); other values
    are read as JSON (``[1, 2]``, ``3``, ``{"a": 1}``), falling back to the text as typed.
    """

    name: str
    type: str
    description: str
    required: bool
    text: bool


def _type_label(annotation: Any, untyped: bool) -> str:
    if untyped or annotation is None:
        return "str"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _is_text_schema(schema: Mapping[str, Any]) -> bool:
    if schema.get("type") == "string":
        return True
    options = schema.get("anyOf") or []
    types = {option.get("type") for option in options}
    return bool(options) and "string" in types and types <= {"string", "null"}


def program_input_fields(*, program: Program) -> list[InputFieldSpec]:
    """The input fields of the program's signature, in declaration order (``ValidationError``
    when the signature is unusable)."""
    signature = signature_from_row(program.signature)
    schema = signature.input_schema()
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    specs = []
    for name, field in signature.input_fields.items():
        desc = field.desc or ""
        specs.append(
            InputFieldSpec(
                name=name,
                type=_type_label(field.annotation, field.type_undefined),
                description="" if desc == f"${{{name}}}" else desc,
                required=name in required,
                text=_is_text_schema(properties.get(name, {})),
            )
        )
    return specs


def program_inputs_from_text(*, program: Program, values: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs typed as text -> values for ``program_execute``: text fields are kept as they are,
    the others are decoded as JSON when they parse (the engine coerces or rejects the rest, naming
    the field); an empty non-text value is left out (the engine then reports it missing)."""
    specs = {spec.name: spec for spec in program_input_fields(program=program)}
    inputs: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None or spec.text or not isinstance(value, str):
            inputs[name] = value
            continue
        if not value.strip():
            continue
        try:
            inputs[name] = safe_input.loads(value)
        except safe_input.JSONTooDeep as exc:
            raise ValidationError({name: ValidationError(exc.message, code="invalid")}) from None
        except ValueError:
            inputs[name] = value
    try:  # typed text is form text (no NUL), but JSON escapes can decode to any character
        safe_input.check_text(inputs)
    except safe_input.BadText as exc:
        raise ValidationError({str(exc.path[0]): ValidationError(exc.message, code="invalid")}) from None
    return inputs


# -- executions ------------------------------------------------------------------------------------
def _finite_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` unless one holds Infinity or NaN (a ValidationError naming the field)."""
    found = first_non_finite(inputs)
    if found is not None:
        path, number = found
        field = path.split(".")[0].split("[")[0]
        message = f"{path} is not a finite number ({number}): JSON has no Infinity or NaN"
        raise ValidationError({field: ValidationError(message, code="not_finite")})
    return inputs


def program_inputs_clean(*, program: Program, inputs: Any) -> dict[str, Any]:
    """``inputs`` checked against the program's signature: each missing, unknown or mistyped field
    (or one holding Infinity or NaN) is a ``ValidationError`` naming it."""
    clean = validate_inputs(signature_from_row(program.signature), inputs)
    return _finite_inputs(clean)


def _clean_inputs(program: Program, inputs: Any) -> dict[str, Any]:
    return program_inputs_clean(program=program, inputs=inputs)


def _mark_failed(execution: Execution, message: str) -> Execution:
    """Finish a running row as failed with ``message`` (the last resort: nothing else is kept)."""
    now = timezone.now()
    Execution.objects.filter(pk=execution.pk, status=Execution.Status.RUNNING).update(
        status=Execution.Status.FAILED, error=message, finished_at=now
    )
    execution.status, execution.error, execution.finished_at = Execution.Status.FAILED, message, now
    return execution


def _record(execution: Execution, run: ModuleRun) -> Execution:
    """Write the outcome of ``run`` on its row (and its LM call traces); the row always ends
    finished: outputs with Infinity or NaN fail the run, and a record that cannot be saved
    leaves the row failed with the reason."""
    outputs, failed, message = run.outputs, run.error is not None, run.error_message
    found = first_non_finite(outputs) if outputs is not None else None
    if found is not None:
        path, number = found
        outputs, failed = None, True
        message = (
            f"The output {path} is not a finite number ({number}): JSON has no Infinity or NaN, "
            "so it can be neither stored nor returned"
        )
    prompt, completion, cost = usage_totals(run.calls)
    execution.status = Execution.Status.FAILED if failed else Execution.Status.SUCCEEDED
    # An LM can answer with characters PostgreSQL cannot store; users' text was checked at the door.
    execution.outputs = safe_input.storable(outputs)
    execution.steps = safe_input.storable(marked(run.steps))
    execution.attempts = safe_input.storable(marked(run.attempts))
    execution.error = safe_input.storable(message)
    execution.latency_ms = run.latency_ms
    execution.backend = run.backend
    execution.prompt_tokens = prompt
    execution.completion_tokens = completion
    execution.cost = cost
    execution.finished_at = timezone.now()
    traces = traces_from_calls(execution, run.calls)
    for trace in traces:
        trace.messages, trace.params, trace.usage = (
            marked(trace.messages),
            marked(trace.params),
            marked(trace.usage),
        )
    try:
        with transaction.atomic():
            execution.save(
                update_fields=[
                    "status", "outputs", "steps", "attempts", "error", "latency_ms", "backend",
                    "prompt_tokens", "completion_tokens", "cost", "finished_at",
                ]
            )  # fmt: skip
            LMCallTrace.objects.bulk_create(traces)
    except Exception as exc:  # the row must not stay running because its record did not fit
        logger.exception("execution %s: its record could not be saved", execution.pk)
        _mark_failed(execution, f"The run's record could not be saved ({type(exc).__name__}: {exc})")
    return execution


def _fail_on_error(execution: Execution, exc: BaseException) -> None:
    """Whatever stopped the run after its row was marked running, the row says so."""
    reason = "interrupted" if not isinstance(exc, Exception) else describe_error(exc)
    try:
        _mark_failed(execution, f"The run stopped: {reason}")
    except Exception:  # the database itself is away: the reaper will finish the row
        logger.exception("execution %s: could not record its failure", execution.pk)


def program_execute(
    *,
    program: Program,
    inputs: dict[str, Any],
    user: Caller | None = None,
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
) -> Execution:
    """Run the program in this process: ``version``, else the version ``alias`` points to, else
    the ``production`` alias's, else the current version (``programs.aliases.version_to_run``).

    Inputs are validated before any LM call: a missing, unknown or mistyped field (or one holding
    Infinity or NaN) raises ``ValidationError`` naming it, and nothing is recorded. Otherwise an
    Execution is recorded with outputs, latency, tokens, cost and one LMCallTrace per LM call.
    When the run fails (LM error, unparseable response, a pipeline over budget, outputs that are
    not finite) the Execution is marked ``failed`` and :class:`ExecutionFailed` is raised.
    """
    version, alias_name = version_to_run(program, version, alias)
    module = module_from_version(version)
    clean_inputs = _clean_inputs(program, inputs)
    lm = lm_for_program(program)
    now = timezone.now()
    execution = Execution.objects.create(
        program_version=version,
        alias=alias_name,
        inputs=jsonable(clean_inputs),
        status=Execution.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        created_by=authenticated_or_none(user),
    )
    try:
        with Heartbeat(Execution, execution.pk):
            run = run_module(module, lm, clean_inputs)
        _record(execution, run)
    except BaseException as exc:
        _fail_on_error(execution, exc)
        raise
    if execution.status == Execution.Status.FAILED:
        raise ExecutionFailed(execution, execution.error) from run.error
    return execution


STREAM_CLOSED = "Cancelled: the client closed the stream before the run finished"


class ExecutionEvents:
    """The events of a streamed execution (see :func:`program_execute_stream`).

    Iterate it for ``(event, data)`` pairs. :meth:`close` (which Django calls when the response
    ends, also when the client went away) cancels a run that has not finished: its engine work
    stops, and the row is marked ``failed`` with :data:`STREAM_CLOSED`.
    """

    def __init__(self, execution: Execution, stream: ModuleStream) -> None:
        self.execution = execution
        self.stream = stream
        self.finished = False
        self._events: Iterator[tuple[str, dict[str, Any]]] | None = None

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if self._events is None:
            self._events = self._run()
        return self._events

    def _run(self) -> Iterator[tuple[str, dict[str, Any]]]:
        execution = self.execution
        try:
            with Heartbeat(Execution, execution.pk):
                yield "execution", {"execution_id": execution.pk}
                for kind, payload in self.stream:
                    if kind != "done":
                        yield kind, payload
                        continue
                    _record(execution, payload)
                    self.finished = True
                    body = {"execution_id": execution.pk, "status": execution.status}
                    if execution.status == Execution.Status.FAILED:
                        yield "error", {**body, "error": execution.error}
                    else:
                        outputs = {"outputs": execution.outputs, "latency_ms": execution.latency_ms}
                        yield "prediction", {**body, **outputs}
        except GeneratorExit:
            raise  # closed by close(): it records the cancellation
        except BaseException as exc:
            if not self.finished:
                self.finished = True
                self.stream.cancel()
                _fail_on_error(execution, exc)
            raise

    def close(self) -> None:
        """Stop the run if it is still going (the client went away) and record why."""
        if self._events is not None:
            self._events.close()  # type: ignore[attr-defined]
        if self.finished:
            return
        self.finished = True
        try:
            run = self.stream.cancel()
            run.error_message = STREAM_CLOSED
            _record(self.execution, run)
        except BaseException as exc:
            _fail_on_error(self.execution, exc)
            raise


def program_execute_stream(
    *,
    program: Program,
    inputs: dict[str, Any],
    user: Caller | None = None,
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
) -> ExecutionEvents:
    """Like :func:`program_execute`, streamed: inputs are validated at once (``ValidationError``,
    nothing recorded); the returned :class:`ExecutionEvents` then yields ``(event, data)``:
    ``("execution", {"execution_id"})``, ``("status", {"text", "step"})``, ``("chunk",
    {"predictor", "field", "chunk"})`` and ``("ping", {})`` (every ``DSPEX_SSE_KEEPALIVE`` seconds
    without news) as the run goes, and finally ``("prediction", {...})`` or ``("error", {...})``.
    The Execution (with its LM traces) is recorded when the run ends; closing the events before
    that cancels the run (the row is then ``failed``, "Cancelled: the client closed ...")."""
    version, alias_name = version_to_run(program, version, alias)
    module = module_from_version(version)
    clean_inputs = _clean_inputs(program, inputs)
    lm = lm_for_program(program)
    now = timezone.now()
    execution = Execution.objects.create(
        program_version=version,
        alias=alias_name,
        inputs=jsonable(clean_inputs),
        status=Execution.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        created_by=authenticated_or_none(user),
    )
    keepalive = float(getattr(settings, "DSPEX_SSE_KEEPALIVE", 5.0))
    return ExecutionEvents(execution, stream_module(module, lm, clean_inputs, keepalive=keepalive))


def program_execute_async(
    *,
    program: Program,
    inputs: dict[str, Any],
    user: Caller | None = None,
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
    enqueue: bool = True,
) -> Execution:
    """Validate the inputs, record a pending Execution and queue its run on the action layer's
    generic task (``program.execute``) once the transaction commits (``enqueue=False``: the caller
    dispatches it). Returns the pending row (its status changes as the task runs)."""
    from actions import get
    from actions.tasks import enqueue as enqueue_action

    version, alias_name = version_to_run(program, version, alias)
    clean_inputs = _clean_inputs(program, inputs)
    execution = Execution.objects.create(
        program_version=version,
        alias=alias_name,
        inputs=jsonable(clean_inputs),
        status=Execution.Status.PENDING,
        created_by=authenticated_or_none(user),
    )
    if enqueue:
        enqueue_action(get("program.execute"), execution.pk)
    return execution


def execution_run(*, execution_id: int) -> Execution | None:
    """Run a pending Execution (called by the worker); failures are recorded on the row.

    Safe to call again for the same id (a redelivered task): a finished execution is left alone
    (also one the reaper failed after its worker died). Returns the row, or ``None`` when it no
    longer exists.
    """
    now = timezone.now()
    claimed = Execution.objects.filter(
        pk=execution_id, status__in=[Execution.Status.PENDING, Execution.Status.RUNNING]
    ).update(status=Execution.Status.RUNNING, started_at=now, heartbeat_at=now)
    execution = (
        Execution.objects.select_related("program_version__program__signature")
        .filter(pk=execution_id)
        .first()
    )
    if execution is None or not claimed:
        return execution
    program = execution.program_version.program
    try:
        try:
            module = module_from_version(execution.program_version)
            clean_inputs = _clean_inputs(program, execution.inputs)
            lm = lm_for_program(program)
        except ValidationError as exc:
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            run = ModuleRun(None, [], 0.0, exc, f"Invalid program or inputs: {message}")
        else:
            with Heartbeat(Execution, execution.pk):
                run = run_module(module, lm, clean_inputs)
        return _record(execution, run)
    except BaseException as exc:
        _fail_on_error(execution, exc)
        raise


def execution_mark_lost(execution: Execution, message: str) -> str:
    """The reaper's verdict on a running execution whose process stopped beating: failed."""
    changed = Execution.objects.filter(pk=execution.pk, status=Execution.Status.RUNNING).update(
        status=Execution.Status.FAILED, error=message, finished_at=timezone.now()
    )
    return "failed" if changed else "skipped"
