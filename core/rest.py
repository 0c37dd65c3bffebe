"""Shared pieces of the REST API: error mapping, pagination, the base of every viewset.

Services raise Django's ``ValidationError`` (keyed by field) for bad input; the API turns it into
a 400 with the same keys (``__all__`` becomes DRF's ``non_field_errors``), so a rule is written
once, in the model or service, and never becomes a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.immutable import ImmutableRowError
from core.safe_input import InputRejected, JSONTooDeep, check_json_depth, check_text

__all__ = [
    "ApiViewMixin",
    "Conflict",
    "FirstRendererNegotiation",
    "InputOutputMixin",
    "Pagination",
    "SafeJSONField",
    "api_exception_handler",
    "validation_error_detail",
]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def validation_error_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """``{field: [messages]}`` of a Django ``ValidationError`` (non-field errors under
    ``non_field_errors``, as DRF names them)."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: model/service ``ValidationError`` -> 400 keyed by field; a row still
    referenced (protected) or an immutable row -> 409; a uniqueness race -> 409; a body over
    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` -> 413 naming it (Django's own answer is a bare 400
    page); too many form fields or files -> 400 naming the setting."""
    if isinstance(exc, RequestDataTooBig):
        from core.parsers import RequestTooLarge, max_body_bytes

        exc = RequestTooLarge(
            f"The request body is larger than {max_body_bytes()} bytes, the most a JSON body or a form "
            "may have (DATA_UPLOAD_MAX_MEMORY_SIZE)."
        )
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ValidationError(
            {"non_field_errors": [f"{exc} (DATA_UPLOAD_MAX_NUMBER_FIELDS / DATA_UPLOAD_MAX_NUMBER_FILES)"]}
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_error_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        # Each kind names its rows differently (a RESTRICT parent raises RestrictedError).
        rows = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        names = sorted({str(type(obj)._meta.verbose_name_plural) for obj in rows})
        exc = Conflict(f"It is still used by {', '.join(str(n) for n in names)}: delete those first.")
    elif isinstance(exc, ImmutableRowError):
        exc = Conflict(str(exc))
    elif isinstance(exc, IntegrityError):
        exc = Conflict("The change conflicts with another row (e.g. a name already in use).")
    return exception_handler(exc, context)


class SafeJSONField(serializers.JSONField):
    """A JSON input field that also takes JSON text from forms (as DRF's does), bounded in depth,
    and refuses NUL characters and unpaired surrogates in its strings (JSON bodies are already
    checked by the parser; form values are checked here)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str | bytes) and (self.binary or getattr(data, "is_json_string", False)):
            try:
                check_json_depth(data)
            except JSONTooDeep as exc:
                raise serializers.ValidationError(exc.message) from None
        value = super().to_internal_value(data)
        try:
            check_text(value)
        except InputRejected as exc:
            raise serializers.ValidationError(exc.message) from None
        return value


class Pagination(PageNumberPagination):
    """``?page=N`` (size from ``REST_FRAMEWORK["PAGE_SIZE"]``), ``?page_size=`` up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500

    @property
    def page_size(self) -> int | None:  # type: ignore[override]
        return api_settings.PAGE_SIZE  # read per request (DRF binds it at import)


class FirstRendererNegotiation(DefaultContentNegotiation):
    """Always the view's first renderer; ignores ``?format=`` and ``Accept`` (for actions that
    give ``format`` a meaning of their own and answer with a plain ``HttpResponse``)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


if TYPE_CHECKING:
    # What the mixins below are mixed into (the view of any model): mypy then checks their calls.
    GenericViewBase = GenericAPIView[Any]
else:
    GenericViewBase = object


class ApiViewMixin:
    """Base of every API view: the error mapping above and the shared pagination."""

    pagination_class: type[BasePagination] | None = Pagination

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler


class InputOutputMixin(GenericViewBase):
    """Two serializers per viewset, HackSoft style: ``input_serializer_class`` validates the shape
    of writes (and gives the browsable API its forms); ``serializer_class`` renders rows."""

    input_serializer_class: type[BaseSerializer[Any]] | None = None
    _WRITES = ("POST", "PUT", "PATCH")
    _ACTIONS = ("create", "update", "partial_update", "list", "retrieve")  # list/retrieve: forms

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        method = getattr(getattr(self, "request", None), "method", None)
        action = getattr(self, "action", None)
        if self.input_serializer_class is not None and method in self._WRITES and action in self._ACTIONS:
            return self.input_serializer_class
        return super().get_serializer_class()

    def validated_input(self, *, partial: bool = False) -> Any:
        assert self.input_serializer_class is not None
        serializer = self.input_serializer_class(
            data=self.request.data,
            context=self.get_serializer_context(),
            partial=partial,
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def output(self, instance: Any) -> Any:
        assert self.serializer_class is not None
        return self.serializer_class(instance, context=self.get_serializer_context()).data
