"""Program aliases: named pointers to versions, moved with a record and rolled back.

``production``, ``staging`` or any slug names one version of a program. Executions that name an
alias run the version it points to (and record the alias); an execution that names neither a
version nor an alias runs the ``production`` alias when the program has one, else the current
version. Every create, move and rollback is an :class:`~programs.models.AliasMove` (who, when,
from, to, why). A rollback undoes the latest move not undone yet, so rolling back twice after
two moves returns to where the alias began.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.ownership import authenticated_or_none
from core.users import Caller
from programs.models import AliasMove, Program, ProgramAlias, ProgramVersion

__all__ = [
    "DEFAULT_ALIAS",
    "alias_create",
    "alias_get",
    "alias_move",
    "alias_rollback",
    "rollback_target",
    "version_to_run",
]

DEFAULT_ALIAS = "production"  # what an execution runs when it names neither version nor alias


def _check_version(program: Program, version: ProgramVersion) -> None:
    if version.program_id != program.pk:
        raise ValidationError({"version": [f"{version} is not a version of program {program.name!r}"]})


def alias_get(*, program: Program, name: str) -> ProgramAlias:
    """The alias ``name`` of ``program``; a ``ValidationError`` on ``alias`` when it has none."""
    found = ProgramAlias.objects.select_related("version").filter(program=program, name=name).first()
    if found is None:
        names = sorted(ProgramAlias.objects.filter(program=program).values_list("name", flat=True))
        known = f" (it has: {', '.join(names)})" if names else " (it has none yet)"
        raise ValidationError({"alias": [f"program {program.name!r} has no alias {name!r}{known}"]})
    return found


def alias_create(
    *, program: Program, name: str, version: ProgramVersion, user: Caller | None = None, reason: str = ""
) -> ProgramAlias:
    """Point a new alias ``name`` of ``program`` at ``version`` (recorded as its first move)."""
    _check_version(program, version)
    try:
        with transaction.atomic():
            alias = ProgramAlias.objects.create(program=program, name=name, version=version)
            AliasMove.objects.create(
                alias=alias,
                kind=AliasMove.Kind.CREATE,
                to_version=version,
                reason=reason,
                moved_by=authenticated_or_none(user),
            )
    except IntegrityError:
        raise ValidationError(
            {"name": [f"program {program.name!r} already has an alias {name!r}: move it instead"]}
        ) from None
    return alias


def _move(
    alias: ProgramAlias, version: ProgramVersion, kind: str, user: Caller | None, reason: str
) -> ProgramAlias:
    locked = ProgramAlias.objects.select_for_update().select_related("version").get(pk=alias.pk)
    previous = locked.version
    locked.version = version
    locked.save(update_fields=["version", "updated_at"])
    AliasMove.objects.create(
        alias=locked,
        kind=kind,
        from_version=previous,
        to_version=version,
        reason=reason,
        moved_by=authenticated_or_none(user),
    )
    return locked


def alias_move(
    *, alias: ProgramAlias, version: ProgramVersion, user: Caller | None = None, reason: str = ""
) -> ProgramAlias:
    """Point ``alias`` at ``version`` of its program, recording the move."""
    _check_version(alias.program, version)
    with transaction.atomic():
        return _move(alias, version, AliasMove.Kind.MOVE, user, reason)


def rollback_target(alias: ProgramAlias) -> ProgramVersion | None:
    """The version a rollback returns ``alias`` to: where it was before its latest move that no
    rollback has undone (``None``: nothing left to undo)."""
    undone = 0
    for move in alias.moves.select_related("from_version").order_by("-moved_at", "-id"):
        if move.kind == AliasMove.Kind.ROLLBACK:
            undone += 1
        elif undone:
            undone -= 1
        else:
            return move.from_version  # None for the create: the alias began there
    return None


def alias_rollback(*, alias: ProgramAlias, user: Caller | None = None, reason: str = "") -> ProgramAlias:
    """Move ``alias`` back to where it was before its latest move not undone yet."""
    with transaction.atomic():
        locked = ProgramAlias.objects.select_for_update().get(pk=alias.pk)
        target = rollback_target(locked)
        if target is None:
            raise ValidationError(
                {"alias": [f"alias {alias.name!r} has no move left to roll back (it is where it began)"]}
            )
        return _move(locked, target, AliasMove.Kind.ROLLBACK, user, reason)


def version_to_run(
    program: Program, version: ProgramVersion | None = None, alias: ProgramAlias | None = None
) -> tuple[ProgramVersion, str]:
    """The version an execution runs and the alias that chose it (``""`` when none did):
    ``version`` if given, else ``alias``'s version, else the ``production`` alias's, else the
    current version. A ``ValidationError`` when the program has nothing to run."""
    if version is not None and alias is not None:
        raise ValidationError({"alias": ["give a version or an alias, not both"]})
    if version is not None:
        _check_version(program, version)
        return version, ""
    if alias is None:
        default = ProgramAlias.objects.select_related("version").filter(program=program, name=DEFAULT_ALIAS)
        alias = default.first()
    if alias is not None:
        if alias.program_id != program.pk:
            raise ValidationError({"alias": [f"{alias} is not an alias of program {program.name!r}"]})
        return alias.version, alias.name
    if program.current_version is None:
        raise ValidationError(f"program {program.name!r} has no version to run", code="no_version")
    return program.current_version, ""
