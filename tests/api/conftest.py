"""Fixtures of the REST API tests.

- ``api``: an unauthenticated ``APIClient``; ``client_for(user)``: one authenticated as ``user``;
- ``ada_api`` / ``grace_api`` / ``staff_api``: clients of ``user``, ``other_user`` and a staff user;
- ``make_program(owner, **kw)``, ``make_dataset(owner, lines)``: rows built through the services;
- autouse: the cache (throttle history) starts empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def empty_throttle_history() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def staff_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="staff", password="pw-staff-123", is_staff=True)


@pytest.fixture
def ada_api(client_for: Callable[[Any], APIClient], user: Any) -> APIClient:
    return client_for(user)


@pytest.fixture
def grace_api(client_for: Callable[[Any], APIClient], other_user: Any) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def staff_api(client_for: Callable[[Any], APIClient], staff_user: Any) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def make_program(stub_lm_config: dict[str, Any]) -> Callable[..., Any]:
    """``make_program(owner, name="p", spec="question -> answer", **program_kwargs)``."""
    from programs.services import program_create, signature_create

    def make(owner: Any, name: str = "p", spec: str = "question -> answer", **kwargs: Any) -> Any:
        signature = kwargs.pop("signature", None) or signature_create(
            name=f"{name}-signature", spec=spec, owner=owner
        )
        kwargs.setdefault("lm_config", stub_lm_config)
        return program_create(name=name, signature=signature, owner=owner, **kwargs)

    return make


@pytest.fixture
def make_dataset() -> Callable[..., Any]:
    """``make_dataset(owner, name="d", lines=[{"question":..., "answer":..., "split":...}, ...])``:
    a dataset over ``question -> answer`` with one imported version (none when ``lines`` is empty)."""
    import json

    from datasets.services import dataset_create, dataset_import
    from programs.services import signature_create

    def make(owner: Any, name: str = "d", lines: list[dict[str, Any]] | None = None) -> Any:
        signature = signature_create(name=f"{name}-signature", spec="question -> answer", owner=owner)
        dataset = dataset_create(name=name, signature=signature, owner=owner)
        if lines:
            text = "".join(json.dumps(line) + "\n" for line in lines)
            dataset_import(dataset=dataset, file=text.encode(), format="jsonl", created_by=owner)
        return dataset

    return make
