"""What an action is: one declaration per action, read by every surface.

An :class:`Action` names the resource it belongs to, its typed arguments (one DRF serializer: the
OpenAPI request body, the GraphQL arguments and the admin form all come from it), what its result
looks like, who may run it, how it runs (inline, as a background job with a status row, or as a
stream of events), its throttle scope and the service functions that do the work.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.http import HttpResponseBase
from rest_framework import serializers

from actions.policies import OWNER, Policy

__all__ = ["Action", "Background", "Failure", "GraphQLShape", "Outcome", "RunMode", "Shell"]


class RunMode(enum.StrEnum):
    """How an action runs when it is invoked."""

    INLINE = "inline"  # in the request; the answer is the result
    BACKGROUND = "background"  # a status row now, the work on a Celery worker
    STREAM = "stream"  # server-sent events while it runs (REST only)


@dataclass(frozen=True)
class Outcome:
    """How the result of an action is shown.

    ``serializer`` renders the result for REST (``None``: the resource's own output serializer);
    ``status`` is the REST status code of success; ``location`` a URL name reversed with the result's
    ``pk`` for a ``Location`` header; ``http_response`` turns the result into a file download.
    ``graphql_field`` names the payload field holding the result row (default: the result model's
    name in camelCase), and ``graphql_fields`` adds payload fields computed from the result
    (``name -> (graphene type, getter)``).
    """

    serializer: type[serializers.BaseSerializer] | None = None
    status: int = 200
    # A URL name reversed with the result's pk, or ``result -> (url name, kwargs)``.
    location: str | Callable[[Any], tuple[str, dict[str, Any]]] | None = None
    model: str | None = None  # "app_label.Model" of the result row (default: the resource)
    graphql_field: str | None = None
    graphql_fields: Mapping[str, tuple[Any, Callable[[Any], Any]]] = field(default_factory=dict)
    # The row the payload's result field shows when the result is not that row itself.
    graphql_row: Callable[[Any], Any] | None = None
    many: bool = False
    # A download: REST and the admin answer with this response built from the result (the
    # action then has no GraphQL mutation); ``openapi`` describes its media types.
    http_response: Callable[[Any], HttpResponseBase] | None = None
    openapi: Mapping[Any, Any] | None = None
    # A REST answer the serializer cannot give alone (e.g. paginated rows):
    # ``rest_render(view, request, result) -> Response``.
    rest_render: Callable[[Any, Any, Any], Any] | None = None
    paginated: bool = False  # the REST answer pages its rows (``page``, ``page_size``)


@dataclass(frozen=True)
class Failure:
    """An exception a service raises on purpose, and how every surface reports it.

    ``rest_body`` builds the REST body (default ``{"detail": message, "code": code}``);
    ``result`` picks a row from the exception that the GraphQL payload still shows (e.g. the
    recorded failed Execution).
    """

    exception: type[Exception]
    code: str
    status: int = 400
    field: str | None = None
    message: Callable[[Any], str] = str
    rest_body: Callable[[Any], dict[str, Any]] | None = None
    rest_serializer: type[serializers.BaseSerializer] | None = None
    result: Callable[[Any], Any] | None = None
    graphql_errors: Callable[[Any], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class Background:
    """The background run mode: ``start`` validates and creates the status row (in the request);
    the generic Celery task then calls ``run(row_id)`` on a worker. ``status_model`` is the row's
    model (``app_label.Model``); it has a ``status`` field (``core.runs.RunStatus`` values or
    alike) and, when ``progress`` is given, that function says how far it is as ``(done, total)``.
    ``graphql_fields`` adds payload fields computed from the row, as in :class:`Outcome`.
    """

    start: Callable[..., Model]
    run: Callable[[int], Any]
    status_model: str
    progress: Callable[[Any], tuple[int, int]] | None = None
    serializer: type[serializers.BaseSerializer] | None = None
    status: int = 202
    location: str | None = None
    graphql_fields: Mapping[str, tuple[Any, Callable[[Any], Any]]] = field(default_factory=dict)
    graphql_description: str | None = None  # the ``<name>Async`` mutation's (default: the action's)
    # The work done in the operator's own process (``manage.py dspex run --here``, the shell):
    # ``here(row_id, report)`` calls ``report(done, total)`` as it goes (default: ``run``, silent).
    here: Callable[[int, Callable[[int, int], None]], Any] | None = None


@dataclass(frozen=True)
class Shell:
    """How the action looks as a model method in ``manage.py shell``.

    ``arguments(target, *args, **kwargs)`` maps the method's own call style to the action's
    arguments (e.g. ``program.execute(question=...)`` -> ``{"inputs": {...}}``); ``result`` maps the
    service's result to what the method returns (e.g. the Execution -> a ``dspex.Prediction``).
    """

    arguments: Callable[..., dict[str, Any]] | None = None
    result: Callable[[Any], Any] | None = None
    name: str | None = None  # default: the action's name
    background_name: str | None = None  # a second method running the background mode
    background_result: Callable[[Any], Any] | None = None
    # ``method(..., background=True)`` runs the background mode instead (one method for both).
    background_flag: str | None = None
    # The shell is the operator's own process: it may do the work of a background-only action
    # right there (``evaluation.run()`` to the end), which no remote surface may.
    inline: Callable[..., Any] | None = None


@dataclass(frozen=True)
class GraphQLShape:
    """Where the GraphQL mutation's arguments differ in shape from the REST route's.

    ``input`` puts every argument (and the target of a detail action) in one input object of that
    type name (``importExamples(input: ImportExamplesInput!)``); ``names`` renames arguments
    (``{"split": "default_split"}``: snake_case, camelCased by graphene; errors use the GraphQL
    name); ``types`` gives an argument another graphene type, e.g. an enum (its members arrive as
    their values); ``descriptions`` replaces help texts written for REST. ``error_type`` is the
    type of the payload's ``errors`` items when they carry more than ``field``/``message``/``code``
    (a line number). A file argument is its text on GraphQL, with a ``file_name`` beside it.
    """

    input: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, Any] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    error_type: Any = None

    def name_of(self, argument: str) -> str:
        """The GraphQL (snake_case) name of ``argument``."""
        return self.names.get(argument, argument)

    def argument_of(self, name: str) -> str:
        """The argument a GraphQL (snake_case) name stands for."""
        for argument, renamed in self.names.items():
            if renamed == name:
                return argument
        return name


@dataclass(frozen=True)
class Action:
    """One action of one resource, declared once.

    ``resource`` is the model label (``"programs.Program"``). For an action on one row
    (``detail=True``) the service is called ``service(target=row, user=user, **arguments)``; a
    collection action gets no ``target``. ``arguments`` is a DRF serializer class (its
    ``validated_data`` are the keyword arguments); ``safe`` actions read only and are ``GET`` with
    query parameters.
    """

    resource: str
    name: str
    summary: str
    service: Callable[..., Any] | None = None
    arguments: type[serializers.Serializer] | None = None
    result: Outcome = field(default_factory=Outcome)
    description: str = ""
    policy: Policy = OWNER
    detail: bool = True
    safe: bool = False
    background: Background | None = None
    stream: Callable[..., Iterable[tuple[str, Any]]] | None = None
    throttle_scope: str | None = None
    failures: tuple[Failure, ...] = ()
    shell: Shell = field(default_factory=Shell)
    graphql: bool = True  # False: GraphQL has a hand-written mutation of another shape for it
    graphql_name: str | None = None
    graphql_description: str | None = None  # when the REST-minded description does not fit GraphQL
    graphql_shape: GraphQLShape = field(default_factory=GraphQLShape)
    # URL segment (default: the name); "" on a collection action: the collection's own POST.
    # ``{argument}`` parts are path parameters: ``"aliases/{name}/rollback"`` fills ``name``.
    rest_path: str | None = None
    rest_body: str | None = None  # this argument is the whole JSON body; the others are query parameters
    rest_example: Any = None  # an example request body for the OpenAPI document
    rest_options: Mapping[str, Any] = field(default_factory=dict)  # extra DRF route options
    rest_responses: Mapping[int, Any] = field(default_factory=dict)  # more documented answers
    target_field: str = "id"  # the GraphQL argument naming the row of a detail action
    admin_view: str | None = None  # an admin URL name (args: the row's pk) with a page of its own

    def __post_init__(self) -> None:
        if self.service is None and self.background is None:
            raise TypeError(f"action {self.key}: declare a service, a background run, or both")
        if self.rest_path == "" and self.detail:
            raise TypeError(f"action {self.key}: only a collection action can be the collection's POST")

    @property
    def rest_path_arguments(self) -> tuple[str, ...]:
        """The arguments ``rest_path`` takes from the URL (its ``{name}`` parts), in order."""
        return tuple(re.findall(r"\{(\w+)\}", self.rest_path or ""))

    @property
    def on_graphql(self) -> bool:
        """Whether the action is a GraphQL mutation: reads (``safe``) are queries there,
        downloads are REST and admin only, and ``graphql=False`` keeps a mutation of its own."""
        return self.graphql and not self.safe and self.result.http_response is None

    @property
    def key(self) -> str:
        """``"program.execute"``: the resource's model name and the action's name."""
        return f"{self.resource.rsplit('.', 1)[-1].lower()}.{self.name}"

    @property
    def modes(self) -> tuple[RunMode, ...]:
        modes = []
        if self.service is not None:
            modes.append(RunMode.INLINE)
        if self.background is not None:
            modes.append(RunMode.BACKGROUND)
        if self.stream is not None:
            modes.append(RunMode.STREAM)
        return tuple(modes)
