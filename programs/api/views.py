"""Viewsets of the programs API. Thin: validate the request's shape, call a service or selector,
render the result. Every queryset starts from a selector scoped to the requesting user, so other
users' rows are 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.rest import ApiViewMixin, InputOutputMixin
from programs import selectors, services
from programs.api.filters import ExecutionFilter, ProgramFilter, ProgramVersionFilter, SignatureFilter
from programs.api.serializers import (
    ExecutionDetailSerializer,
    ExecutionSerializer,
    LMCredentialInputSerializer,
    LMCredentialSerializer,
    ProgramInputSerializer,
    ProgramSerializer,
    ProgramVersionInputSerializer,
    ProgramVersionSerializer,
    SignatureInputSerializer,
    SignatureSerializer,
)
from programs.models import ExecutionFeedback, Program, ProgramVersion

__all__ = [
    "ExecutionViewSet",
    "LMCredentialViewSet",
    "ProgramVersionViewSet",
    "ProgramViewSet",
    "SignatureViewSet",
]

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")
CONFLICT = OpenApiResponse(OpenApiTypes.OBJECT, description="Still used by other resources")


def write_schema(input_serializer: Any, output_serializer: Any, created: bool = False) -> Any:
    return extend_schema(
        request=input_serializer,
        responses={201 if created else 200: output_serializer, 400: ERROR, 404: NOT_FOUND},
    )


# -- signatures ------------------------------------------------------------------------------------
@extend_schema_view(
    create=write_schema(SignatureInputSerializer, SignatureSerializer, created=True),
    update=write_schema(SignatureInputSerializer, SignatureSerializer),
    partial_update=write_schema(SignatureInputSerializer, SignatureSerializer),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND, 409: CONFLICT}),
)
class SignatureViewSet(ApiViewMixin, InputOutputMixin, viewsets.ModelViewSet):
    """Typed input/output contracts (a spec string like ``"question -> answer"`` or a field list)."""

    serializer_class = SignatureSerializer
    input_serializer_class = SignatureInputSerializer
    filterset_class = SignatureFilter
    search_fields = ["name", "spec", "instructions"]
    ordering_fields = ["id", "name", "created_at", "updated_at"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet:
        return selectors.signature_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        signature = services.signature_create(**self.validated_input(), owner=request.user)
        return Response(self.output(signature), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        signature = self.get_object()
        data = self.validated_input(partial=kwargs.get("partial", False))
        signature = services.signature_update(signature=signature, **data)
        return Response(self.output(signature))


# -- programs --------------------------------------------------------------------------------------
@extend_schema_view(
    create=write_schema(ProgramInputSerializer, ProgramSerializer, created=True),
    update=write_schema(ProgramInputSerializer, ProgramSerializer),
    partial_update=write_schema(ProgramInputSerializer, ProgramSerializer),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND, 409: CONFLICT}),
)
class ProgramViewSet(ApiViewMixin, InputOutputMixin, viewsets.ModelViewSet):
    """Programs: a module type over a signature, with an LM configuration; run one with
    ``POST /api/programs/{id}/execute/``."""

    serializer_class = ProgramSerializer
    input_serializer_class = ProgramInputSerializer
    filterset_class = ProgramFilter
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "module_type", "backend", "created_at", "updated_at"]
    ordering = ["name", "id"]
    throttle_scope: str | None = None  # the action routes set their own (execute: "execute")

    def get_queryset(self) -> QuerySet:
        return selectors.program_list(user=self.request.user).prefetch_related("aliases__version")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = services.program_create(**self.validated_input(), owner=request.user)
        program = self.get_queryset().get(pk=program.pk)
        return Response(self.output(program), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = self.get_object()
        data = self.validated_input(partial=kwargs.get("partial", False))
        program = services.program_update(program=program, **data)
        return Response(self.output(program))


# -- program versions ------------------------------------------------------------------------------
PROGRAM_PK = OpenApiParameter("program_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Program id")
VERSION_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number"
)


@extend_schema_view(
    list=extend_schema(parameters=[PROGRAM_PK]),
    retrieve=extend_schema(parameters=[PROGRAM_PK, VERSION_NUMBER]),
    create=extend_schema(
        parameters=[PROGRAM_PK],
        request=ProgramVersionInputSerializer,
        responses={201: ProgramVersionSerializer, 400: ERROR, 404: NOT_FOUND},
    ),
)
class ProgramVersionViewSet(
    ApiViewMixin,
    InputOutputMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The immutable, numbered states of a program (``/api/programs/{id}/versions/{number}/``)."""

    serializer_class = ProgramVersionSerializer
    input_serializer_class = ProgramVersionInputSerializer
    filterset_class = ProgramVersionFilter
    ordering_fields = ["number", "created_at"]
    ordering = ["-number"]
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"

    def get_program(self) -> Program:
        if not hasattr(self, "_program"):
            programs = selectors.program_list(user=self.request.user)
            self._program = get_object_or_404(programs, pk=self.kwargs["program_pk"])
        return self._program

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ProgramVersion.objects.none()
        return selectors.program_version_list(program=self.get_program())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())  # a fresh dict per call, as DRF's
        if not getattr(self, "swagger_fake_view", False) and "program_pk" in self.kwargs:
            context["program"] = self.get_program()
        return context

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = self.get_program()
        data = self.validated_input()
        parent = None
        if "parent" in data:
            parent = self.get_queryset().filter(number=data["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": f"program {program.name!r} has no version {data['parent']}"})
        version = services.program_version_create(
            program=program,
            state=data.get("state"),
            parent=parent,
            created_by=request.user,
            note=data["note"],
            make_current=data["make_current"],
        )
        version = self.get_queryset().get(pk=version.pk)
        return Response(self.output(version), status=status.HTTP_201_CREATED)


# -- executions ------------------------------------------------------------------------------------
@extend_schema_view(retrieve=extend_schema(responses={200: ExecutionDetailSerializer, 404: NOT_FOUND}))
class ExecutionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Runs of programs; the detail view includes the trace of every LM call."""

    filterset_class = ExecutionFilter
    search_fields = ["error"]
    ordering_fields = ["id", "created_at", "finished_at", "latency_ms", "status", "cost"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        executions = selectors.execution_list(user=self.request.user)
        if self.action == "retrieve":
            feedback = Prefetch("feedback", queryset=ExecutionFeedback.objects.select_related("user"))
            executions = executions.prefetch_related("lm_calls", feedback)
        return executions

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ExecutionDetailSerializer if self.action == "retrieve" else ExecutionSerializer


# -- LM credentials --------------------------------------------------------------------------------
@extend_schema_view(
    create=write_schema(LMCredentialInputSerializer, LMCredentialSerializer, created=True),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND}),
)
class LMCredentialViewSet(
    ApiViewMixin,
    InputOutputMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API keys for the LM endpoints that take them. The key is write-only: it is stored
    encrypted and never shown again (only its label and fingerprint); a program uses one with
    ``lm_config.credential`` = its id, and it is only ever sent to its endpoint. To change a key,
    delete it and store the new one."""

    serializer_class = LMCredentialSerializer
    input_serializer_class = LMCredentialInputSerializer
    ordering_fields = ["id", "endpoint", "label", "created_at"]
    ordering = ["endpoint", "label", "id"]
    search_fields = ["label", "endpoint"]

    def get_queryset(self) -> QuerySet:
        return selectors.lm_credential_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credential = services.lm_credential_create(**self.validated_input(), owner=request.user)
        return Response(self.output(credential), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Any) -> None:
        services.lm_credential_delete(credential=instance)
