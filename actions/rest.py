"""The REST surface: one DRF route per declared action, with its OpenAPI description.

``attach_actions(ViewSet, "programs.Program")`` adds ``POST /api/programs/{id}/<action>/`` (``GET``
for ``safe`` actions, arguments in the query string) to a resource's viewset before the router
builds its URLs; a collection action with ``rest_path=""`` is the collection's own ``POST``.
Arguments come from the JSON body (or one argument is the whole body: ``rest_body``); bad ones
are a 400 keyed by field. With several run modes, ``?async=true`` runs in the background (202 and
a ``Location``) and ``?stream=true`` answers with server-sent events.
A background run takes an ``Idempotency-Key`` header.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from actions.declaration import Action, RunMode
from actions.fields import VersionField, VisibleRowField
from actions.invoke import ActionRefused, failure_for, find_target, invoke, require_user, validate_arguments
from actions.registry import for_resource
from core.parsers import SafeJSONParser
from core.permissions import SettingsScopedRateThrottle

__all__ = ["ModeQuerySerializer", "ServerSentEvents", "attach_actions", "rest_method_name"]

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")
THROTTLED = OpenApiResponse(OpenApiTypes.OBJECT, description="Throttled; see Retry-After")
MAX_IDEMPOTENCY_KEY = 200


class ServerSentEvents:
    """``(event, data)`` pairs as ``text/event-stream`` frames (data as one JSON line); a ``ping``
    is a comment line, which clients ignore and which lets the server notice a client that went
    away. Django calls :meth:`close` when the response ends, also after a client disconnected:
    closing the events then cancels the run."""

    def __init__(self, events: Any) -> None:
        self.events = events

    def __iter__(self) -> Any:
        for kind, data in self.events:
            if kind == "ping":
                yield ": ping\n\n"
                continue
            yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"

    def close(self) -> None:
        close = getattr(self.events, "close", None)
        if close is not None:
            close()


class ModeQuerySerializer(serializers.Serializer):
    """``?stream=true`` / ``?async=true`` of an action with several run modes (never both)."""

    stream = serializers.BooleanField(default=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["async"] = serializers.BooleanField(default=False)  # a keyword: no class attribute
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("stream") and attrs.get("async"):
            raise serializers.ValidationError({"stream": "stream=true and async=true exclude each other"})
        return attrs


def rest_method_name(action: Action) -> str:
    """The viewset attribute holding the route (``import`` is a keyword: ``import_``)."""
    return f"{action.name}_" if action.name in ("import", "export", "copy") else action.name


def _refused(exc: ActionRefused) -> exceptions.APIException:
    if exc.kind == "unauthenticated":
        return exceptions.NotAuthenticated(exc.message)
    if exc.kind == "forbidden":
        return exceptions.PermissionDenied(exc.message)
    if exc.kind == "throttled":
        return exceptions.Throttled(wait=exc.wait, detail=exc.message)
    return exceptions.NotFound(exc.message)


def _mode(action: Action, request: Request) -> RunMode:
    modes = action.modes
    if len(modes) == 1:
        return modes[0]
    query = ModeQuerySerializer(
        data={k: request.query_params[k] for k in ("async", "stream") if k in request.query_params}
    )
    query.is_valid(raise_exception=True)
    if query.validated_data["stream"]:
        if RunMode.STREAM not in modes:
            raise serializers.ValidationError({"stream": [f"{action.key} does not stream"]})
        return RunMode.STREAM
    if query.validated_data["async"]:
        if RunMode.BACKGROUND not in modes:
            raise serializers.ValidationError({"async": [f"{action.key} does not run in the background"]})
        return RunMode.BACKGROUND
    return RunMode.INLINE if RunMode.INLINE in modes else modes[0]


def _argument_names(action: Action) -> set[str]:
    return set(action.arguments().fields) if action.arguments is not None else set()


def _arguments_data(action: Action, request: Request) -> dict[str, Any]:
    skip = {"async", "stream", "format", "page", "page_size"} - _argument_names(action)
    query = {k: v for k, v in request.query_params.items() if k not in skip}
    if action.safe:
        return query
    if action.rest_body is not None:
        return {**query, action.rest_body: request.data}
    body = request.data
    if body is None or body == {} or body == "":
        return query
    if not isinstance(body, Mapping):  # a JSON object or a form (QueryDict is a dict)
        raise serializers.ValidationError(
            {"non_field_errors": ["the body must be a JSON object of the action's arguments"]}
        )
    return {**query, **{key: body[key] for key in body}}


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise serializers.ValidationError(
            {"Idempotency-Key": [f"an idempotency key is 1 to {MAX_IDEMPOTENCY_KEY} printable characters"]}
        )
    return key


def _unwrap_body_errors(action: Action, exc: serializers.ValidationError) -> serializers.ValidationError:
    """Errors of the argument that is the whole body are keyed like the body's own fields."""
    detail = exc.detail
    if not action.rest_body or not isinstance(detail, dict) or action.rest_body not in detail:
        return exc
    inner = detail.pop(action.rest_body)
    if isinstance(inner, dict):
        return serializers.ValidationError({**dict(inner), **detail})
    return serializers.ValidationError({"non_field_errors": inner, **detail})


def _render(view: Any, serializer: Any, value: Any, status: int, location: Any, request: Request) -> Response:
    serializer = serializer or view.serializer_class
    data = serializer(value, context=view.get_serializer_context()).data
    headers = {}
    if callable(location):  # (url name, kwargs) from the result
        name, kwargs = location(value)
        headers["Location"] = reverse(name, kwargs=kwargs, request=request)
    elif location and getattr(value, "pk", None) is not None:
        headers["Location"] = reverse(location, args=[value.pk], request=request)
    return Response(data, status=status, headers=headers)


def _build(action: Action) -> Any:
    def view(self: Any, request: Request, pk: str | None = None, **kwargs: Any) -> Any:
        try:
            require_user(action, request.user)
            target = find_target(action, request.user, pk) if action.detail else None
        except ActionRefused as exc:
            raise _refused(exc) from None
        mode = _mode(action, request)
        try:
            data = _arguments_data(action, request)
            data.update({name: kwargs[name] for name in action.rest_path_arguments if name in kwargs})
            arguments = validate_arguments(action, data, user=request.user, target=target, request=request)
        except serializers.ValidationError as exc:
            raise _unwrap_body_errors(action, exc) from None
        key = _idempotency_key(request) if mode is RunMode.BACKGROUND else None
        try:
            result = invoke(
                action, user=request.user, target=target, arguments=arguments, mode=mode, idempotency_key=key
            )
        except Exception as exc:
            failure = failure_for(action, exc)
            if failure is None:
                raise
            body = (
                failure.rest_body(exc)
                if failure.rest_body
                else {"detail": failure.message(exc), "code": failure.code}
            )
            if failure.rest_serializer is not None:
                body = failure.rest_serializer(body).data
            return Response(body, status=failure.status)
        if mode is RunMode.STREAM:
            response = StreamingHttpResponse(ServerSentEvents(result), content_type="text/event-stream")
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
            return response
        if mode is RunMode.BACKGROUND:
            background = action.background
            assert background is not None
            return _render(
                self, background.serializer, result, background.status, background.location, request
            )
        outcome = action.result
        if outcome.http_response is not None:
            return outcome.http_response(result)
        if outcome.rest_render is not None:
            return outcome.rest_render(self, request, result)
        return _render(self, outcome.serializer, result, outcome.status, outcome.location, request)

    view.__name__ = rest_method_name(action)
    view.__doc__ = action.summary
    return view


def _responses(action: Action) -> dict[Any, Any]:
    responses: dict[Any, Any] = {400: ERROR}
    if action.service is not None:
        responses[action.result.status] = action.result.serializer or None
    if action.background is not None:
        responses[action.background.status] = action.background.serializer or None
    if action.detail:
        responses[404] = NOT_FOUND
    if action.throttle_scope:
        responses[429] = THROTTLED
    for failure in action.failures:
        described = OpenApiResponse(
            OpenApiTypes.OBJECT, description=(failure.exception.__doc__ or failure.code).strip()
        )
        if failure.rest_serializer is not None:  # its own body shape: that is what the status says
            responses[failure.status] = failure.rest_serializer
        else:
            responses.setdefault(failure.status, described)
    responses.update(action.rest_responses)
    return responses


def _body_serializer(action: Action) -> Any:
    """The arguments as the request body documents them: without those the path carries."""
    arguments = action.arguments
    if arguments is None or not action.rest_path_arguments:
        return arguments
    declared = arguments._declared_fields
    fields = {k: copy.deepcopy(v) for k, v in declared.items() if k not in action.rest_path_arguments}
    name = arguments.__name__.removesuffix("Arguments").removesuffix("Serializer") + "Body"
    return type(name, (serializers.Serializer,), {**fields, "__doc__": arguments.__doc__})


def _schema(action: Action) -> Any:
    responses = dict(action.result.openapi) if action.result.openapi is not None else _responses(action)
    parameters: list[Any] = []
    if len(action.modes) > 1:
        if RunMode.BACKGROUND in action.modes:
            parameters.append(
                OpenApiParameter("async", OpenApiTypes.BOOL, description="Queue the run; answer 202")
            )
        if RunMode.STREAM in action.modes:
            parameters.append(
                OpenApiParameter("stream", OpenApiTypes.BOOL, description="Answer with server-sent events")
            )
    if action.background is not None:
        parameters.append(
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Send the same key again to get the same run back instead of a second one",
            )
        )
    if action.result.paginated:
        parameters.append(OpenApiParameter("page", OpenApiTypes.INT))
        parameters.append(OpenApiParameter("page_size", OpenApiTypes.INT))
    for name in action.rest_path_arguments:
        assert action.arguments is not None
        field = action.arguments().fields[name]
        parameters.append(
            OpenApiParameter(
                name, OpenApiTypes.STR, OpenApiParameter.PATH, description=str(field.help_text or "")
            )
        )
    request: Any = _body_serializer(action)
    if action.safe:
        if action.arguments is not None:
            parameters.append(action.arguments)
        request = None
    elif action.rest_body is not None:
        request = {"application/json": OpenApiTypes.OBJECT}
        if action.arguments is not None:
            parameters.extend(_query_parameters(action))
    examples = []
    if action.rest_example is not None:
        examples.append(OpenApiExample("Example", value=action.rest_example, request_only=True))
    return extend_schema(
        summary=action.summary,
        description=action.description,
        request=request,
        parameters=parameters,
        responses={key: responses[key] for key in sorted(responses, key=str)},
        examples=examples,
    )


def _query_parameters(action: Action) -> list[OpenApiParameter]:
    """The arguments other than the body one, as query parameters."""
    assert action.arguments is not None
    items = []
    for name, field in action.arguments().fields.items():
        if name == action.rest_body:
            continue
        numeric = serializers.IntegerField | VersionField | VisibleRowField
        kind = OpenApiTypes.INT if isinstance(field, numeric) else OpenApiTypes.STR
        if isinstance(field, serializers.BooleanField):
            kind = OpenApiTypes.BOOL
        items.append(OpenApiParameter(name, kind, description=str(field.help_text or "")))
    return items


PATH_ARGUMENT = "[-a-zA-Z0-9_]+"  # a path parameter's value: a slug (names, numbers)


def _url_path(action: Action) -> str:
    """The route's ``url_path``: ``rest_path`` with each ``{name}`` as a named group."""
    path = action.rest_path or action.name
    names = set(_argument_names(action))
    for name in action.rest_path_arguments:
        if name not in names:
            raise TypeError(f"action {action.key}: rest_path names {{{name}}}, which is not an argument")
        path = path.replace(f"{{{name}}}", f"(?P<{name}>{PATH_ARGUMENT})")
    return path


def attach_actions(viewset: type, resource: str) -> None:
    """Add a route for each action declared on ``resource`` to ``viewset`` (idempotent)."""
    for action in for_resource(resource):
        if action.rest_path == "" and not action.detail:
            _attach_as_create(viewset, action)
            continue
        name = rest_method_name(action)
        if getattr(getattr(viewset, name, None), "_dspex_action", None) == action.key:
            continue
        route_options: dict[str, Any] = {
            "detail": action.detail,
            "methods": ["get"] if action.safe else ["post"],
            "url_path": _url_path(action),
            "url_name": action.name,
        }
        if not action.safe:
            route_options["parser_classes"] = [SafeJSONParser]
        route_options.update(action.rest_options)
        if action.throttle_scope:
            route_options["throttle_classes"] = [SettingsScopedRateThrottle]
            route_options["throttle_scope"] = action.throttle_scope
        view = _schema(action)(drf_action(**route_options)(_build(action)))
        view._dspex_action = action.key
        setattr(viewset, name, view)


def _attach_as_create(viewset: type, action: Action) -> None:
    """The collection's own ``POST`` (``create``) runs ``action``: ``POST /api/evaluations/``."""
    if getattr(getattr(viewset, "create", None), "_dspex_action", None) == action.key:
        return
    if action.safe or action.rest_options or action.throttle_scope:
        raise TypeError(
            f"action {action.key}: the collection's POST takes no route options, throttle scope "
            "or safe mode (declare a route of its own instead)"
        )
    view = _schema(action)(_build(action))
    view.__name__ = "create"
    view._dspex_action = action.key
    viewset.create = view  # type: ignore[attr-defined]
