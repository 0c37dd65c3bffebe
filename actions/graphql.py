"""The GraphQL surface: one mutation per declared action and run mode (Saleor-style payloads).

``executeProgram`` runs inline; an action with both an inline and a background mode also gets
``<name>Async``. Arguments come from the action's serializer (a row argument is a relay ``ID``);
the target of a detail action is the ``id`` argument. Refusals are payload errors too: an
anonymous user gets a top-level ``UNAUTHENTICATED`` error (it concerns the whole operation), a row
that is not yours is ``NOT_FOUND`` on ``id``, bad arguments name their camelCase field.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Model
from graphene.utils.str_converters import to_camel_case
from graphene_django.registry import get_global_registry
from graphql import GraphQLResolveInfo
from rest_framework import serializers

from actions.declaration import Action, RunMode
from actions.fields import TextUpload, VersionField, VisibleRowField
from actions.invoke import ActionRefused, failure_for, find_target, invoke, require_user, validate_arguments
from actions.registry import all_actions, model_of
from core.graphql.filters import decode_node_id
from core.graphql.mutations import BaseMutation, PayloadErrors, validation_errors
from core.graphql.permissions import IsAuthenticated, IsStaff
from core.graphql.scalars import JSON
from core.graphql.throttling import throttle_wait
from core.parsers import max_upload_bytes
from core.users import Caller

__all__ = ["action_mutations", "mutation_name"]


def _type_for(label: str) -> Any:
    node = get_global_registry().get_type_for_model(model_of(label))
    if node is None:
        raise LookupError(f"no GraphQL type is registered for {label}")
    return node


def mutation_name(action: Action, mode: RunMode) -> str:
    """``executeProgram``, ``executeProgramAsync`` (background beside inline), ``cancelExperiment``."""
    resource = action.resource.rsplit(".", 1)[-1]
    base = action.graphql_name or to_camel_case(f"{action.name}_{resource[0].lower()}{resource[1:]}")
    base = base[0].lower() + base[1:]
    if mode is RunMode.BACKGROUND and action.service is not None:
        return base + "Async"
    return base


def _argument(field: serializers.Field, description: str | None = None, type_: Any = None) -> Any:
    help_text = description or (str(field.help_text) if field.help_text else None)
    options: dict[str, Any] = {"description": help_text}
    if field.required:
        options["required"] = True
    elif field.default is not serializers.empty and not callable(field.default) and type_ is None:
        options["default_value"] = field.default
    if type_ is not None:
        return type_(**options)
    if isinstance(field, VisibleRowField | VersionField):
        return graphene.ID(**options)
    if isinstance(field, serializers.BooleanField):
        return graphene.Boolean(**options)
    if isinstance(field, serializers.IntegerField):
        return graphene.Int(**options)
    if isinstance(field, serializers.FloatField):
        return graphene.Float(**options)
    if isinstance(field, serializers.DecimalField):
        return graphene.Decimal(**options)
    if isinstance(field, serializers.JSONField | serializers.DictField | serializers.ListField):
        return JSON(**options)
    return graphene.String(**options)


FILE_NAME = "file_name"  # beside a file argument on GraphQL: the name its text came from


def _file_argument(action: Action) -> str | None:
    """The action's file argument, if any (on GraphQL: its text, and a ``file_name``)."""
    if action.arguments is None:
        return None
    names = [n for n, f in action.arguments().fields.items() if isinstance(f, serializers.FileField)]
    if len(names) > 1:
        raise TypeError(f"action {action.key}: GraphQL takes at most one file argument")
    return names[0] if names else None


def _arguments(action: Action) -> dict[str, Any]:
    shape = action.graphql_shape
    arguments: dict[str, Any] = {}
    if action.detail:
        arguments[action.target_field] = graphene.ID(
            required=True,
            description=shape.descriptions.get(action.target_field)
            or f"The {action.resource.rsplit('.', 1)[-1]} to act on",
        )
    if action.arguments is not None:
        for name, field in action.arguments().fields.items():
            if field.read_only:
                continue
            shown = shape.name_of(name)
            arguments[shown] = _argument(field, shape.descriptions.get(name), shape.types.get(name))
            if isinstance(field, serializers.FileField):
                arguments[shown] = graphene.String(
                    required=bool(field.required),
                    description=shape.descriptions.get(name)
                    or f"The file's text. {field.help_text or ''}".strip(),
                )
                arguments[FILE_NAME] = graphene.String(
                    description=shape.descriptions.get(FILE_NAME) or "The file's name (default: none)"
                )
    if shape.input is None:
        return arguments
    input_type = type(shape.input, (graphene.InputObjectType,), arguments)
    return {"input": input_type(required=True)}


def _from_graphql(action: Action, values: dict[str, Any]) -> dict[str, Any]:
    """GraphQL values as the argument serializer takes them: names as declared, enum members as
    their values, a file's text as an upload (refused, naming the field, when it is too large)."""
    shape = action.graphql_shape
    file_argument = _file_argument(action)
    file_name = values.pop(FILE_NAME, None) if file_argument else None
    arguments: dict[str, Any] = {}
    for shown, value in values.items():
        name = shape.argument_of(shown)
        if isinstance(value, enum.Enum):
            value = value.value
        if name == file_argument and value is not None:
            value = _upload(value, file_name, field=to_camel_case(shown))
        arguments[name] = value
    return arguments


def _upload(text: str, file_name: str | None, *, field: str) -> TextUpload:
    content = text.encode("utf-8", "surrogatepass")
    limit = max_upload_bytes()
    if len(content) > limit:
        raise PayloadErrors(
            [
                {
                    "field": field,
                    "message": f"the file is {len(content)} bytes; the most accepted is {limit} bytes "
                    "(DSPEX_MAX_UPLOAD_BYTES)",
                    "code": "TOO_LARGE",
                }
            ]
        )
    return TextUpload(content, file_name)


def _decode_version(field: VersionField, name: str, raw: Any, target: Model | None) -> Any:
    """A version argument: its number as it is, a relay ID -> the version row of ``target``."""
    if isinstance(raw, int) or str(raw).isdigit():
        return raw
    pk = decode_node_id(str(raw), _type_for(field.model_label)._meta.name)
    version = None
    if pk is not None and field.of is not None:  # whose version it is is checked with the other argument
        version = field.model._default_manager.filter(pk=pk).first()
    elif pk is not None and target is not None:
        version = field.model._default_manager.filter(pk=pk, **{f"{field.target_key}_id": target.pk}).first()
    if version is None:
        kind = target._meta.verbose_name if target is not None else "row"
        raise ValidationError(
            {name: ValidationError(f"{raw!r} is not a version of this {kind}", code="invalid")}
        )
    return version


def _decode(action: Action, values: dict[str, Any], target: Model | None = None) -> dict[str, Any]:
    """Relay IDs of row arguments -> primary keys, of version arguments -> the version rows
    (errors name the argument)."""
    if action.arguments is None:
        return values
    decoded = dict(values)
    for name, field in action.arguments().fields.items():
        shown = action.graphql_shape.name_of(name)
        if isinstance(field, VersionField) and decoded.get(name) is not None:
            decoded[name] = _decode_version(field, shown, decoded[name], target)
            continue
        if isinstance(field, VisibleRowField) and decoded.get(name) is not None:
            type_name = _type_for(field.model_label)._meta.name
            pk = decode_node_id(str(decoded[name]), type_name)
            if pk is None:
                raise ValidationError(
                    {
                        shown: ValidationError(
                            f"{decoded[name]!r} is not the ID of a {type_name}", code="invalid"
                        )
                    }
                )
            decoded[name] = pk
    return decoded


def _flatten(detail: Any, path: str) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        return [
            e for key, value in detail.items() for e in _flatten(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(detail, list):
        return [e for item in detail for e in _flatten(item, path)]
    field = None if path in ("", "non_field_errors") else path
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": field, "message": str(detail), "code": str(code).upper()}]


def _renamed(action: Action, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors keyed by argument name, named as in the schema (keys inside JSON values stay as
    given)."""
    for error in errors:
        if error["field"]:
            head, _, rest = error["field"].partition(".")
            head = action.graphql_shape.name_of(head)
            error["field"] = to_camel_case(head) + (f".{rest}" if rest else "")
    return errors


def _argument_errors(action: Action, exc: serializers.ValidationError) -> list[dict[str, Any]]:
    return _renamed(action, _flatten(exc.detail, ""))


def _shape(action: Action, mode: RunMode) -> tuple[str, str, Mapping[str, tuple[Any, Any]], str | None]:
    """What the payload of ``mode`` holds: the result field's name, the result's model label, the
    extra fields computed from the result, and the result field's description."""
    if mode is RunMode.BACKGROUND:
        assert action.background is not None
        label = action.background.status_model
        description = "The run: query it by ID to follow it"
        return _result_field(label, None), label, action.background.graphql_fields, description
    outcome = action.result
    label = outcome.model or action.resource
    return _result_field(label, outcome.graphql_field), label, outcome.graphql_fields, None


def _payload_fields(action: Action, mode: RunMode) -> dict[str, Any]:
    name, label, extra, description = _shape(action, mode)
    fields: dict[str, Any] = {name: graphene.Field(_type_for(label), description=description)}
    fields.update({field: kind for field, (kind, _getter) in extra.items()})
    return fields


def _result_field(label: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    model = label.rsplit(".", 1)[-1]
    return "".join(("_" + c.lower()) if c.isupper() else c for c in model).lstrip("_")


def _payload(cls: Any, action: Action, mode: RunMode, result: Any, errors: list[Any]) -> Any:
    name, _label, extra, _description = _shape(action, mode)
    row = action.result.graphql_row
    values = {
        name: row(result) if row is not None and mode is RunMode.INLINE and result is not None else result
    }
    values.update(
        {field: getter(result) if result is not None else None for field, (_k, getter) in extra.items()}
    )
    return cls(**values, errors=errors)


def _build(action: Action, mode: RunMode) -> type[BaseMutation]:
    name = mutation_name(action, mode)
    permissions = (IsStaff,) if action.policy.name == "staff" else (IsAuthenticated,)

    def perform_mutation(
        cls: type[BaseMutation], /, info: GraphQLResolveInfo, user: Caller, **values: Any
    ) -> Any:
        if action.graphql_shape.input is not None:
            values = dict(values.pop("input"))
        try:
            require_user(action, user)
            if action.throttle_scope:
                wait = throttle_wait(info.context, action.throttle_scope)
                if wait is not None:
                    raise ActionRefused("throttled", f"Too many requests: try again in {math.ceil(wait)} s.")
            target = None
            if action.detail:
                raw = values.pop(action.target_field)
                pk = decode_node_id(str(raw), _type_for(action.resource)._meta.name)
                if pk is None:
                    raise ValidationError(
                        {
                            action.target_field: ValidationError(
                                f"{raw!r} is not the ID of a {_type_for(action.resource)._meta.name}",
                                code="invalid",
                            )
                        }
                    )
                target = find_target(action, user, pk)
        except ActionRefused as exc:
            field = exc.field if exc.kind == "not_found" else None
            raise PayloadErrors(
                [{"field": field, "message": exc.message, "code": exc.kind.upper()}]
            ) from None
        idempotency_key = values.pop("idempotency_key", None)
        try:
            arguments = validate_arguments(
                action,
                _decode(action, _from_graphql(action, values), target),
                user=user,
                target=target,
                request=info.context,
            )
        except serializers.ValidationError as exc:
            raise PayloadErrors(_argument_errors(action, exc)) from None
        try:
            result = invoke(
                action,
                user=user,
                target=target,
                arguments=arguments,
                mode=mode,
                idempotency_key=idempotency_key,
            )
        except Exception as exc:
            failure = failure_for(action, exc)
            if failure is None and isinstance(exc, ValidationError):
                # From the service: keyed by argument, shown by GraphQL name.
                raise PayloadErrors(_renamed(action, validation_errors(exc, camel_case=False))) from None
            if failure is None:
                raise
            errors = (
                failure.graphql_errors(exc)
                if failure.graphql_errors
                else [{"field": failure.field, "message": failure.message(exc), "code": failure.code.upper()}]
            )
            shown = failure.result(exc) if failure.result else None
            return _payload(cls, action, mode, shown, cls.build_errors(errors))
        return _payload(cls, action, mode, result, [])

    arguments = _arguments(action)
    if mode is RunMode.BACKGROUND:
        arguments["idempotency_key"] = graphene.String(
            description="Send the same key again to get the same run back instead of starting a second one"
        )
    description = action.graphql_description or action.description
    if mode is RunMode.BACKGROUND and action.background and action.background.graphql_description:
        description = action.background.graphql_description
    description = action.summary + (f". {description}" if description else "")
    if action.graphql_shape.error_type is not None:
        payload_errors: dict[str, Any] = {
            "errors": graphene.List(graphene.NonNull(action.graphql_shape.error_type), required=True),
            "error_type": action.graphql_shape.error_type,
        }
    else:
        payload_errors = {}
    attrs: dict[str, Any] = {
        **payload_errors,
        **_payload_fields(action, mode),
        "Arguments": type("Arguments", (), arguments),
        "Meta": type(
            "Meta",
            (),
            {
                "description": description.strip(),
                "permissions": permissions,
                "name": name[0].upper() + name[1:],
            },
        ),
        "perform_mutation": classmethod(perform_mutation),
        "__doc__": action.summary,
    }
    return type(name[0].upper() + name[1:], (BaseMutation,), attrs)


def action_mutations() -> type[graphene.ObjectType]:
    """An ObjectType with one mutation field per declared action and GraphQL-able mode."""
    fields: dict[str, Any] = {}
    for action in all_actions():
        if not action.on_graphql:
            continue
        for mode in action.modes:
            if mode is RunMode.STREAM:
                continue
            fields[mutation_name(action, mode)] = _build(action, mode).Field()
    return type("ActionMutations", (graphene.ObjectType,), fields)
