"""The GraphQL schema served at ``/graphql/``: the apps' queries and mutations, merged.

Each app's ``graphql`` package mirrors the app (Saleor style): ``types.py``, ``filters.py``,
``queries.py`` and ``mutations/`` with one mutation per module.
"""

from __future__ import annotations

import graphene
from graphene import relay
from graphql import GraphQLResolveInfo

from actions.graphql import action_mutations
from core.graphql.permissions import require_user
from core.graphql.types import UserType
from core.users import Caller
from datasets.graphql.mutations import DatasetMutations
from datasets.graphql.queries import DatasetQueries
from evaluations.graphql.queries import EvaluationQueries
from experiments.graphql.queries import ExperimentQueries
from programs.graphql.mutations import ProgramMutations
from programs.graphql.queries import ProgramQueries

__all__ = ["Mutation", "Query", "schema"]


class Query(ProgramQueries, DatasetQueries, ExperimentQueries, EvaluationQueries, graphene.ObjectType):
    node = relay.Node.Field(description="Any object by its ID (null when it is not yours)")
    me = graphene.Field(UserType, required=True, description="The signed-in user")

    @staticmethod
    def resolve_me(root: None, info: GraphQLResolveInfo) -> Caller:
        return require_user(info)


class Mutation(
    ProgramMutations,
    DatasetMutations,
    # One mutation per declared action and run mode: a class built at import time, which mypy
    # cannot follow as a base.
    action_mutations(),  # type: ignore[misc]
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
