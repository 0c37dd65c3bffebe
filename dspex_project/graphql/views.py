"""The ``/graphql/`` endpoint.

- Authentication as in the REST API: a DRF token (``Authorization: Token <key>``) or the session.
  Any operation from an anonymous user (or with a bad token) is a 401 with a GraphQL error of code
  ``UNAUTHENTICATED``; the GraphiQL page itself is shown to everyone (it holds no data).
- CSRF: session-authenticated POSTs need the CSRF token (GraphiQL sends it); token requests do
  not (same rule as DRF).
- Bounded: the JSON body (size, nesting), then the document (bytes, tokens, definitions, bracket
  nesting, operation depth and cost: ``dspex_project.graphql.limits``) are checked before the
  standard validation rules run; the variables of queries may hold no NUL or unpaired surrogate
  (mutations refuse such text in their payload ``errors``, naming the field). Refusals are
  GraphQL errors with an ``extensions.code``, answered 400 like validation errors.
- GraphiQL from local static files (``programs/static/graphiql/``): no CDN.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core.graphql.permissions import AUTHENTICATION_MESSAGE, FORBIDDEN, UNAUTHENTICATED
from core.parsers import max_body_bytes, max_upload_bytes
from core.safe_input import (
    BadText,
    InputRejected,
    JSONTooDeep,
    check_json_depth,
    check_text,
    format_path,
    loads,
)
from dspex_project.graphql.limits import NESTED_TOO_DEEP, check_document

__all__ = ["INVALID_TEXT", "REQUEST_TOO_LARGE", "DSPexGraphQLView"]

INVALID_TEXT = "INVALID_TEXT"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
INVALID_REQUEST = "INVALID_REQUEST"


class RequestRefused(HttpError):
    """A request refused before its document is looked at (an error with a ``code``)."""

    def __init__(self, status: int, message: str, code: str):
        super().__init__(HttpResponse(status=status), message)
        self.code = code


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    """Why ``request`` fails Django's CSRF check (``None`` when it passes)."""

    def no_view(request: HttpRequest) -> HttpResponse:  # not csrf_exempt: the check applies
        return HttpResponse()

    check = _CSRFCheck(no_view)
    check.process_request(request)
    # _reject above makes a refusal the reason's text instead of a response.
    return check.process_view(request, no_view, (), {})  # type: ignore[return-value]


class DSPexGraphQLView(GraphQLView):
    graphiql_template = "graphiql/dspex_graphiql.html"

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("graphiql", True)
        # graphene-django adds its debug middleware (SQL capture on every resolver) when DEBUG is
        # on; only middleware configured in GRAPHENE["MIDDLEWARE"] is used here.
        kwargs.setdefault("middleware", graphene_settings.user_settings.get("MIDDLEWARE", ()))
        super().__init__(**kwargs)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # CSRF is checked in dispatch(), for session authentication only (as DRF does).
        return csrf_exempt(super().as_view(**initkwargs))

    # -- authentication ----------------------------------------------------------------------------
    @staticmethod
    def error_response(status: int, message: str, code: str) -> HttpResponse:
        body = {"errors": [{"message": message, "extensions": {"code": code}}]}
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
        if status == 401:
            response["WWW-Authenticate"] = "Token"
        return response

    def authenticate(self, request: HttpRequest) -> HttpResponse | None:
        """Set ``request.user`` from a token or the session; a response when that fails."""
        # DRF's token check reads only the request's headers: a DRF Request around this one has them.
        drf_request = Request(request)
        header = get_authorization_header(drf_request).split()
        if header and header[0].lower() == TokenAuthentication.keyword.lower().encode():
            try:
                result = TokenAuthentication().authenticate(drf_request)
            except AuthenticationFailed as exc:
                return self.error_response(401, str(exc.detail), UNAUTHENTICATED)
            if result is not None:
                request.user, request.auth = result  # type: ignore[attr-defined]
                return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.error_response(401, AUTHENTICATION_MESSAGE, UNAUTHENTICATED)
        if request.method == "POST":
            reason = csrf_failure(request)
            if reason:
                return self.error_response(403, f"CSRF Failed: {reason}", FORBIDDEN)
        return None

    def shows_graphiql(self, request: HttpRequest) -> bool:
        return bool(self.graphiql) and request.method == "GET" and self.can_display_graphiql(request, {})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "POST") and not self.shows_graphiql(request):
            rejection = self.authenticate(request)
            if rejection is not None:
                return rejection
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    # -- the body ----------------------------------------------------------------------------------
    @staticmethod
    def format_error(error: Any) -> dict[str, Any]:
        if isinstance(error, RequestRefused):
            return {"message": error.message, "extensions": {"code": error.code}}
        formatted: dict[str, Any] = GraphQLView.format_error(error)
        return formatted

    @staticmethod
    def read_body(request: HttpRequest) -> bytes:
        """The body, at most a file upload plus a form (``importExamples`` carries a file's text):
        Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` alone would cap dataset imports lower here than
        through REST."""
        limit = max_upload_bytes() + max_body_bytes()
        # A body someone already read is cached in request.body; otherwise read no more than allowed.
        started = request._read_started  # type: ignore[attr-defined]
        body = request.body if started else request.read(limit + 1)
        if len(body) > limit:
            raise RequestRefused(
                413, f"The request body is larger than {limit} bytes, the most accepted.", REQUEST_TOO_LARGE
            )
        return body

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = self.get_content_type(request)
        if content_type not in ("application/json", "application/graphql"):
            return super().parse_body(request)
        try:
            text = self.read_body(request).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestRefused(
                400, f"The body is not UTF-8 text ({exc.reason}).", INVALID_REQUEST
            ) from None
        if content_type == "application/graphql":
            return {"query": text}
        try:
            body = loads(text)
        except JSONTooDeep as exc:
            raise RequestRefused(400, exc.message, NESTED_TOO_DEEP) from None
        except ValueError:
            raise RequestRefused(400, "POST body sent invalid JSON.", INVALID_REQUEST) from None
        if not isinstance(body, dict):
            raise RequestRefused(400, "The received data is not a valid JSON query.", INVALID_REQUEST)
        return body

    @staticmethod
    def get_graphql_params(request: HttpRequest, data: Any) -> Any:
        variables = request.GET.get("variables") or data.get("variables")
        if isinstance(variables, str):  # a GET (or form) request: JSON text, parsed by graphene-django
            try:
                check_json_depth(variables)
            except JSONTooDeep as exc:
                raise RequestRefused(400, f"Variables: {exc.message}", NESTED_TOO_DEEP) from None
        return GraphQLView.get_graphql_params(request, data)

    # -- validation --------------------------------------------------------------------------------
    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: Any,
        variables: Any,
        operation_name: Any,
        show_graphiql: bool = False,
    ) -> Any:
        if isinstance(query, str) and query:
            document, errors = check_document(query)
            if errors:
                return ExecutionResult(data=None, errors=errors)
            if document is not None and variables is not None:
                operation = get_operation_ast(document, operation_name)
                # Mutations refuse bad text in their payload errors, naming the input field.
                if operation is None or operation.operation != OperationType.MUTATION:
                    try:
                        check_text(variables)
                    except InputRejected as exc:
                        return ExecutionResult(data=None, errors=[self.variables_error(exc)])
        return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)

    @staticmethod
    def variables_error(exc: InputRejected) -> GraphQLError:
        if isinstance(exc, BadText):
            return GraphQLError(
                f"Variable `${format_path(exc.path)}` {exc.problem}", extensions={"code": INVALID_TEXT}
            )
        return GraphQLError(f"Variables: {exc.message}", extensions={"code": NESTED_TOO_DEEP})

    # -- GraphiQL ----------------------------------------------------------------------------------
    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        options = {
            "headerEditorEnabled": bool(data.get("graphiql_header_editor_enabled", True)),
            "shouldPersistHeaders": bool(data.get("graphiql_should_persist_headers", False)),
            "inputValueDeprecation": bool(data.get("graphiql_input_value_deprecation", False)),
        }
        return render(request, self.graphiql_template, {"graphiql_options": options})
