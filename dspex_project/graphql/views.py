"""The ``/graphql/`` endpoint.

- Authentication as in the REST API: a DRF token (``Authorization: Token <key>``) or the session.
  Any operation from an anonymous user (or with a bad token) is a 401 with a GraphQL error of code
  ``UNAUTHENTICATED``; the GraphiQL page itself is shown to everyone (it holds no data).
- CSRF: session-authenticated POSTs need the CSRF token (GraphiQL sends it); token requests do
  not (same rule as DRF).
- A query-depth limit (``DSPEX_GRAPHQL_MAX_DEPTH``, read on every request) on top of the standard
  validation rules.
- GraphiQL from local static files (``programs/static/graphiql/``): no CDN.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView
from graphql import specified_rules
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from dspex_project.graphql.permissions import AUTHENTICATION_MESSAGE, FORBIDDEN, UNAUTHENTICATED
from dspex_project.graphql.validation import depth_limit_rule

__all__ = ["DSPexGraphQLView"]


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    """Why ``request`` fails Django's CSRF check (``None`` when it passes)."""
    check = _CSRFCheck(lambda request: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {})  # type: ignore[return-value]


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
        header = get_authorization_header(request).split()
        if header and header[0].lower() == TokenAuthentication.keyword.lower().encode():
            try:
                result = TokenAuthentication().authenticate(request)
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
        return super().dispatch(request, *args, **kwargs)

    # -- validation --------------------------------------------------------------------------------
    def execute_graphql_request(self, *args: Any, **kwargs: Any) -> Any:
        max_depth = getattr(settings, "DSPEX_GRAPHQL_MAX_DEPTH", 10)
        self.validation_rules = (*specified_rules, depth_limit_rule(max_depth))
        return super().execute_graphql_request(*args, **kwargs)

    # -- GraphiQL ----------------------------------------------------------------------------------
    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        options = {
            "headerEditorEnabled": bool(data.get("graphiql_header_editor_enabled", True)),
            "shouldPersistHeaders": bool(data.get("graphiql_should_persist_headers", False)),
            "inputValueDeprecation": bool(data.get("graphiql_input_value_deprecation", False)),
        }
        return render(request, self.graphiql_template, {"graphiql_options": options})
