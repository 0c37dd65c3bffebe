"""Reads for signatures, programs, versions and executions."""

from __future__ import annotations

from django.db.models import QuerySet

from core.users import Caller
from programs.endpoints import LMEndpoint, lm_endpoints
from programs.models import Execution, LMCallTrace, LMCredential, Program, ProgramVersion, Signature

__all__ = [
    "execution_get",
    "execution_list",
    "execution_traces",
    "lm_call_trace_list_for_user",
    "lm_credential_list",
    "lm_endpoints_for_user",
    "program_get",
    "program_list",
    "program_version_list",
    "program_version_list_for_user",
    "signature_list",
]


def signature_list(*, user: Caller | None) -> QuerySet[Signature]:
    return Signature.objects.visible_to(user).select_related("owner")


def program_list(*, user: Caller | None) -> QuerySet[Program]:
    return Program.objects.visible_to(user).select_related("signature", "current_version", "owner")


def program_get(*, user: Caller | None, pk: int) -> Program:
    """The program, if the user may see it (``Program.DoesNotExist`` otherwise)."""
    return program_list(user=user).get(pk=pk)


def program_version_list(*, program: Program) -> QuerySet[ProgramVersion]:
    return program.versions.select_related("parent", "created_by").order_by("-number")


def execution_list(
    *, user: Caller | None, program: Program | None = None, status: str | None = None
) -> QuerySet[Execution]:
    """Executions of the programs the user may see, newest first."""
    programs = Program.objects.visible_to(user)
    executions = Execution.objects.filter(program_version__program__in=programs).select_related(
        "program_version__program", "created_by"
    )
    if program is not None:
        executions = executions.filter(program_version__program=program)
    if status is not None:
        executions = executions.filter(status=status)
    return executions


def execution_get(*, user: Caller | None, pk: int) -> Execution:
    """One execution with its LM call traces prefetched."""
    return execution_list(user=user).prefetch_related("lm_calls").get(pk=pk)


def execution_traces(*, execution: Execution) -> QuerySet[LMCallTrace]:
    return execution.lm_calls.order_by("position")


def program_version_list_for_user(*, user: Caller | None) -> QuerySet[ProgramVersion]:
    """Versions of the programs the user may see."""
    return ProgramVersion.objects.filter(program__in=Program.objects.visible_to(user)).select_related(
        "program"
    )


def lm_call_trace_list_for_user(*, user: Caller | None) -> QuerySet[LMCallTrace]:
    """LM call traces of the executions the user may see (those of the programs they may see)."""
    return LMCallTrace.objects.filter(
        execution__program_version__program__in=Program.objects.visible_to(user)
    ).select_related("execution")


def lm_credential_list(*, user: Caller | None) -> QuerySet[LMCredential]:
    """The user's stored LM credentials (staff: everyone's; only labels and fingerprints are
    ever shown)."""
    return LMCredential.objects.visible_to(user).select_related("owner")


def lm_endpoints_for_user(*, user: Caller | None) -> list[LMEndpoint]:
    """The endpoints ``user``'s programs can use: those with a shared key (or needing none) and
    those that take the users' own keys. Staff: every endpoint."""
    endpoints = list(lm_endpoints().values())
    if getattr(user, "is_staff", False):
        return endpoints
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [e for e in endpoints if e.shared_key or e.key_env is None or e.user_credentials]
