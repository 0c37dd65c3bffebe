"""Root query fields of the programs app: one node field and one filtered connection per type."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.filters import FilterConnectionField
from core.graphql.permissions import require_user
from core.graphql.scalars import JSON
from core.graphql.types import visible_rows
from programs.graphql import filters
from programs.graphql.types import (
    ExecutionType,
    LMCallTraceType,
    LMCredentialType,
    ProgramType,
    ProgramVersionType,
    SignatureType,
)

__all__ = ["ProgramQueries"]


class ProgramQueries(graphene.ObjectType):
    signature = relay.Node.Field(SignatureType)
    signatures = FilterConnectionField(SignatureType, filterset_class=filters.SignatureFilter)
    program = relay.Node.Field(ProgramType)
    programs = FilterConnectionField(ProgramType, filterset_class=filters.ProgramFilter)
    program_version = relay.Node.Field(ProgramVersionType)
    program_versions = FilterConnectionField(ProgramVersionType, filterset_class=filters.ProgramVersionFilter)
    execution = relay.Node.Field(ExecutionType)
    executions = FilterConnectionField(ExecutionType, filterset_class=filters.ExecutionFilter)
    lm_call_trace = relay.Node.Field(LMCallTraceType)
    lm_call_traces = FilterConnectionField(LMCallTraceType, filterset_class=filters.LMCallTraceFilter)
    lm_credential = relay.Node.Field(LMCredentialType)
    lm_credentials = relay.ConnectionField(
        LMCredentialType._meta.connection, description="Your stored API keys (label and fingerprint)"
    )
    engine_capabilities = JSON(
        required=True,
        description="Module and optimizer types by backend (native, dspy), per-backend stats of this "
        "process and the LM endpoints' circuit breakers (same as GET /api/engine/capabilities/)",
    )

    @staticmethod
    def resolve_engine_capabilities(root: Any, info: GraphQLResolveInfo) -> Any:
        from programs.gateway.capabilities import engine_capabilities

        return engine_capabilities(require_user(info))

    @staticmethod
    def resolve_lm_credentials(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(LMCredentialType, info)

    @staticmethod
    def resolve_signatures(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(SignatureType, info)

    @staticmethod
    def resolve_programs(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(ProgramType, info)

    @staticmethod
    def resolve_program_versions(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(ProgramVersionType, info)

    @staticmethod
    def resolve_executions(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(ExecutionType, info)

    @staticmethod
    def resolve_lm_call_traces(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(LMCallTraceType, info)
