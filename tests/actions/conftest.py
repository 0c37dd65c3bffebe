"""Fixtures of the action-layer tests: clients for REST and GraphQL, as anyone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from graphql_relay import to_global_id
from rest_framework.test import APIClient


def gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.pk)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def rest_as(db: Any) -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def graphql_as(db: Any) -> Callable[[Any], Callable[[str, dict[str, Any]], dict[str, Any]]]:
    def make(user: Any) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
        client = Client()
        if user is not None:
            client.force_login(user)

        def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = client.post(
                "/graphql/",
                data=json.dumps({"query": query, "variables": variables}),
                content_type="application/json",
                HTTP_ACCEPT="application/json",
            )
            return json.loads(response.content)  # type: ignore[no-any-return]

        return run

    return make
