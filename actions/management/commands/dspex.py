"""``manage.py dspex``: every declared action from the command line.

    manage.py dspex list
    manage.py dspex run program.execute qa --arg question="What is 2+2?"
    manage.py dspex run program.optimize 3 --arg dataset_version=7 --user alice --background
    manage.py dspex run program.optimize qa --arg dataset_version=7 --here   # progress bar
    manage.py dspex run evaluation.start --arg program=3 --arg dataset=2 --here
    manage.py dspex run dataset.import capitals --arg file=more.jsonl --arg split=dev

The row is its id or its name. Values of ``--arg key=value`` are read as JSON when they parse as
JSON (``3``, ``true``, ``{"a": 1}``) and as text otherwise. Without ``--user`` the command runs as
the operator, like ``manage.py shell`` (no owner check); with it, the user's policy and rows apply.
``--here`` does a background action's work in this process with a progress bar (Ctrl-C cancels
it when the row has a ``cancel`` action); ``--background`` queues it for a worker.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model
from rest_framework import serializers

from actions.admin import progress_of
from actions.declaration import Action, RunMode
from actions.fields import as_upload
from actions.invoke import (
    ActionRefused,
    failure_for,
    find_target,
    invoke,
    require_user,
    run_here,
    validate_arguments,
)
from actions.registry import ActionNotFound, all_actions, get, model_of
from core.terminal_progress import Progress
from core.users import Caller


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _pairs(items: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--arg {item!r}: expected key=value")
        values[key] = _value(text)
    return values


def _arguments(action: Any, given: dict[str, Any]) -> dict[str, Any]:
    """``--arg`` values as the action's arguments, the way REST reads them: keys that are not
    arguments of an action whose body is one argument (``program.execute``'s inputs) go into it;
    a file argument takes a path."""
    fields = action.arguments().fields if action.arguments is not None else {}
    data: dict[str, Any] = {}
    body: dict[str, Any] = {}
    for key, value in given.items():
        if key in fields:
            data[key] = value
        elif action.rest_body is not None:
            body[key] = value
        else:
            known = ", ".join(fields) or "none"
            raise CommandError(f"{action.key} has no argument {key!r} (its arguments: {known})")
    if body:
        data[action.rest_body] = {**(data.get(action.rest_body) or {}), **body}
    for name, field in fields.items():
        if isinstance(field, serializers.FileField) and isinstance(data.get(name), str):
            try:
                data[name] = as_upload(data[name])
            except serializers.ValidationError as exc:
                raise CommandError(f"--arg {name}: {'; '.join(map(str, exc.detail))}") from None
    return data


def _row_id(action: Action, user: Caller | None, given: str) -> int:
    """The id of the row ``given`` names: its id, or its name (a clear error when several rows,
    among those ``user`` may reach, have that name)."""
    if given.isdigit():
        return int(given)
    model = model_of(action.resource)
    if not any(f.name == "name" for f in model._meta.get_fields()):
        raise CommandError(f"{action.resource} rows are named by their id, not {given!r}")
    rows = model._default_manager.all() if user is None else action.policy.scope(model, user)
    found = list(rows.filter(name=given).values_list("pk", flat=True)[:10])
    if not found:
        raise CommandError(f"no {model._meta.verbose_name} named {given!r} was found")
    if len(found) > 1:
        ids = ", ".join(map(str, found))
        raise CommandError(
            f"{len(found)} {model._meta.verbose_name}s are named {given!r} (ids {ids}): give the id"
        )
    return int(found[0])


class Command(BaseCommand):
    help = "List or run the declared actions of the resources (the same ones REST and GraphQL offer)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("list", help="Every action: key, run modes, policy, summary")
        run = sub.add_parser("run", help="Run one action")
        run.add_argument("action", help="resource.action, e.g. program.execute")
        run.add_argument("id", nargs="?", help="The row to act on, by id or name (actions on one row)")
        run.add_argument(
            "--arg", action="append", default=[], metavar="KEY=VALUE", help="An argument (repeatable)"
        )
        run.add_argument("--user", help="Run as this username (its policy and rows apply)")
        run.add_argument("--background", action="store_true", help="Run in the background mode")
        run.add_argument(
            "--here",
            action="store_true",
            help="Do a background action's work in this process, with a progress bar",
        )
        run.add_argument("--idempotency-key", help="With --background: the same key returns the same run")
        run.add_argument(
            "--wait", action="store_true", help="With --background: follow the run until it ends"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "list":
            for action in all_actions():
                modes = ",".join(m.value for m in action.modes)
                self.stdout.write(f"{action.key:32} {modes:26} {action.policy!r:14} {action.summary}")
            return
        self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        try:
            action = get(options["action"])
        except ActionNotFound as exc:
            raise CommandError(str(exc)) from None
        user = None
        if options["user"]:
            user = get_user_model()._default_manager.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        target = None
        try:
            if user is not None:
                require_user(action, user)
            if action.detail:
                if options["id"] is None:
                    raise CommandError(f"{action.key} acts on one row: give its id or name")
                pk = _row_id(action, user, options["id"])
                if user is not None:
                    target = find_target(action, user, pk)
                else:
                    target = model_of(action.resource)._default_manager.filter(pk=pk).first()
                    if target is None:
                        raise CommandError(f"{action.resource} {options['id']} does not exist")
        except ActionRefused as exc:
            raise CommandError(exc.message) from None
        if options["here"] and action.background is None:
            raise CommandError(f"{action.key} has no background work: run it without --here")
        mode = RunMode.BACKGROUND if options["background"] or options["here"] else action.modes[0]
        try:
            data = _arguments(action, _pairs(options["arg"]))
            arguments = validate_arguments(action, data, user=user, target=target, operator=user is None)
            if options["here"]:
                self._here(action, user, target, arguments)
                return
            result = invoke(
                action, user=user, target=target, arguments=arguments, mode=mode,
                idempotency_key=options["idempotency_key"],
            )  # fmt: skip
        except serializers.ValidationError as exc:
            raise CommandError(f"bad arguments: {json.dumps(exc.detail, default=str)}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except Exception as exc:
            failure = failure_for(action, exc)
            if failure is None:
                raise
            raise CommandError(f"{failure.code}: {failure.message(exc)}") from None
        if mode is RunMode.BACKGROUND:
            self._follow(action, result, wait=options["wait"])
            return
        if mode is RunMode.STREAM:
            for kind, data in result:
                self.stdout.write(f"{kind}: {json.dumps(data, default=str)}")
            return
        outcome = action.result
        if outcome.http_response is not None or outcome.rest_render is not None:
            shown = action.shell.result(result) if action.shell.result else result
            self.stdout.write(shown if isinstance(shown, str) else str(getattr(shown, "counts", shown)))
        elif outcome.serializer is not None:
            self.stdout.write(
                json.dumps(outcome.serializer(result).data, indent=2, default=str, ensure_ascii=False)
            )
        else:
            self.stdout.write(str(result))

    def _here(
        self, action: Action, user: Caller | None, target: Model | None, arguments: dict[str, Any]
    ) -> None:
        background = action.background
        assert background is not None  # checked by the caller
        status_model = model_of(background.status_model)
        label = str(status_model._meta.verbose_name)
        bar = Progress(0, stream=self.stderr, label=label)
        begun: list[Any] = []
        try:
            with bar:
                row: Any = run_here(
                    action,
                    user=user,
                    target=target,
                    arguments=arguments,
                    report=bar.report,
                    started=begun.append,
                )
        except KeyboardInterrupt:
            raise CommandError(self._cancel(begun[0] if begun else None, label, user)) from None
        progress = progress_of(action, row)
        shown = f" ({progress['done']}/{progress['total']})" if progress else ""
        self.stdout.write(f"{label} {row.pk}: {row.status}{shown}")
        if row.status == "failed":
            raise CommandError(f"{label} {row.pk} failed: {getattr(row, 'error', '')}")

    def _cancel(self, row: Model | None, label: str, user: Caller | None) -> str:
        """Ctrl-C during ``--here``: cancel the run it started, when its row declares ``cancel``."""
        if row is None:
            return "interrupted before the run started"
        try:
            cancel = get(f"{type(row).__name__.lower()}.cancel")
        except ActionNotFound:
            return f"interrupted; {label} {row.pk} is left as it is"
        row.refresh_from_db()
        try:
            invoke(cancel, user=user, target=row)
        except Exception as exc:  # it may have finished meanwhile
            return f"interrupted; {label} {row.pk} could not be cancelled: {exc}"
        return f"cancelled {label} {row.pk} (what it recorded is kept)"

    def _follow(self, action: Any, row: Any, *, wait: bool) -> None:
        terminal = {"succeeded", "failed", "cancelled"}
        while True:
            row.refresh_from_db()
            progress = progress_of(action, row)
            shown = f" {progress['done']}/{progress['total']}" if progress else ""
            self.stdout.write(f"{row._meta.verbose_name} {row.pk}: {row.status}{shown}")
            if not wait or row.status in terminal:
                break
            time.sleep(1.0)
        if row.status == "failed":
            raise CommandError(f"{row._meta.verbose_name} {row.pk} failed: {getattr(row, 'error', '')}")
