"""Reads for signatures, programs, versions and executions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature

__all__ = [
    "execution_get",
    "execution_list",
    "execution_traces",
    "program_get",
    "program_list",
    "program_version_list",
    "signature_list",
]


def signature_list(*, user: Any) -> QuerySet[Signature]:
    return Signature.objects.visible_to(user).select_related("owner")


def program_list(*, user: Any) -> QuerySet[Program]:
    return Program.objects.visible_to(user).select_related("signature", "current_version", "owner")


def program_get(*, user: Any, pk: int) -> Program:
    """The program, if the user may see it (``Program.DoesNotExist`` otherwise)."""
    return program_list(user=user).get(pk=pk)


def program_version_list(*, program: Program) -> QuerySet[ProgramVersion]:
    return program.versions.select_related("parent", "created_by").order_by("-number")


def execution_list(
    *, user: Any, program: Program | None = None, status: str | None = None
) -> QuerySet[Execution]:
    """Executions of the programs the user may see, newest first."""
    programs = Program.objects.visible_to(user)
    executions = Execution.objects.filter(program_version__program__in=programs).select_related(
        "program_version__program"
    )
    if program is not None:
        executions = executions.filter(program_version__program=program)
    if status is not None:
        executions = executions.filter(status=status)
    return executions


def execution_get(*, user: Any, pk: int) -> Execution:
    """One execution with its LM call traces prefetched."""
    return execution_list(user=user).prefetch_related("lm_calls").get(pk=pk)


def execution_traces(*, execution: Execution) -> QuerySet[LMCallTrace]:
    return execution.lm_calls.order_by("position")
